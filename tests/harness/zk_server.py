#!/usr/bin/python3
"""Start and stop a real Apache ZooKeeper 3.8 (Debian's `zookeeper` package) for tests.

Run with /usr/bin/python3 (Debian's interpreter, which sees python3-kazoo).

Library use:
    from zk_server import ZkServer
    with ZkServer() as zk:            # standalone, 127.0.0.1, free port, fresh temp dir
        KazooClient(zk.endpoint) ...  # zk.endpoint == "127.0.0.1:PORT"

Guarantees:
  * binds 127.0.0.1 only (clientPortAddress), fsync on (forceSync default), no admin server,
    all four-letter words allowed, no connection limit, small preallocation;
  * start() returns only once `ruok` answers `imok` and `srvr` reports a mode (every probe
    has a timeout), or raises
    ZkStartError with the tail of the server log;
  * the server is stopped (SIGTERM, then SIGKILL) and its directory removed on context exit,
    at interpreter exit (atexit), on SIGTERM/SIGINT of this process, and - through
    PR_SET_PDEATHSIG - even when this process is killed outright (its directory is then
    removed by the next start, which sweeps directories whose processes are all gone).

CLI:
    zk_server.py run                  start one server, print its endpoint, stop on Ctrl-C/SIGTERM
    zk_server.py with [-n N] [--control] [--heap SIZE] -- CMD…
                                      start N servers, run CMD with ZK_ENDPOINT(S) set (and
                                      {ZK_ENDPOINT}/{ZK_ENDPOINT1}… substituted in its args),
                                      stop the servers, exit with CMD's status. With --control
                                      CMD also gets ZK_CONTROL ({ZK_CONTROL}): a line protocol
                                      on 127.0.0.1 to the first server (see _serve_control)
    zk_server.py measure [-n N]       start/stop N times and print start-up times
"""

import argparse
import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

JAVA = shutil.which("java") or "/usr/bin/java"
CLASSPATH = ":".join([
    "/etc/zookeeper/conf",
    "/usr/share/java/zookeeper.jar",      # its manifest Class-Path pulls in jute, netty, ...
    "/usr/share/java/slf4j-simple.jar",
])
MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain"

_live = set()  # servers to stop at exit


class ZkStartError(RuntimeError):
    pass


