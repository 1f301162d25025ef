#!/usr/bin/python3
"""Real kazoo clients through the FaaSKeeper ZooKeeper gateway.

Usage: kazoo_test.py SERVER_BINARY
Starts SERVER_BINARY (fk_gateway_server: a local deployment + the gateway on free ports of
127.0.0.1) in a fresh directory, then checks, with python3-kazoo:
  CRUD, sequential and ephemeral nodes, data/child/exists watches, transactions (committed and
  refused), four-letter words, the 44-byte handshake form, and the recipes Lock, Election,
  Counter, Barrier, Queue and Party across several client processes; getEphemerals and
  getAllChildrenNumber (kazoo has no API for them) on raw sessions of their own.
Every wait is on an observable condition with a deadline; exit status 0 only if all pass.
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, NoNodeError, NodeExistsError,
                              NotEmptyError)

TIMEOUT = 20.0


def client(hosts):
    zk = KazooClient(hosts=hosts, timeout=10.0)
    zk.start(timeout=15)
    return zk


# ---------------------------------------------------------------- worker processes (recipes)

def await_children(zk, path, pred):
    """Children of `path` once pred(children) holds (a ChildrenWatch, no polling), else exit 4."""
    cond = threading.Condition()
    seen = []

    def fn(children):
        with cond:
            seen.append(children)
            cond.notify_all()
        return not pred(children)  # False stops the watch
    zk.ChildrenWatch(path, fn)
    with cond:
        if not cond.wait_for(lambda: seen and pred(seen[-1]), TIMEOUT):
            print("%s: condition never held, last children %r" % (path, seen[-1:]), flush=True)
            os._exit(4)
        return seen[-1]


def worker(hosts, role, ident, rounds):
    zk = client(hosts)
    try:
        if role == "lock":
            # Each increment is a read-modify-write under the lock; lost updates mean no exclusion.
            lock = zk.Lock("/recipes/lock", ident)
            for _ in range(rounds):
                with lock:
                    data, stat = zk.get("/recipes/locked_counter")
                    zk.set("/recipes/locked_counter", str(int(data) + 1).encode(), version=stat.version)
        elif role == "counter":
            counter = zk.Counter("/recipes/counter")
            for _ in range(rounds):
                counter += 1
        elif role == "election":
            # Each process becomes leader once; while leading, it checks it is the only one.
            election = zk.Election("/recipes/election", ident)

            def lead():
                zk.create("/recipes/leaders/" + ident, ephemeral=True)
                others = zk.get_children("/recipes/leaders")
                if others != [ident]:
                    print("two leaders at once: %r" % others, flush=True)
                    os._exit(3)
                zk.delete("/recipes/leaders/" + ident)
                zk.create("/recipes/led/" + ident)
            election.run(lead)
        elif role == "barrier":
            barrier = zk.DoubleBarrier("/recipes/barrier", int(rounds), identifier=ident)
            barrier.enter()
            # Inside: all `rounds` participants must have entered.
            n = len(zk.get_children("/recipes/barrier"))
            zk.create("/recipes/inside/" + ident, str(n).encode())
            barrier.leave()
        elif role == "queue_put":
            # One producer: items 0..rounds-1 in order, then one STOP per consumer.
            queue = zk.Queue("/recipes/queue")
            # Fill the queue once the 3 consumers are connected, then let them all go at once,
            # so they compete for every item.
            await_children(zk, "/recipes/queue_ready", lambda c: len(c) >= 3)
            for i in range(rounds):
                queue.put(str(i).encode())
            for _ in range(3):
                queue.put(b"STOP")
            zk.create("/recipes/queue_ready/go")
        elif role == "queue_get":
            # Takes items until a STOP; waits on a child watch while the queue is empty.
            queue = zk.Queue("/recipes/queue")
            zk.create("/recipes/queue_ready/" + ident, ephemeral=True)
            await_children(zk, "/recipes/queue_ready", lambda c: "go" in c)
            got = []
            while True:
                item = queue.get()
                if item is None:
                    await_children(zk, "/recipes/queue", lambda c: len(c) > 0)
                    continue
                if item == b"STOP":
                    break
                got.append(item.decode())
            zk.create("/recipes/queue_done/" + ident, ",".join(got).encode())
        elif role == "party":
            # Join, wait until all `rounds` members are in, record the membership seen, and
            # leave only once every member has recorded its view.
            party = zk.Party("/recipes/party", ident)
            party.join()
            await_children(zk, "/recipes/party", lambda c: len(c) >= rounds)
            members = sorted(party)
            zk.create("/recipes/party_seen/" + ident, ",".join(members).encode())
            await_children(zk, "/recipes/party_seen", lambda c: len(c) >= rounds)
            party.leave()
    finally:
        zk.stop()
        zk.close()


# ---------------------------------------------------------------- checks

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what, flush=True)


def wait_event(ev, what):
    check(ev.wait(TIMEOUT), what)


def test_crud(zk):
    zk.ensure_path("/t")
    path = zk.create("/t/a", b"hello")
    check(path == "/t/a", "create returns the path")
    data, stat = zk.get("/t/a")
    check(data == b"hello" and stat.version == 0 and stat.dataLength == 5, "get returns data and stat")
    stat2 = zk.set("/t/a", b"world", version=0)
    check(stat2.version == 1 and stat2.mzxid > stat.mzxid, "set bumps version and mzxid")
    try:
        zk.set("/t/a", b"x", version=0)
        check(False, "set with a stale version fails")
    except BadVersionError:
        check(True, "set with a stale version fails with BadVersion")
    try:
        zk.create("/t/a")
        check(False, "second create fails")
    except NodeExistsError:
        check(True, "second create fails with NodeExists")
    try:
        zk.get("/t/missing")
        check(False, "get of a missing node fails")
    except NoNodeError:
        check(True, "get of a missing node fails with NoNode")
    check(zk.exists("/t/missing") is None, "exists of a missing node is None")
    zk.create("/t/a/child")
    try:
        zk.delete("/t/a")
        check(False, "delete of a parent fails")
    except NotEmptyError:
        check(True, "delete of a non-empty node fails with NotEmpty")
    children, cstat = zk.get_children("/t/a", include_data=True)
    check(children == ["child"] and cstat.numChildren == 1, "getChildren2 gives children and stat")
    zk.delete("/t/a", recursive=True)
    check(zk.exists("/t/a") is None, "recursive delete removes the subtree")
    path, st = zk.create("/t/withstat", b"12", include_data=True)
    check(path == "/t/withstat" and st.dataLength == 2 and st.czxid == st.mzxid, "create2 returns the stat")
    acls, st = zk.get_acls("/t/withstat")
    check(len(acls) == 1 and acls[0].perms == 31 and acls[0].id.scheme == "world"
          and acls[0].id.id == "anyone", "getACL returns the open ACL")
    check(zk.sync("/t") == "/t", "sync returns the path")


def test_sequential_ephemeral(hosts, zk):
    zk.ensure_path("/seq")
    a = zk.create("/seq/n-", sequence=True)
    b = zk.create("/seq/n-", sequence=True)
    check(a == "/seq/n-0000000000" and b == "/seq/n-0000000001", "sequential suffixes %s %s" % (a, b))
    other = client(hosts)
    e = other.create("/seq/eph", b"", ephemeral=True)
    st = zk.exists(e)
    check(st is not None and st.ephemeralOwner == other.client_id[0], "ephemeral owned by its session")
    gone = threading.Event()

    def w(event):
        if event.type == "DELETED":
            gone.set()
    zk.exists(e, watch=w)
    other.stop()
    other.close()
    wait_event(gone, "ephemeral deleted when its session closes (exists watch fires)")
    check(zk.exists(e) is None, "ephemeral is gone")


def test_watches(hosts, zk):
    zk.ensure_path("/w")
    other = client(hosts)
    zk.create("/w/d", b"0")
    data_ev, child_ev, exists_ev = [], [], []
    got_data, got_child, got_exists = threading.Event(), threading.Event(), threading.Event()
    zk.get("/w/d", watch=lambda e: (data_ev.append(e), got_data.set()))
    zk.get_children("/w", watch=lambda e: (child_ev.append(e), got_child.set()))
    zk.exists("/w/new", watch=lambda e: (exists_ev.append(e), got_exists.set()))
    other.set("/w/d", b"1")
    wait_event(got_data, "data watch fires on another session's set")
    check(data_ev and data_ev[0].type == "CHANGED" and data_ev[0].path == "/w/d", "data event is CHANGED /w/d")
    other.create("/w/new")
    wait_event(got_exists, "exists watch fires on create")
    wait_event(got_child, "child watch fires on create")
    check(exists_ev and exists_ev[0].type == "CREATED", "exists event is CREATED")
    check(child_ev and child_ev[0].type == "CHILD" and child_ev[0].path == "/w", "child event is CHILD /w")
    # One-shot: a second change does not fire again; a sync through the same session orders it.
    other.set("/w/d", b"2")
    zk.sync("/w/d")
    zk.get("/w/d")
    check(len(data_ev) == 1, "a one-shot watch fires once")
    # DataWatch recipe (re-arming through the gateway).
    seen = []
    cond = threading.Condition()

    @zk.DataWatch("/w/d")
    def watcher(data, stat):
        with cond:
            seen.append(data)
            cond.notify_all()
    other.set("/w/d", b"3")
    with cond:
        ok = cond.wait_for(lambda: b"3" in seen, TIMEOUT)
    check(ok, "DataWatch recipe sees the new value")
    other.stop()
    other.close()


def test_transactions(zk):
    zk.ensure_path("/tx")
    t = zk.transaction()
    t.create("/tx/a", b"a")
    t.create("/tx/b", b"b")
    t.set_data("/tx/a", b"a2")
    t.check("/tx/a", 1)
    res = t.commit()
    check(res[0] == "/tx/a" and res[1] == "/tx/b" and res[2].version == 1 and res[3] is True,
          "committed transaction results %r" % (res,))
    t = zk.transaction()
    t.create("/tx/c")
    t.delete("/tx/missing")
    t.create("/tx/d")
    res = t.commit()
    names = [type(r).__name__ for r in res]
    check(names == ["RolledBackError", "NoNodeError", "RuntimeInconsistency"],
          "refused transaction results %r" % names)
    check(zk.exists("/tx/c") is None, "a refused transaction has no effect")


def raw_handshake(port, with_read_only):
    body = struct.pack(">iqiq", 0, 0, 10000, 0) + struct.pack(">i", 16) + b"\0" * 16
    if with_read_only:
        body += b"\0"
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.sendall(struct.pack(">i", len(body)) + body)
    hdr = s.recv(4, socket.MSG_WAITALL)
    n = struct.unpack(">i", hdr)[0]
    payload = s.recv(n, socket.MSG_WAITALL)
    s.close()
    return n, payload


def four_letter(port, word):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.sendall(word.encode())
    out = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
    s.close()
    return out.decode()


def raw_session(port):
    """A raw 45-byte handshake; returns the connected socket."""
    body = struct.pack(">iqiq", 0, 0, 10000, 0) + struct.pack(">i", 16) + b"\0" * 16 + b"\0"
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.sendall(struct.pack(">i", len(body)) + body)
    n = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
    s.recv(n, socket.MSG_WAITALL)
    return s


def read_reply_header(s):
    """(xid, zxid, err) of the next frame, or None when the server closed the connection."""
    hdr = s.recv(4, socket.MSG_WAITALL)
    if len(hdr) < 4:
        return None
    n = struct.unpack(">i", hdr)[0]
    payload = s.recv(n, socket.MSG_WAITALL)
    return struct.unpack(">iqi", payload[:16])


def closed_by_server(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


def test_malformed(port, zk):
    s = raw_session(port)
    # Unknown opcode 999: UNIMPLEMENTED (-6), connection kept.
    s.sendall(struct.pack(">iii", 8, 1, 999))
    check(read_reply_header(s)[::2] == (1, -6), "unknown opcode answers -6")
    # Truncated exists body: MARSHALLINGERROR (-5), connection kept.
    s.sendall(struct.pack(">iiii", 12, 2, 3, 50))
    check(read_reply_header(s)[::2] == (2, -5), "truncated body answers -5")
    # reconfig: RECONFIGDISABLED (-123).
    body = struct.pack(">iiiiiq", 3, 16, -1, -1, -1, -1)
    s.sendall(struct.pack(">i", len(body)) + body)
    check(read_reply_header(s)[::2] == (3, -123), "reconfig answers -123")
    # ping still answered after all that.
    s.sendall(struct.pack(">iii", 8, -2, 11))
    check(read_reply_header(s)[::2] == (-2, 0), "ping answered with xid -2")
    # A frame over 1,048,575 bytes closes the connection without a reply.
    s.sendall(struct.pack(">i", 1048576))
    check(closed_by_server(s), "a 1,048,576-byte frame closes the connection")
    s.close()
    g = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    g.sendall(b"GET / HTTP/1.1\r\n\r\n")
    check(closed_by_server(g), "HTTP garbage before the handshake closes the connection")
    g.close()
    # Other sessions are unaffected.
    check(zk.exists("/") is not None, "another session still works")


# ---- raw requests (jute, big-endian) for what kazoo cannot send

def ustr(x):
    b = x.encode()
    return struct.pack(">i", len(b)) + b


def create_body(path, data, flags):
    open_acl = struct.pack(">ii", 1, 31) + ustr("world") + ustr("anyone")
    return ustr(path) + struct.pack(">i", len(data)) + data + open_acl + struct.pack(">i", flags)


def raw_call(s, xid, op, body):
    """Sends one request; returns (err, reply body), skipping watch notifications."""
    s.sendall(struct.pack(">iii", 8 + len(body), xid, op) + body)
    while True:
        n = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
        payload = s.recv(n, socket.MSG_WAITALL)
        rxid, _, err = struct.unpack(">iqi", payload[:16])
        if rxid != -1:
            check(rxid == xid, "reply xid %d answers request %d" % (rxid, xid))
            return err, payload[16:]


def read_strings(b):
    n, = struct.unpack(">i", b[:4])
    out, pos = [], 4
    for _ in range(n):
        k, = struct.unpack(">i", b[pos:pos + 4])
        out.append(b[pos + 4:pos + 4 + k].decode())
        pos += 4 + k
    return out


def raw_create(s, xid, path, flags):
    err, body = raw_call(s, xid, 1, create_body(path, b"x", flags))
    check(err == 0, "raw create %s (flags %d) err %d" % (path, flags, err))
    return read_strings(struct.pack(">i", 1) + body)[0]


def get_ephemerals(s, xid, prefix):
    err, body = raw_call(s, xid, 103, ustr(prefix))
    check(err == 0, "getEphemerals(%r) answers err 0 (%d)" % (prefix, err))
    return sorted(read_strings(body))


def all_children_number(s, xid, path):
    err, body = raw_call(s, xid, 104, ustr(path))
    return (err, struct.unpack(">i", body)[0]) if err == 0 else (err, None)


def count_below(zk, path):
    n = 0
    for c in zk.get_children(path):
        n += 1 + count_below(zk, (path.rstrip("/")) + "/" + c)
    return n


def test_ephemerals_and_counts(port, zk):
    zk.ensure_path("/eph/p/q")
    a, b = raw_session(port), raw_session(port)
    a1 = raw_create(a, 1, "/eph/a1", 1)
    seq = raw_create(a, 2, "/eph/s-", 3)
    check(seq.startswith("/eph/s-") and len(seq) == len("/eph/s-") + 10, "ephemeral sequential %s" % seq)
    px = raw_create(a, 3, "/eph/p/x", 1)
    # A multi with an ephemeral create: MultiHeader{type 1, done false, err -1} + create, end
    # marker {-1, true, -1}.
    multi = (struct.pack(">i?i", 1, False, -1) + create_body("/eph/m1", b"m", 1)
             + struct.pack(">i?i", -1, True, -1))
    err, _ = raw_call(a, 4, 14, multi)
    check(err == 0, "multi with an ephemeral create commits (%d)" % err)
    b1 = raw_create(b, 1, "/eph/b1", 1)
    raw_create(a, 5, "/eph/p/persistent", 0)
    mine = sorted([a1, seq, px, "/eph/m1"])
    check(get_ephemerals(a, 6, "/") == mine, "getEphemerals('/') lists the session's own ephemerals")
    check(get_ephemerals(a, 7, "") == mine, "getEphemerals('') lists them all")
    check(get_ephemerals(a, 8, " / ") == mine, "getEphemerals(' / ') lists them all (trimmed)")
    check(get_ephemerals(a, 9, "/eph/p") == ["/eph/p/x"], "getEphemerals('/eph/p') is a prefix match")
    check(get_ephemerals(a, 10, "/eph/a") == ["/eph/a1"], "getEphemerals('/eph/a') matches /eph/a1")
    check(get_ephemerals(a, 11, "/nothing") == [], "getEphemerals of an unused prefix is empty")
    check(get_ephemerals(b, 2, "/") == [b1], "another session sees only its own ephemeral")
    zk.delete(a1)  # deleted by a third session
    check(get_ephemerals(a, 12, "/") == sorted([seq, px, "/eph/m1"]),
          "an ephemeral deleted by another session is no longer listed")
    # /eph: p, p/q, p/x, p/persistent, the sequential one, m1, b1.
    check(all_children_number(a, 13, "/eph") == (0, 7), "getAllChildrenNumber('/eph') = 7")
    check(all_children_number(a, 14, "/eph/p") == (0, 3), "getAllChildrenNumber('/eph/p') = 3")
    check(all_children_number(a, 15, "/eph/p/q") == (0, 0), "getAllChildrenNumber of a leaf = 0")
    check(all_children_number(a, 16, "/eph/none") == (-101, None), "getAllChildrenNumber of a missing node: NONODE")
    expected = count_below(zk, "/")
    check(all_children_number(a, 17, "/") == (0, expected), "getAllChildrenNumber('/') = %d" % expected)
    for s in (a, b):
        err, _ = raw_call(s, 99, -11, b"")
        check(err == 0, "closeSession answered")
        s.close()
    gone = threading.Event()
    if zk.exists("/eph/m1", watch=lambda e: gone.set() if e.type == "DELETED" else None) is None:
        gone.set()  # already deleted when closeSession was answered
    wait_event(gone, "a closed raw session's ephemerals are deleted")
    check(zk.get_children("/eph") == ["p"] and sorted(zk.get_children("/eph/p")) == ["persistent", "q"],
          "only persistent nodes remain under /eph")


def test_four_letter_parsed(port, zk):
    """The 4lw answers in the forms clients and monitoring tools parse."""
    check(zk.server_version() == (3, 8, 0), "kazoo parses the envi version (%r)" % (zk.server_version(),))
    # mntr: one tab-separated key/value pair per line (what monitoring scripts split on).
    text = zk.command(b"mntr")
    pairs = [line.split("\t") for line in text.splitlines()]
    check(pairs and all(len(p) == 2 and p[0].startswith("zk_") and p[1] for p in pairs),
          "mntr lines are zk_key<TAB>value (%r)" % text)
    m = dict(p for p in pairs if len(p) == 2)
    check(m.get("zk_version", "").startswith("3.8.0"), "mntr zk_version (%r)" % m.get("zk_version"))
    check(m.get("zk_server_state") == "standalone", "mntr zk_server_state standalone")
    check(all(m.get(k, "x").isdigit() for k in ("zk_num_alive_connections", "zk_packets_received",
                                                 "zk_packets_sent", "zk_outstanding_requests")),
          "mntr counters are integers")
    check(int(m.get("zk_num_alive_connections", "0")) >= 2, "mntr counts kazoo's and its own connection")
    # stat lists each connection as ZooKeeper does: " /ip:port[ops](queued=N,recved=N,sent=N)".
    s = raw_session(port)  # received the ConnectRequest, sent the ConnectResponse
    s.sendall(struct.pack(">iii", 8, -2, 11))
    read_reply_header(s)   # ... and a ping and its reply
    me = "/%s:%d" % s.getsockname()[:2]
    text = four_letter(port, "stat")
    lines = text.splitlines()
    clients = lines[lines.index("Clients:") + 1:lines.index("")] if "Clients:" in lines and "" in lines else []
    check(" %s[1](queued=0,recved=2,sent=2)" % me in clients,
          "stat lists the raw session %s with its 2 frames each way (%r)" % (me, clients))
    check(any(c.endswith("[0](queued=0,recved=1,sent=0)") for c in clients),
          "stat lists its own connection as ZooKeeper does")
    conns = [l for l in lines if l.startswith("Connections: ")]
    check(conns and int(conns[0].split()[1]) == len(clients) and len(clients) >= 3,
          "stat: Connections matches the %d listed clients" % len(clients))
    s.close()


def test_protocol(port):
    n, p = raw_handshake(port, True)
    check(n == 37, "45-byte handshake gets a 37-byte answer (%d)" % n)
    n, p = raw_handshake(port, False)
    check(n == 36, "44-byte handshake gets a 36-byte answer (%d)" % n)
    timeout = struct.unpack(">i", p[4:8])[0]
    check(timeout == 10000, "negotiated timeout 10000 (%d)" % timeout)
    check(four_letter(port, "ruok") == "imok", "ruok answers imok")
    check("zookeeper.version=" in four_letter(port, "envi"), "envi has zookeeper.version=")
    check("Mode: standalone" in four_letter(port, "srvr"), "srvr reports a mode")


def run_workers(binary_hosts, role, idents, rounds, extra=()):
    """Runs one worker process per ident (plus `extra` (role, ident, rounds) ones), all at
    once, and checks that every one exits 0."""
    specs = [(role, i, rounds) for i in idents] + list(extra)
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", binary_hosts, r, i, str(n)])
             for r, i, n in specs]
    codes = [p.wait(timeout=60) for p in procs]
    check(all(c == 0 for c in codes), "%s workers exit 0 (%r)" % (role, codes))


def test_recipes(hosts, zk):
    zk.ensure_path("/recipes")
    zk.create("/recipes/locked_counter", b"0")
    run_workers(hosts, "lock", ["p1", "p2", "p3"], 4)
    check(zk.get("/recipes/locked_counter")[0] == b"12", "Lock: 3 processes x 4 increments = 12 (%r)"
          % zk.get("/recipes/locked_counter")[0])
    run_workers(hosts, "counter", ["c1", "c2", "c3"], 5)
    check(zk.Counter("/recipes/counter").value == 15, "Counter: 3 processes x 5 = 15")
    zk.ensure_path("/recipes/leaders")
    zk.ensure_path("/recipes/led")
    run_workers(hosts, "election", ["e1", "e2", "e3"], 1)
    check(sorted(zk.get_children("/recipes/led")) == ["e1", "e2", "e3"], "Election: each process led once")
    zk.ensure_path("/recipes/inside")
    run_workers(hosts, "barrier", ["b1", "b2", "b3"], 3)
    inside = zk.get_children("/recipes/inside")
    counts = [int(zk.get("/recipes/inside/" + i)[0]) for i in inside]
    check(sorted(inside) == ["b1", "b2", "b3"] and all(c >= 3 for c in counts),
          "Barrier: every process saw all 3 inside (%r)" % counts)
    # Queue: 1 producer and 3 consumers at once; 30 items, consumed from a full queue.
    zk.ensure_path("/recipes/queue")
    zk.ensure_path("/recipes/queue_done")
    zk.ensure_path("/recipes/queue_ready")
    run_workers(hosts, "queue_get", ["q1", "q2", "q3"], 0, extra=[("queue_put", "qp", 30)])
    taken = {}
    for c in zk.get_children("/recipes/queue_done"):
        data = zk.get("/recipes/queue_done/" + c)[0].decode()
        taken[c] = [int(x) for x in data.split(",")] if data else []
    everything = sorted(x for items in taken.values() for x in items)
    check(everything == list(range(30)), "Queue: every item consumed exactly once (%r)" % taken)
    check(sorted(taken) == ["q1", "q2", "q3"] and all(v == sorted(v) for v in taken.values()),
          "Queue: each consumer took its items in FIFO order (%r)" % taken)
    check(zk.get_children("/recipes/queue") == [], "Queue: empty afterwards")
    # Party: 3 members, each must have seen all 3.
    zk.ensure_path("/recipes/party_seen")
    run_workers(hosts, "party", ["m1", "m2", "m3"], 3)
    seen = {c: zk.get("/recipes/party_seen/" + c)[0].decode() for c in zk.get_children("/recipes/party_seen")}
    check(sorted(seen) == ["m1", "m2", "m3"] and all(v == "m1,m2,m3" for v in seen.values()),
          "Party: every member saw the membership m1,m2,m3 (%r)" % seen)
    check(len(zk.Party("/recipes/party")) == 0, "Party: empty once all left")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return 0
    binary = sys.argv[1]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fk-gateway-test-") as tmp:
        server = subprocess.Popen([binary, os.path.join(tmp, "data")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            if not line.startswith("ZK_PORT="):
                print("server did not start: %r" % line)
                return 1
            port = int(line.strip().split("=")[1])
            hosts = "127.0.0.1:%d" % port
            test_protocol(port)
            zk = client(hosts)
            test_malformed(port, zk)
            test_four_letter_parsed(port, zk)
            test_crud(zk)
            test_sequential_ephemeral(hosts, zk)
            test_watches(hosts, zk)
            test_transactions(zk)
            test_ephemerals_and_counts(port, zk)
            test_recipes(hosts, zk)
            zk.stop()
            zk.close()
        finally:
            server.stdin.close()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    print("%d failure(s), %.1f s" % (len(FAILURES), time.monotonic() - started))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
