#!/usr/bin/python3
"""Runs tests/harness/differential.py with A = a real ZooKeeper 3.8 (zk_server.py) and
B = the FaaSKeeper gateway (SERVER_BINARY = fk_gateway_server on a fresh local deployment).

Usage: differential_vs_gateway.py SERVER_BINARY [differential.py options...]
Exit status: differential.py's (0 only with no divergence).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "..", "harness")
sys.path.insert(0, HARNESS)
from zk_server import ZkServer  # noqa: E402


def main():
    binary, extra = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory(prefix="fk-gateway-diff-") as tmp, ZkServer() as zk:
        server = subprocess.Popen([binary, os.path.join(tmp, "data")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            if not line.startswith("ZK_PORT="):
                print("gateway did not start: %r" % line)
                return 1
            gw = "127.0.0.1:" + line.strip().split("=")[1]
            ref = zk.endpoint if hasattr(zk, "endpoint") else "%s:%d" % (zk.host, zk.port)
            cmd = [sys.executable, os.path.join(HARNESS, "differential.py"), ref, gw] + extra
            print("running:", " ".join(cmd), flush=True)
            return subprocess.call(cmd)
        finally:
            server.stdin.close()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    sys.exit(main())
