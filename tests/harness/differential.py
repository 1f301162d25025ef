#!/usr/bin/python3
"""Differential test of two ZooKeeper endpoints with kazoo (run with /usr/bin/python3).

The same seeded sequence of operations runs in lockstep against endpoint A (the reference,
normally a real ZooKeeper) and endpoint B (the candidate, e.g. the FaaSKeeper gateway), from
several sessions per endpoint, and every observable outcome is compared:

  * return values, error classes (kazoo exception names), transaction results per op;
  * children sets (order ignored, as ZooKeeper promises no order);
  * Stat fields: version, cversion, aversion, dataLength, numChildren exactly; ephemeralOwner as
    "owned by session slot k, incarnation j" / none / foreign; czxid, mzxid, pzxid by their RANK
    among all zxids that endpoint reported (so equal zxids stay equal and order is kept, whatever
    the absolute values); ctime/mtime are not compared across endpoints, but each endpoint must
    keep them ordered like its zxids (a later zxid never has an earlier time);
  * watch events (data, exists and child watches): after every write, each session does a sync
    round trip and drains kazoo's callback queue, so each event is attributed to the op that
    caused it, per session, deterministically;
  * the final tree (data, stat, children of every node) under the test root.

Determinism: one Random(seed) chooses every op, its session and its arguments; the choices read
a model that follows endpoint A's results only, so both endpoints always receive the same ops.
Calls are synchronous and sessions take turns in the chosen order.

Usage:
  differential.py HOST:PORT HOST:PORT [--seed N] [--ops N] [--sessions N]
  differential.py --start-zk [...]     start two fresh ZooKeeper 3.8 servers (tests/harness)
Exit status: 0 no divergence, 1 divergences (each printed), 2 setup failure.
"""

import argparse
import collections
import json
import os
import random
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.protocol.states import Callback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = "/fkdiff"
NAMES = ["a", "b", "c", "d"]
MAX_DEPTH = 3
OP_WEIGHTS = [
    ("create", 24), ("delete", 12), ("set", 14), ("get", 9), ("exists", 10),
    ("children", 8), ("transaction", 12), ("sync", 3), ("acl", 2), ("restart", 2),
]
WRITES = {"create", "delete", "set", "transaction", "restart"}


# ---- raw values: zxids, times and session ids are tagged for normalisation ----------------

def Z(v):
    return ["Z", v]


def T(v):
    return ["T", v]


def S(v):
    return ["S", v]


def raw_stat(st):
    if st is None:
        return None
    return {
        "czxid": Z(st.czxid), "mzxid": Z(st.mzxid), "pzxid": Z(st.pzxid),
        "ctime": T([st.czxid, st.ctime]), "mtime": T([st.mzxid, st.mtime]),
        "version": st.version, "cversion": st.cversion, "aversion": st.aversion,
        "ephemeralOwner": S(st.ephemeralOwner), "dataLength": st.dataLength,
        "numChildren": st.numChildren,
    }


