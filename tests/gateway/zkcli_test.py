#!/usr/bin/python3
"""A scripted zkCli session (Debian's `zookeeper` package) through the FaaSKeeper gateway.

Usage: zkcli_test.py SERVER_BINARY [--zkcli PATH] [--no-reference]

One zkCli invocation per server reads a command script on stdin (create, create -e/-s/-e -s,
get, get -s, get -w, set, set -v, stat, ls, delete, deleteall, getEphemerals,
getAllChildrenNumber, and commands that fail). The script runs against:
  * the gateway (SERVER_BINARY = fk_gateway_server on a fresh local deployment), and
  * a real ZooKeeper 3.8 (tests/harness/zk_server.py), unless --no-reference.
Each command is followed by `stat /zkcli-mark-N` (an absent node: zkCli prints "Node does not
exist: /zkcli-mark-N"), which splits the merged output into one section per command. Every
section must contain the real values written below, on both servers, and the two servers'
sections must be equal once zxids, times and session ids are masked and printed lists sorted
(ZooKeeper returns getEphemerals in hash order). Exit status 0 only if all pass.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"
TIMEOUT = 120  # one JVM start plus a few dozen round trips; normally about 2 s

# (command, [fragments its output section must contain]). "" checks nothing but the
# differential comparison. Sequential suffixes follow the parent's cversion, as in ZooKeeper.
SCRIPT = [
    ("create /zkcli hello", ["Created /zkcli"]),
    ("create -e /zkcli/eph e", ["Created /zkcli/eph"]),
    ("create -s /zkcli/seq- s", ["Created /zkcli/seq-0000000001"]),
    ("create -e -s /zkcli/eseq- x", ["Created /zkcli/eseq-0000000002"]),
    ("create /zkcli/dir", ["Created /zkcli/dir"]),
    ("create /zkcli/dir/leaf l", ["Created /zkcli/dir/leaf"]),
    ("get /zkcli", ["hello"]),
    ("get -w /zkcli/dir", ["null"]),               # created without data: null
    ("set /zkcli/dir d1", []),                     # fires the watch (checked on the whole output)
    ("set /zkcli world", []),
    ("get -s /zkcli", ["world", "dataVersion = 1", "dataLength = 5", "numChildren = 4",
                       "ephemeralOwner = 0x0", "cversion = 4"]),
    ("stat /zkcli/eph", ["dataLength = 1", "numChildren = 0", "ephemeralOwner = 0xSESSION"]),
    ("ls /zkcli", ["[dir, eph, eseq-0000000002, seq-0000000001]"]),
    ("ls -s /zkcli/dir", ["[leaf]", "numChildren = 1", "dataVersion = 1"]),
    ("getEphemerals /zkcli", ["[/zkcli/eph, /zkcli/eseq-0000000002]"]),
    ("getEphemerals /zkcli/es", ["[/zkcli/eseq-0000000002]"]),
    ("getEphemerals /zkcli/dir", ["[]"]),
    ("getEphemerals", ["[/zkcli/eph, /zkcli/eseq-0000000002]"]),
    ("getAllChildrenNumber /zkcli", ["5"]),
    ("getAllChildrenNumber /zkcli/dir", ["1"]),
    ("getAllChildrenNumber /zkcli/dir/leaf", ["0"]),
    ("getAllChildrenNumber /zkcli/none", ["Node does not exist: /zkcli/none"]),
    ("set -v 0 /zkcli again", ["version No is not valid : /zkcli"]),
    ("delete /zkcli", ["Node not empty: /zkcli"]),
    ("delete /zkcli/seq-0000000001", []),
    ("delete /zkcli/seq-0000000001", ["Node does not exist: /zkcli/seq-0000000001"]),
    ("create /zkcli/eph again", ["Node already exists: /zkcli/eph"]),
    ("create /zkcli/none/child", ["Node does not exist: /zkcli/none/child"]),
    ("create /zkcli/eph/child", ["Ephemerals cannot have children: /zkcli/eph/child"]),
    ("deleteall /zkcli/dir", []),
    ("ls /zkcli", ["[eph, eseq-0000000002]"]),
    ("stat /zkcli/dir", ["Node does not exist: /zkcli/dir"]),
    # /zookeeper, /zookeeper/config, /zookeeper/quota, /zkcli and its 2 ephemerals.
    ("getAllChildrenNumber /", ["6"]),
    ("delete /zkcli/eph", []),
    ("getEphemerals /", ["[/zkcli/eseq-0000000002]"]),
]
WATCH_EVENT = "WatchedEvent state:SyncConnected type:NodeDataChanged path:/zkcli/dir"

FAILURES = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def mark(i):
    return "/zkcli-mark-%d" % i


def run_zkcli(zkcli, endpoint):
    """Runs the script in one zkCli process; returns (sections, whole output) or raises."""
    lines = ["stat " + mark(0)]
    for i, (cmd, _) in enumerate(SCRIPT, start=1):
        lines += [cmd, "stat " + mark(i)]
    lines.append("quit")
    started = time.monotonic()
    # Java's System.out and System.err flush on every line, so the merged pipe keeps the order.
    p = subprocess.run([zkcli, "-server", endpoint], input="\n".join(lines) + "\n",
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
    out = p.stdout
    print("zkCli against %s: exit %d, %.1f s, %d bytes of output"
          % (endpoint, p.returncode, time.monotonic() - started, len(out)), flush=True)
    sections = []
    pos = None
    for i in range(len(SCRIPT) + 1):
        m = out.find("Node does not exist: %s\n" % mark(i), 0 if pos is None else pos)
        if m < 0:
            raise RuntimeError("marker %d missing from zkCli output:\n%s" % (i, out))
        if pos is not None:
            sections.append(out[pos:m])
        pos = m + len("Node does not exist: %s\n" % mark(i))
    return sections, out


def normalise(section):
    """Masks what legitimately differs between servers; drops asynchronous watch output."""
    out = []
    for line in section.splitlines():
        if line.startswith("WATCHER::") or line.startswith("WatchedEvent") or not line.strip():
            continue
        line = re.sub(r"^(cZxid|mZxid|pZxid) = 0x[0-9a-f]+$", r"\1 = ZXID", line)
        line = re.sub(r"^(ctime|mtime) = .*$", r"\1 = TIME", line)
        line = re.sub(r"^ephemeralOwner = 0x[0-9a-f]*[1-9a-f][0-9a-f]*$", "ephemeralOwner = 0xSESSION", line)
        m = re.match(r"^\[(.*)\]$", line)
        if m:
            items = sorted(x for x in m.group(1).split(", ") if x)
            line = "[" + ", ".join(items) + "]"
        out.append(line)
    return out


def check_run(name, sections, whole):
    for (cmd, wants), section in zip(SCRIPT, sections):
        lines = normalise(section)
        for want in wants:
            check(want in lines, "%s: `%s` prints %r (got %r)" % (name, cmd, want, lines))
        if not wants:
            errors = [l for l in lines if re.search(r"exist|not empty|not valid|cannot|Exception", l)]
            check(not errors, "%s: `%s` succeeds silently (got %r)" % (name, cmd, lines))
    check(WATCH_EVENT in whole, "%s: `get -w` watch fires on set (%s)" % (name, WATCH_EVENT))


def gateway_run(binary, zkcli):
    with tempfile.TemporaryDirectory(prefix="fk-gateway-zkcli-") as tmp:
        server = subprocess.Popen([binary, os.path.join(tmp, "data")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            if not line.startswith("ZK_PORT="):
                raise RuntimeError("gateway did not start: %r" % line)
            return run_zkcli(zkcli, "127.0.0.1:" + line.strip().split("=")[1])
        finally:
            server.stdin.close()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--zkcli", default=ZKCLI)
    ap.add_argument("--no-reference", action="store_true", help="skip the real ZooKeeper run")
    args = ap.parse_args()
    if not os.access(args.zkcli, os.X_OK):
        print("zkCli not found at %s (Debian package `zookeeper`)" % args.zkcli)
        return 2
    started = time.monotonic()
    gw_sections, gw_whole = gateway_run(args.binary, args.zkcli)
    check_run("gateway", gw_sections, gw_whole)
    if not args.no_reference:
        from zk_server import ZkServer
        with ZkServer() as zk:
            ref_sections, ref_whole = run_zkcli(args.zkcli, zk.endpoint)
        check_run("zookeeper", ref_sections, ref_whole)
        for (cmd, _), a, b in zip(SCRIPT, ref_sections, gw_sections):
            check(normalise(a) == normalise(b),
                  "same output as ZooKeeper for `%s` (zookeeper %r, gateway %r)"
                  % (cmd, normalise(a), normalise(b)))
    print("%d failure(s), %.1f s" % (len(FAILURES), time.monotonic() - started))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
