#!/usr/bin/python3
"""Self-test of zk_server.py: the server it starts is real, local-only, configured as promised,
and is always cleaned up (normal exit, exception, SIGTERM, SIGKILL of the owner)."""

import os
import signal
import socket
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from kazoo.client import KazooClient  # noqa: E402

from zk_server import ZkServer, four_letter_word  # noqa: E402


def wait_for(cond, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)  # polling an observable condition with a deadline
    raise AssertionError(f"timed out waiting for {what}")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def listeners(port):
    """Local addresses (hex, as in /proc/net/tcp*) listening on `port`."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                addr, p = cols[1].split(":")
                if int(p, 16) == port and cols[3] == "0A":  # LISTEN
                    out.append(addr)
    return out


class ZkServerTest(unittest.TestCase):
    def test_starts_a_real_local_server_and_cleans_up(self):
        with ZkServer() as zk:
            self.assertEqual(zk.host, "127.0.0.1")
            self.assertEqual(four_letter_word(zk.host, zk.port, "ruok"), "imok")
            self.assertIn("Mode: standalone", four_letter_word(zk.host, zk.port, "srvr"))
            self.assertGreater(zk.start_seconds, 0)
            # 127.0.0.1 only: Java binds an IPv6 socket to the IPv4-mapped ::ffff:127.0.0.1.
            found = listeners(zk.port)
            self.assertTrue(found)
            for addr in found:
                self.assertIn(addr, ("0100007F", "0000000000000000FFFF00000100007F"))
            conf = four_letter_word(zk.host, zk.port, "conf")
            self.assertIn("maxClientCnxns=0", conf)
            with open(os.path.join(zk.dir, "zoo.cfg")) as f:
                cfg = f.read()
            for line in ("admin.enableServer=false", "4lw.commands.whitelist=*",
                         "preAllocSize=4096", "clientPortAddress=127.0.0.1"):
                self.assertIn(line, cfg)
            self.assertNotIn("forceSync", cfg)  # default: fsync on
            k = KazooClient(zk.endpoint)
            k.start(timeout=10)
            self.assertEqual(k.server_version()[:2], (3, 8))
            k.create("/x", b"1")
            self.assertEqual(k.get("/x")[0], b"1")
            k.stop()
            k.close()
            pid, d = zk.proc.pid, zk.dir
        self.assertFalse(pid_alive(pid))
        self.assertFalse(os.path.exists(d))

    def test_control_channel_restart_keeps_data_and_reset_clears_it(self):
        """The benchmark's control channel (`with --control`): a restarted JVM keeps its data,
        survives the control connection that asked for it (PR_SET_PDEATHSIG follows the thread
        that spawned it), and a reset starts empty on the same port."""
        from zk_server import _serve_control

        def ask(ctl, cmd):
            host, port = ctl.split(":")
            with socket.create_connection((host, int(port)), timeout=60) as c:
                c.sendall((cmd + "\n").encode())
                return c.makefile().readline().strip()

        with ZkServer() as zk:
            ctl = _serve_control(zk)
            self.assertEqual(ask(ctl, "pid"), str(zk.pid))
            self.assertEqual(ask(ctl, "dir"), zk.data_dir())
            k = KazooClient(zk.endpoint)
            k.start(timeout=10)
            k.create("/kept", b"1")
            k.stop()
            k.close()
            old = zk.pid
            pid, secs = ask(ctl, "restart").split()
            self.assertNotEqual(int(pid), old)
            self.assertGreater(float(secs), 0)
            self.assertFalse(pid_alive(old))
            time.sleep(1.0)  # the control connection is closed: the JVM must still be there
            self.assertTrue(pid_alive(int(pid)))
            k = KazooClient(zk.endpoint)
            k.start(timeout=10)
            self.assertEqual(k.get("/kept")[0], b"1")
            k.stop()
            k.close()
            pid2, _ = ask(ctl, "reset").split()
            time.sleep(1.0)
            self.assertTrue(pid_alive(int(pid2)))
            k = KazooClient(zk.endpoint)
            k.start(timeout=10)
            self.assertIsNone(k.exists("/kept"))
            k.stop()
            k.close()
            last = int(pid2)
        self.assertFalse(pid_alive(last))

    def test_stops_when_the_block_raises(self):
        with self.assertRaises(RuntimeError):
            with ZkServer() as zk:
                pid, d = zk.proc.pid, zk.dir
                raise RuntimeError("test failure inside the block")
        self.assertFalse(pid_alive(pid))
        self.assertFalse(os.path.exists(d))

    def _spawn_cli_run(self):
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "zk_server.py"), "run"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        endpoint = p.stdout.readline().strip()
        host, port = endpoint.split(":")
        self.assertEqual(four_letter_word(host, int(port), "ruok"), "imok")
        java = [int(x) for x in subprocess.check_output(["pgrep", "-P", str(p.pid)]).split()]
        self.assertEqual(len(java), 1)
        return p, java[0]

    def test_sigterm_of_the_owner_stops_the_server(self):
        p, java = self._spawn_cli_run()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)
        p.stdout.close()
        wait_for(lambda: not pid_alive(java), what="java to exit after SIGTERM")

    def test_sigkill_of_the_owner_kills_the_server(self):
        p, java = self._spawn_cli_run()
        d = os.readlink(f"/proc/{java}/cwd")
        p.kill()
        p.wait(timeout=20)
        p.stdout.close()
        wait_for(lambda: not pid_alive(java), what="java to die with its parent")
        self.assertTrue(os.path.isdir(d))  # nobody was left to clean up ...
        with ZkServer():
            self.assertFalse(os.path.exists(d))  # ... so the next start sweeps it


if __name__ == "__main__":
    unittest.main(verbosity=2)
