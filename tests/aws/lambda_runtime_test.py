#!/usr/bin/env python3
"""Drives a Lambda bootstrap through a local Lambda Runtime API server (127.0.0.1 only).

usage: lambda_runtime_test.py BOOTSTRAP [ZIP]
Runs the scenarios against BOOTSTRAP (an executable), and again against the `bootstrap` script
inside ZIP after checking the zip's layout. Prints "N passed, M failed"; exits 1 on failure.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    """Serves queued events on /invocation/next and records what the function posts back."""

    def __init__(self, events):
        self.events = list(events)
        self.results = {}  # request id -> ("response" | "error", body, headers)
        self.init_error = None
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    self.send_error(404)
                    return
                with api.lock:
                    if not api.events:
                        self.send_error(410, "no more events")
                        return
                    rid, payload = api.events.pop(0)
                body = payload.encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", rid)
                self.send_header("Lambda-Runtime-Deadline-Ms", "4102444800000")
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:t")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-test")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n).decode()
                parts = self.path[len(PREFIX):].strip("/").split("/")
                with api.lock:
                    if parts == ["init", "error"]:
                        api.init_error = (body, dict(self.headers))
                    elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                        api.results[parts[1]] = (parts[2], body, dict(self.headers))
                    else:
                        self.send_error(404)
                        return
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def sqs_record(mid, body, group, seq, encoding=None):
    rec = {
        "messageId": mid,
        "receiptHandle": "rh-" + mid,
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000",
                       "SequenceNumber": seq, "MessageGroupId": group, "MessageDeduplicationId": "d-" + mid,
                       "SenderId": "X", "ApproximateFirstReceiveTimestamp": "1700000000001"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:faaskeeper-writer.fifo",
        "awsRegion": "us-east-1",
    }
    if encoding:
        rec["messageAttributes"]["fk-enc"] = {"stringValue": encoding, "stringListValues": [],
                                              "binaryListValues": [], "dataType": "String"}
    return rec


def scenarios():
    sqs = {"Records": [
        sqs_record("m1", "ok", "s1", "18849496460467696128"),
        sqs_record("m2", base64.b64encode(b"fail").decode(), "s1", "18849496460467696129", "base64"),
        sqs_record("m3", "ok", "s1", "18849496460467696130"),  # after a failure in s1: reported too
        sqs_record("m4", "ok", "s2", "18849496460467696131"),
        sqs_record("m5", "fail", "s3", "18849496460467696132"),
    ]}
    sched = {"version": "0", "id": "x", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "000000000000", "time": "2024-01-01T00:00:00Z", "region": "us-east-1",
             "resources": ["arn:aws:events:us-east-1:000000000000:rule/hb"], "detail": {}}
    sched_fail = dict(sched, detail={"fail": True})
    whole = {"Records": [sqs_record("w1", "fail-all", "s1", "1")]}
    return [
        ("sqs", json.dumps(sqs), ("response", lambda b: json.loads(b) == {"batchItemFailures": [
            {"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}, {"itemIdentifier": "m5"}]})),
        ("sched", json.dumps(sched), ("response", lambda b: json.loads(b) == {})),
        ("sched-fail", json.dumps(sched_fail), ("error", lambda b: "heartbeat failed" in json.loads(b)["errorMessage"])),
        ("invoke", json.dumps("abc"), ("response", lambda b: b == '"cba"')),
        ("crash", json.dumps("crash"), ("error", lambda b: json.loads(b)["errorType"] == "FaaSKeeper.SYSTEMERROR"
                                        and "crash" in json.loads(b)["errorMessage"])),
        ("whole-batch", json.dumps(whole), ("error", lambda b: "whole batch failed" in b)),
    ]


def run(cmd, checks, label):
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL [%s] %s" % (label, what))

    cases = scenarios()
    api = RuntimeApi([(rid, payload) for rid, payload, _ in cases])
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address, _HANDLER="test",
               FK_LAMBDA_MAX_INVOCATIONS=str(len(cases)))
    try:
        proc = subprocess.run(cmd, env=env, timeout=60, capture_output=True, text=True)
        check(proc.returncode == 0, "bootstrap exit code %d: %s" % (proc.returncode, proc.stderr[-500:]))
        for rid, _, (kind, pred) in cases:
            got = api.results.get(rid)
            check(got is not None and got[0] == kind and pred(got[1]), "%s: got %r" % (rid, got))
        err = api.results.get("crash")
        check(err is not None and err[2].get("Lambda-Runtime-Function-Error-Type") == "FaaSKeeper.SYSTEMERROR",
              "error-type header on /error")
    finally:
        api.close()

    # Init error: an unknown handler is reported through /init/error and the process exits 1.
    api = RuntimeApi([])
    try:
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address, _HANDLER="nope")
        proc = subprocess.run(cmd, env=env, timeout=60, capture_output=True, text=True)
        check(proc.returncode == 1, "init failure exit code %d" % proc.returncode)
        check(api.init_error is not None and "unknown handler 'nope'" in json.loads(api.init_error[0])["errorMessage"],
              "init error posted: %r" % (api.init_error,))
    finally:
        api.close()
    return passed, failed


def main():
    bootstrap = sys.argv[1]
    total_p, total_f = run([bootstrap], None, "binary")
    if len(sys.argv) > 2:
        zpath = sys.argv[2]
        with zipfile.ZipFile(zpath) as z, tempfile.TemporaryDirectory() as d:
            names = z.namelist()
            infos = {i.filename: i for i in z.infolist()}
            ok_layout = "bootstrap" in names and any(n.startswith("bin/") for n in names) and \
                any(n.startswith("lib/ld-linux") for n in names)
            mode = (infos["bootstrap"].external_attr >> 16) if "bootstrap" in infos else 0
            if ok_layout and mode & 0o111:
                total_p += 1
            else:
                total_f += 1
                print("FAIL [zip] layout or mode: %s mode=%o" % (names[:10], mode))
            z.extractall(d)
            for info in z.infolist():  # zipfile drops modes: restore them as Lambda would
                os.chmod(os.path.join(d, info.filename), (info.external_attr >> 16) or 0o644)
            p, f = run([os.path.join(d, "bootstrap")], None, "zip")
            total_p += p
            total_f += f
    print("%d passed, %d failed" % (total_p, total_f))
    sys.exit(1 if total_f else 0)


if __name__ == "__main__":
    main()