def raw_value(v):
    """A JSON-able form of a kazoo return value."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, BaseException):
        return {"error": type(v).__name__}
    if hasattr(v, "czxid") and hasattr(v, "pzxid"):
        return raw_stat(v)
    if hasattr(v, "perms") and hasattr(v, "id"):
        return {"perms": v.perms, "scheme": v.id.scheme, "id": v.id.id}
    if isinstance(v, (list, tuple)):
        return [raw_value(x) for x in v]
    return repr(v)


# ---- one endpoint: its sessions, their watch events --------------------------------------

class Endpoint:
    def __init__(self, name, hosts, sessions, timeout):
        self.name = name
        self.hosts = hosts
        self.timeout = timeout
        self.clients = [None] * sessions
        self.labels = [None] * sessions
        self.incarnation = [0] * sessions
        self.session_label = {0: "none"}   # session id → "s<slot>.<incarnation>"
        self.events = collections.defaultdict(list)  # label → [event], appended by kazoo threads
        self.lock = threading.Lock()
        self.op_seconds = 0.0

    def open(self, slot):
        label = f"s{slot}.{self.incarnation[slot]}"
        client = KazooClient(hosts=self.hosts, timeout=self.timeout)
        client.start(timeout=15)
        self.clients[slot] = client
        self.labels[slot] = label
        self.session_label[client.client_id[0]] = label
        return label

    def close(self, slot):
        client = self.clients[slot]
        if client is not None:
            client.stop()
            client.close()
        self.clients[slot] = None
        self.incarnation[slot] += 1

    def close_all(self):
        for slot in range(len(self.clients)):
            try:
                self.close(slot)
            except Exception:  # noqa: BLE001 - shutting down
                pass

    def watcher(self, slot):
        label = self.labels[slot]

        def fn(event):
            with self.lock:
                self.events[label].append([event.type, event.state, event.path])
        return fn

    def drain_events(self):
        """All events each live session has received so far (sync + callback-queue marker)."""
        out = {}
        for slot, client in enumerate(self.clients):
            if client is None:
                continue
            client.sync(ROOT)  # its reply follows every notification already queued for us
            done = threading.Event()
            client.handler.dispatch_callback(Callback("watch", done.set, ()))
            if not done.wait(10):
                raise RuntimeError(f"{self.name}: callback queue of {self.labels[slot]} stuck")
            with self.lock:
                evs = self.events.pop(self.labels[slot], [])
            if evs:
                out[self.labels[slot]] = evs
        return out


# ---- the op generator, driven by a model of endpoint A -----------------------------------

class Model:
    """What endpoint A has told us: node → (version or None, owning slot or None)."""

    def __init__(self):
        self.nodes = {ROOT: [0, None]}

    def forget_subtree(self, path):
        for p in [p for p in self.nodes if p == path or p.startswith(path + "/")]:
            if p != ROOT:  # the driver never deletes ROOT
                del self.nodes[p]

    def apply(self, op, res):
        kind = op["kind"]
        ok = not (isinstance(res, dict) and "error" in res)
        if kind == "create" and ok:
            path = res[0] if isinstance(res, list) else res
            self.nodes[path] = [0, op["slot"] if op["ephemeral"] else None]
        elif kind == "delete" and ok:
            self.forget_subtree(op["path"])
        elif kind in ("set", "get", "exists") and ok:
            st = res if kind in ("set", "exists") else (res[1] if res else None)
            if st is None:
                self.forget_subtree(op["path"])
            elif op["path"] in self.nodes:
                self.nodes[op["path"]][0] = st["version"]
            else:
                self.nodes[op["path"]] = [st["version"], None]
        elif kind in ("get", "set", "exists", "children", "delete") and not ok:
            if res["error"] == "NoNodeError":
                self.forget_subtree(op["path"])
        elif kind == "children" and ok:
            kids = res[0] if op["include_data"] else res
            for k in kids:
                self.nodes.setdefault(op["path"].rstrip("/") + "/" + k, [None, None])
        elif kind == "transaction" and ok and all(not isinstance(r, dict) or "error" not in r
                                                  for r in res):
            for sub, r in zip(op["ops"], res):
                self.apply(dict(sub, slot=op["slot"]), r)
        elif kind == "restart":
            for p in [p for p, (_, owner) in self.nodes.items() if owner == op["slot"]]:
                self.forget_subtree(p)


class Generator:
    def __init__(self, rng, model, sessions):
        self.rng = rng
        self.model = model
        self.sessions = sessions
        self.kinds = [k for k, _ in OP_WEIGHTS]
        self.weights = [w for _, w in OP_WEIGHTS]

    def existing(self):
        return sorted(self.model.nodes)

    def any_path(self, exist_bias=0.7, allow_root=True):
        """A known node (probability exist_bias) or a random path under ROOT. ROOT itself is
        never a delete target, so the test tree cannot vanish."""
        r = self.rng
        if r.random() < exist_bias:
            p = r.choice(self.existing())
            if p != ROOT or (allow_root and r.random() < 0.2):
                return p
        depth = r.randint(1, MAX_DEPTH)
        return ROOT + "".join("/" + r.choice(NAMES) for _ in range(depth))

    def version_for(self, path):
        r = self.rng
        known = self.model.nodes.get(path, [None])[0]
        roll = r.random()
        if roll < 0.4:
            return -1
        if roll < 0.8 and known is not None:
            return known
        return (known if known is not None else 0) + r.randint(1, 3)

    def data(self):
        r = self.rng
        roll = r.random()
        if roll < 0.15:
            return b""
        if roll < 0.2:
            return bytes(r.getrandbits(8) for _ in range(r.randint(500, 2000)))
        return bytes(r.getrandbits(8) for _ in range(r.randint(1, 24)))

    def create_args(self):
        r = self.rng
        parent = r.choice(self.existing()) if r.random() < 0.8 else self.any_path(0)
        if parent.count("/") > MAX_DEPTH:
            parent = ROOT
        mode = r.choices(["p", "e", "ps", "es"], [50, 20, 15, 15])[0]
        return {"path": parent + "/" + r.choice(NAMES) + ("-" if "s" in mode else ""),
                "data": self.data().hex(), "ephemeral": mode.startswith("e"),
                "sequence": mode.endswith("s")}

    def sub_op(self):
        r = self.rng
        kind = r.choices(["create", "delete", "set", "check"], [40, 20, 25, 15])[0]
        if kind == "create":
            return dict(self.create_args(), kind="create")
        path = self.any_path(allow_root=kind != "delete")
        op = {"kind": kind, "path": path, "version": self.version_for(path)}
        if kind == "set":
            op["data"] = self.data().hex()
        return op

    def next(self):
        r = self.rng
        kind = r.choices(self.kinds, self.weights)[0]
        op = {"kind": kind, "slot": r.randrange(self.sessions)}
        if kind == "create":
            op.update(self.create_args())
            op["include_data"] = r.random() < 0.3
        elif kind in ("delete", "set"):
            op["path"] = self.any_path(allow_root=kind != "delete")
            op["version"] = self.version_for(op["path"])
            if kind == "set":
                op["data"] = self.data().hex()
        elif kind in ("get", "exists", "children"):
            op["path"] = self.any_path(0.6 if kind == "exists" else 0.8)
            op["watch"] = r.random() < 0.75
            if kind == "children":
                op["include_data"] = r.random() < 0.5
        elif kind == "transaction":
            op["ops"] = [self.sub_op() for _ in range(r.randint(1, 4))]
        elif kind in ("sync", "acl"):
            op["path"] = self.any_path()
        return op


def describe(op):
    """A one-line, human-readable form of an op (long data abbreviated)."""
    def short(o):
        d = {k: v for k, v in o.items() if k not in ("kind", "slot")}
        if len(d.get("data", "")) > 16:
            d["data"] = d["data"][:16] + f"..({len(d['data']) // 2} bytes)"
        if "ops" in d:
            d["ops"] = [f"{x['kind']} {short(x)}" for x in d["ops"]]
        return json.dumps(d, sort_keys=True)
    return f"s{op['slot']} {op['kind']} {short(op)}"


# ---- executing one op on one endpoint ---------------------------------------------------

def execute(ep, op):
    """Runs op on endpoint ep; returns its raw result (value or {"error": class name})."""
    kind, slot = op["kind"], op["slot"]
    if kind == "restart":
        ep.close(slot)
        return {"session": ep.open(slot)}
    c = ep.clients[slot]
    w = ep.watcher(slot) if op.get("watch") else None
    t0 = time.monotonic()
    try:
        if kind == "create":
            v = c.create(op["path"], bytes.fromhex(op["data"]), ephemeral=op["ephemeral"],
                         sequence=op["sequence"], include_data=op["include_data"])
        elif kind == "delete":
            v = c.delete(op["path"], version=op["version"])
        elif kind == "set":
            v = c.set(op["path"], bytes.fromhex(op["data"]), version=op["version"])
        elif kind == "get":
            v = c.get(op["path"], watch=w)
        elif kind == "exists":
            v = c.exists(op["path"], watch=w)
        elif kind == "children":
            v = c.get_children(op["path"], watch=w, include_data=op["include_data"])
            v = (sorted(v[0]), v[1]) if op["include_data"] else sorted(v)
        elif kind == "sync":
            v = c.sync(op["path"])
        elif kind == "acl":
            v = c.get_acls(op["path"])
        elif kind == "transaction":
            t = c.transaction()
            for sub in op["ops"]:
                if sub["kind"] == "create":
                    t.create(sub["path"], bytes.fromhex(sub["data"]), ephemeral=sub["ephemeral"],
                             sequence=sub["sequence"])
                elif sub["kind"] == "delete":
                    t.delete(sub["path"], version=sub["version"])
                elif sub["kind"] == "set":
                    t.set_data(sub["path"], bytes.fromhex(sub["data"]), version=sub["version"])
                elif sub["kind"] == "check":
                    t.check(sub["path"], version=sub["version"])
            v = t.commit()
        else:
            raise ValueError(kind)
        return raw_value(v)
    except KazooException as e:
        return {"error": type(e).__name__}
    finally:
        ep.op_seconds += time.monotonic() - t0


def dump_tree(ep):
    """The final state under ROOT: path → {data, stat, children}, via session slot 0."""
    c = next(cl for cl in ep.clients if cl is not None)
    out, todo = {}, [ROOT]
    while todo:
        p = todo.pop()
        try:
            data, st = c.get(p)
            kids = sorted(c.get_children(p))
        except KazooException as e:
            out[p] = {"error": type(e).__name__}
            continue
        out[p] = {"data": data.hex() if data is not None else None, "stat": raw_stat(st),
                  "children": kids}
        todo.extend(p + "/" + k for k in kids)
    return out


# ---- normalisation and comparison --------------------------------------------------------

def walk(x, fn):
    if isinstance(x, list) and len(x) == 2 and x[0] in ("Z", "T", "S"):
        return fn(x)
    if isinstance(x, list):
        return [walk(y, fn) for y in x]
    if isinstance(x, dict):
        return {k: walk(v, fn) for k, v in x.items()}
    return x


def normalise(ep, trace):
    """Replaces zxids by rank, session ids by label, drops times; returns (trace, problems)."""
    zxids, times = set(), []

    def collect(tag):
        if tag[0] == "Z":
            zxids.add(tag[1])
        elif tag[0] == "T":
            times.append(tuple(tag[1]))
        return tag
    walk(trace, collect)
    rank = {z: i for i, z in enumerate(sorted(zxids))}
    problems = []
    by_zxid = {}
    for z, t in sorted(set(times)):
        if z in by_zxid and by_zxid[z] != t:
            problems.append(f"{ep.name}: zxid {z:#x} has two times {by_zxid[z]} and {t}")
        by_zxid.setdefault(z, t)
    ordered = sorted(by_zxid.items())
    for (z1, t1), (z2, t2) in zip(ordered, ordered[1:]):
        if t2 < t1:
            problems.append(f"{ep.name}: time goes backwards: zxid {z1:#x} at {t1} ms, "
                            f"later zxid {z2:#x} at {t2} ms")

    def norm(tag):
        if tag[0] == "Z":
            return f"z#{rank[tag[1]]}"
        if tag[0] == "T":
            return "t"
        return ep.session_label.get(tag[1], "foreign")
    return walk(trace, norm), problems


def compare(trace_a, trace_b, name_a, name_b):
    divergences = []
    for ra, rb in zip(trace_a, trace_b):
        for field in ("result", "events"):
            if ra[field] != rb[field]:
                divergences.append((ra["i"], ra["op"], field, ra[field], rb[field]))
    if len(trace_a) != len(trace_b):
        divergences.append((-1, "trace length", "length", len(trace_a), len(trace_b)))
    return divergences


# ---- driver -----------------------------------------------------------------------------

def reset_root(ep):
    c = ep.clients[0]
    if c.exists(ROOT):
        c.delete(ROOT, recursive=True)
    c.create(ROOT, b"")


def run(args, hosts_a, hosts_b):
    print(f"differential: seed {args.seed}, {args.ops} ops, {args.sessions} sessions; "
          f"A={hosts_a} (reference) B={hosts_b}", flush=True)
    rng = random.Random(args.seed)
    a = Endpoint("A", hosts_a, args.sessions, args.session_timeout)
    b = Endpoint("B", hosts_b, args.sessions, args.session_timeout)
    eps = (a, b)
    try:
        for ep in eps:
            for slot in range(args.sessions):
                ep.open(slot)
            reset_root(ep)
            ep.drain_events()
        model = Model()
        gen = Generator(rng, model, args.sessions)
        traces = ([], [])
        counts = collections.Counter()
        errors = collections.Counter()
        n_events = 0
        injected = False
        t_start = time.monotonic()
        for i in range(args.ops):
            op = gen.next()
            counts[op["kind"]] += 1
            results = []
            for ep in eps:
                target_op = op
                if (ep is b and not injected and 0 <= args.inject_divergence_at <= i
                        and op["kind"] == "create"):
                    # Self-check of the comparator: B silently skips one create (the first at
                    # or after the given index), as a buggy candidate might.
                    target_op = dict(op, kind="sync", path=ROOT)
                    injected = True
                results.append(execute(ep, target_op))
            model.apply(op, results[0])
            for x in (results[0] if isinstance(results[0], list) else [results[0]]):
                if isinstance(x, dict) and "error" in x:
                    errors[x["error"]] += 1
            evs = [ep.drain_events() if op["kind"] in WRITES else {} for ep in eps]
            n_events += sum(len(v) for v in evs[0].values())
            for k, ep in enumerate(eps):
                traces[k].append({"i": i, "op": describe(op), "result": results[k],
                                  "events": evs[k]})
        elapsed = time.monotonic() - t_start
        for k, ep in enumerate(eps):
            traces[k].append({"i": args.ops, "op": "final tree", "result": dump_tree(ep),
                              "events": ep.drain_events()})
    finally:
        for ep in eps:
            ep.close_all()

    norm_a, prob_a = normalise(a, traces[0])
    norm_b, prob_b = normalise(b, traces[1])
    divergences = compare(norm_a, norm_b, a.name, b.name)
    if args.trace_out:
        with open(args.trace_out, "w") as f:
            json.dump({"seed": args.seed, "A": norm_a, "B": norm_b}, f, indent=1)

    print(f"ops by kind: {dict(sorted(counts.items()))}")
    print(f"errors from A: {dict(sorted(errors.items()))}")
    print(f"watch events delivered (A): {n_events}; final tree nodes (A): "
          f"{len(norm_a[-1]['result'])}")
    print(f"time in ops: A {a.op_seconds:.2f}s, B {b.op_seconds:.2f}s; whole run "
          f"{elapsed:.1f}s")
    for p in prob_a + prob_b:
        print("TIME ORDER:", p)
    for (i, desc, field, va, vb) in divergences:
        print(f"DIVERGENCE at op {i}: {desc}\n  {field}:\n    A: {json.dumps(va, sort_keys=True)}"
              f"\n    B: {json.dumps(vb, sort_keys=True)}")
    total = len(divergences) + len(prob_a) + len(prob_b)
    print(f"differential: seed {args.seed}: {total} divergence(s)")

    if args.require_coverage:
        missing = [k for k, _ in OP_WEIGHTS if counts[k] == 0]
        missing += [e for e in ("NoNodeError", "NodeExistsError", "BadVersionError",
                                "NotEmptyError", "RolledBackError") if errors[e] == 0]
        if n_events < 10:
            missing.append(f"watch events ({n_events} < 10)")
        if missing:
            print(f"coverage too weak, never exercised: {missing}")
            return 2
    return 1 if total else 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("endpoints", nargs="*", help="A and B as host:port (A is the reference)")
    p.add_argument("--start-zk", action="store_true",
                   help="start two fresh ZooKeeper 3.8 servers and compare them")
    p.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    p.add_argument("--ops", type=int, default=1000)
    p.add_argument("--sessions", type=int, default=3)
    p.add_argument("--session-timeout", type=float, default=10.0)
    p.add_argument("--trace-out", help="write both normalised traces as JSON")
    p.add_argument("--require-coverage", action="store_true",
                   help="exit 2 unless every op kind, the main error classes and watch events "
                        "were exercised")
    p.add_argument("--inject-divergence-at", type=int, default=-1, metavar="I",
                   help="comparator self-check: B skips the first create at or after op I")
    p.add_argument("--expect-divergence", action="store_true",
                   help="invert the exit status: 0 iff a divergence was found")
    args = p.parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)

    if args.start_zk:
        from zk_server import ZkServer
        with ZkServer() as za, ZkServer() as zb:
            print(f"ZooKeeper A {za.endpoint} ready in {za.start_seconds:.2f}s, "
                  f"B {zb.endpoint} in {zb.start_seconds:.2f}s", flush=True)
            rc = run(args, za.endpoint, zb.endpoint)
    elif len(args.endpoints) == 2:
        rc = run(args, args.endpoints[0], args.endpoints[1])
    else:
        p.error("give two endpoints or --start-zk")
        return 2
    if args.expect_divergence and rc in (0, 1):
        return 0 if rc == 1 else 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