def free_port():
    """A port that was free on 127.0.0.1 a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter_word(host, port, word, timeout=1.0):
    """Send a four-letter word and return the whole text reply (the server closes after it).

    Raises OSError (incl. socket.timeout) when the server does not answer within `timeout`.
    """
    deadline = time.monotonic() + timeout
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        while True:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode(errors="replace")


def _pid_alive(pid):
    """Whether pid is a running (not zombie) process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def sweep_stale_dirs():
    """Removes server directories left behind by owners that were killed (SIGKILL skips every
    cleanup hook): an fk-zk-* directory whose owner and server processes are both gone."""
    import glob
    for d in glob.glob(os.path.join(tempfile.gettempdir(), "fk-zk-*")):
        try:
            with open(os.path.join(d, "pids")) as f:
                pids = [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            continue
        if pids and not any(_pid_alive(p) for p in pids):
            shutil.rmtree(d, ignore_errors=True)


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL when the process that started it dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class ZkServer:
    """One standalone ZooKeeper 3.8 server in its own temporary directory."""

    def __init__(self, port=None, tick_ms=2000, start_timeout=30.0, extra_config=None,
                 heap="512m", keep_dir=False):
        self.host = "127.0.0.1"
        self.port = port
        self._fixed_port = port  # None: pick a free port on every attempt
        self.tick_ms = tick_ms
        self.start_timeout = start_timeout
        self.extra_config = dict(extra_config or {})
        self.heap = heap
        self.keep_dir = keep_dir
        self.dir = None
        self.proc = None
        self.start_seconds = None  # wall time from spawn to the first `imok`
        self._log = None

    @property
    def endpoint(self):
        return f"{self.host}:{self.port}"

    @property
    def pid(self):
        """The JVM's pid while it runs, else None."""
        return self.proc.pid if self.proc is not None else None

    def data_dir(self):
        return os.path.join(self.dir, "data") if self.dir else None

    def restart(self, timeout=10.0):
        """Stop the JVM (SIGTERM) and start it again on the SAME directory, port and data;
        returns the seconds from spawn until it serves (same probe as start())."""
        if self.proc is None:
            raise ZkStartError("restart: the server is not running")
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)
        self._spawn_and_wait(os.path.join(self.dir, "zoo.cfg"))
        return self.start_seconds

    def _write_config(self):
        data_dir = os.path.join(self.dir, "data")
        os.makedirs(data_dir)
        cfg = {
            "tickTime": str(self.tick_ms),
            "dataDir": data_dir,
            "clientPort": str(self.port),
            "clientPortAddress": self.host,
            "admin.enableServer": "false",
            "4lw.commands.whitelist": "*",
            "maxClientCnxns": "0",
            "preAllocSize": "4096",   # KiB; the default 64 MiB per log file is wasteful in CI
            "snapCount": "100000",
            "autopurge.purgeInterval": "1",
            # forceSync is left at its default (yes): every txn is fdatasync'ed.
        }
        cfg.update(self.extra_config)
        path = os.path.join(self.dir, "zoo.cfg")
        with open(path, "w") as f:
            for k, v in cfg.items():
                f.write(f"{k}={v}\n")
        return path

    def start(self, attempts=3):
        """Start the server and wait for `imok`. Retries on a port race. Returns self."""
        last = None
        for _ in range(attempts):
            try:
                self._start_once()
                return self
            except ZkStartError as e:
                last = e
                self.stop()
                if self._fixed_port is not None:
                    break  # a fixed port cannot be retried elsewhere
        raise last

    def _start_once(self):
        sweep_stale_dirs()
        self.port = self._fixed_port or free_port()
        self.dir = tempfile.mkdtemp(prefix="fk-zk-")
        cfg = self._write_config()
        self._spawn_and_wait(cfg)
        return self

    def _spawn_and_wait(self, cfg):
        """Spawns the JVM on config `cfg` and waits until it serves; sets start_seconds."""
        if self._log is None:
            self._log = open(os.path.join(self.dir, "server.log"), "ab")
        # The plain server command (full JIT, default GC): benchmarks compare against it.
        cmd = [JAVA, f"-Xmx{self.heap}",
               "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
               "-cp", CLASSPATH, MAIN_CLASS, cfg]
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, cwd=self.dir,
                                     preexec_fn=_die_with_parent)
        _live.add(self)
        with open(os.path.join(self.dir, "pids"), "w") as f:
            f.write(f"{os.getpid()} {self.proc.pid}\n")
        deadline = t0 + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise ZkStartError(f"ZooKeeper exited with {self.proc.returncode}\n"
                                   + self.log_tail())
            try:
                # `ruok` can answer before the database is loaded; `srvr` reports the mode
                # only once the server is serving requests.
                if (four_letter_word(self.host, self.port, "ruok", timeout=0.5) == "imok"
                        and "Mode: " in four_letter_word(self.host, self.port, "srvr",
                                                         timeout=0.5)):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ZkStartError(f"ZooKeeper not ready after {self.start_timeout}s\n"
                                   + self.log_tail())
            time.sleep(0.02)  # polling interval of the readiness probe, not synchronisation
        self.start_seconds = time.monotonic() - t0

    def log_tail(self, lines=40):
        if not self.dir:
            return ""
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout=10.0):
        """Stop the server (SIGTERM, SIGKILL after `timeout`) and remove its directory."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=timeout)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.dir and not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
        _live.discard(self)

    def reset(self):
        """Stop the server, delete its data, and start a fresh one on the same port; returns
        the seconds the new start took."""
        port = self.port
        self.stop()
        self._fixed_port = port
        self.start()
        return self.start_seconds

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def stop_all():
    for s in list(_live):
        try:
            s.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


atexit.register(stop_all)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        if signal.getsignal(_sig) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(_sig, _on_signal)
    except ValueError:  # not the main thread
        pass


def _cmd_run(args):
    with ZkServer() as zk:
        print(zk.endpoint, flush=True)
        print(f"# started in {zk.start_seconds:.2f}s, dir {zk.dir}", file=sys.stderr, flush=True)
        try:
            signal.pause()
        except (KeyboardInterrupt, SystemExit):
            pass
    return 0


def _serve_control(server):
    """Serves a line protocol on 127.0.0.1 (a daemon thread) for a benchmark that must look at
    or restart `server` while it runs. One request per line, one reply line each:
        pid          -> the JVM's pid
        dir          -> the server's data directory
        start        -> seconds the last start took (spawn until serving)
        restart      -> "PID SECONDS": stopped and started again on the same data
        reset        -> "PID SECONDS": stopped, data deleted, started fresh on the same port
    Returns "127.0.0.1:PORT"."""
    import threading
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(4)

    def handle(conn):
        with conn, conn.makefile("rw") as f:
            for line in f:
                cmd = line.strip()
                try:
                    if cmd == "pid":
                        reply = str(server.pid)
                    elif cmd == "dir":
                        reply = server.data_dir()
                    elif cmd == "start":
                        reply = f"{server.start_seconds:.6f}"
                    elif cmd == "restart":
                        secs = server.restart()
                        reply = f"{server.pid} {secs:.6f}"
                    elif cmd == "reset":
                        secs = server.reset()
                        reply = f"{server.pid} {secs:.6f}"
                    else:
                        reply = "error unknown command"
                except Exception as e:  # noqa: BLE001 - reported to the caller
                    reply = "error " + str(e).replace("\n", " ")
                f.write(reply + "\n")
                f.flush()

    # One connection at a time, on this one long-lived thread: a restarted JVM gets
    # PR_SET_PDEATHSIG from the thread that spawned it, so that thread must outlive the server.
    def loop():
        while True:
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            handle(conn)

    threading.Thread(target=loop, daemon=True).start()
    return "127.0.0.1:%d" % lsock.getsockname()[1]


def _cmd_with(args):
    cmd = list(args.command)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        print("zk_server.py with: no command", file=sys.stderr)
        return 2
    servers = []
    try:
        for _ in range(args.n):
            servers.append(ZkServer(heap=args.heap).start())
        env = dict(os.environ)
        endpoints = [s.endpoint for s in servers]
        env["ZK_ENDPOINT"] = endpoints[0]
        env["ZK_ENDPOINTS"] = ",".join(endpoints)
        subst = {"{ZK_ENDPOINT}": endpoints[0], "{ZK_ENDPOINTS}": ",".join(endpoints)}
        for i, e in enumerate(endpoints, 1):
            env[f"ZK_ENDPOINT{i}"] = e
            subst[f"{{ZK_ENDPOINT{i}}}"] = e
        if args.control:
            env["ZK_CONTROL"] = subst["{ZK_CONTROL}"] = _serve_control(servers[0])
        for s in servers:
            print(f"# zk {s.endpoint} ready in {s.start_seconds:.2f}s", file=sys.stderr,
                  flush=True)
        final = []
        for a in cmd:
            for k, v in subst.items():
                a = a.replace(k, v)
            final.append(a)
        return subprocess.call(final, env=env)
    finally:
        for s in servers:
            s.stop()


def _cmd_measure(args):
    times = []
    for _ in range(args.n):
        with ZkServer() as zk:
            times.append(zk.start_seconds)
            t0 = time.monotonic()
        stop = time.monotonic() - t0
        print(f"start {zk.start_seconds:.3f}s  stop {stop:.3f}s", flush=True)
    times.sort()
    print(f"ZooKeeper start-up over {len(times)} runs: min {times[0]:.3f}s "
          f"median {times[len(times)//2]:.3f}s max {times[-1]:.3f}s")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="start one server and print its endpoint")
    w = sub.add_parser("with", help="run a command against N fresh servers")
    w.add_argument("-n", type=int, default=1)
    w.add_argument("--heap", default="512m",
                   help="JVM -Xmx of each server (a benchmark that stores MiBs of znodes needs more)")
    w.add_argument("--control", action="store_true",
                   help="serve ZK_CONTROL (pid / dir / start / restart of the first server)")
    w.add_argument("command", nargs=argparse.REMAINDER)
    m = sub.add_parser("measure", help="measure start-up time")
    m.add_argument("-n", type=int, default=5)
    args = p.parse_args(argv)
    return {"run": _cmd_run, "with": _cmd_with, "measure": _cmd_measure}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
