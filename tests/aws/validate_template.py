#!/usr/bin/env python3
"""Static checks of deploy/aws/faaskeeper.yaml (what can be checked without an AWS account).

usage: validate_template.py TEMPLATE PROVIDER_HEADER
- parses as YAML with CloudFormation's short-form tags, and without the YAML features
  CloudFormation rejects (aliases, merge keys);
- every !Ref / !GetAtt / ${...} in !Sub names a parameter, resource or pseudo parameter;
- every resource type is one this template is meant to use; every function has a role, the
  provided.al2023 runtime and a Handler the bootstrap dispatches;
- IAM: no Action "*" and no Resource "*"; each role may touch only its own function's logs;
- the FK_* variables given to functions are exactly those aws_provider.h documents;
- event-source mappings report partial batch failures; the distributor's queue is FIFO.
Prints "N passed, M failed".
"""
import re
import sys

import yaml

PSEUDO = {"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::StackId",
          "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs"}
TYPES = {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::IAM::Role",
         "AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping", "AWS::Events::Rule",
         "AWS::Lambda::Permission", "AWS::Logs::LogGroup"}
HANDLERS = {"writer", "distributor", "watch", "heartbeat"}


class Tag:
    def __init__(self, name, value):
        self.name, self.value = name, value


class Loader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tag(suffix, value)


Loader.add_multi_constructor("!", _tag)


def walk(x):
    yield x
    if isinstance(x, dict):
        for v in x.values():
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)
    elif isinstance(x, Tag):
        yield from walk(x.value)


def main():
    text = open(sys.argv[1]).read()
    header = open(sys.argv[2]).read()
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL: " + what)

    # CloudFormation rejects aliases and anchors.
    bad = [e for e in yaml.parse(text, Loader=Loader)
           if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) is not None]
    check(not bad, "YAML anchors/aliases at %s" % [str(e.start_mark) for e in bad[:3]])
    check("<<:" not in text, "YAML merge key")
    t = yaml.load(text, Loader=Loader)
    params = set(t.get("Parameters", {}))
    res = t["Resources"]
    names = params | set(res) | PSEUDO

    for node in walk(t):
        if isinstance(node, Tag):
            if node.name == "Ref":
                check(node.value in names, "!Ref %s resolves" % node.value)
            elif node.name == "GetAtt":
                target = node.value.split(".")[0] if isinstance(node.value, str) else node.value[0]
                check(target in res, "!GetAtt %s resolves" % target)
            elif node.name == "Sub":
                s = node.value if isinstance(node.value, str) else node.value[0]
                for ref in re.findall(r"\$\{([^}!]+)\}", s):
                    check(ref.split(".")[0] in names, "${%s} in !Sub resolves" % ref)

    for name, r in res.items():
        check(r["Type"] in TYPES, "%s has an expected type (%s)" % (name, r["Type"]))
        for dep in ([r["DependsOn"]] if isinstance(r.get("DependsOn"), str) else r.get("DependsOn", [])):
            check(dep in res, "%s DependsOn %s exists" % (name, dep))

    documented = set(re.findall(r"\b(FK_[A-Z0-9_]+)\b", header))
    for name, r in res.items():
        p = r.get("Properties", {})
        if r["Type"] == "AWS::Lambda::Function":
            check(p.get("Runtime") == "provided.al2023", "%s uses provided.al2023" % name)
            check(p.get("Handler") in HANDLERS, "%s Handler %s is dispatched" % (name, p.get("Handler")))
            check(isinstance(p.get("Role"), Tag) and p["Role"].name == "GetAtt", "%s has a role" % name)
            env = set(p["Environment"]["Variables"])
            extra = env - documented - {"FK_WATCH_FUNCTION"}
            check(not extra, "%s env vars documented in aws_provider.h (extra: %s)" % (name, sorted(extra)))
            for must in ("FK_SYSTEM_TABLE", "FK_USER_STORE", "FK_BUCKET", "FK_WRITER_QUEUE_URL",
                         "FK_DISTRIBUTOR_QUEUE_URL"):
                check(must in env, "%s sets %s" % (name, must))
        if r["Type"] == "AWS::IAM::Role":
            fn = [n for n, f in res.items() if f["Type"] == "AWS::Lambda::Function"
                  and isinstance(f["Properties"]["Role"], Tag) and f["Properties"]["Role"].value.startswith(name + ".")]
            check(len(fn) == 1, "role %s is used by exactly one function" % name)
            for pol in p.get("Policies", []):
                for st in pol["PolicyDocument"]["Statement"]:
                    acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                    check(all(a != "*" and not a.endswith(":*") for a in acts), "%s: no wildcard action" % name)
                    rs = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                    check(all(x != "*" for x in rs), "%s: no wildcard resource" % name)
                    if any(a.startswith("logs:") for a in acts) and fn:
                        fname = res[fn[0]]["Properties"]["FunctionName"].value.replace("${DeploymentName}", "")
                        check(all(isinstance(x, Tag) and x.value.endswith("/aws/lambda/${DeploymentName}%s:*" % fname)
                                  for x in rs), "%s: logs only of its own function" % name)
        if r["Type"] == "AWS::Lambda::EventSourceMapping":
            check(p.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], "%s reports batch item failures" % name)
            q = p["EventSourceArn"].value.split(".")[0]
            check(res[q]["Properties"].get("FifoQueue") is True, "%s reads a FIFO queue" % name)
            check(res[q]["Properties"].get("ContentBasedDeduplication") is False, "%s: dedup by explicit ids" % q)

    sched = [r for r in res.values() if r["Type"] == "AWS::Events::Rule"]
    check(len(sched) == 1 and sched[0]["Properties"]["Targets"][0]["Arn"].value.startswith("HeartbeatFunction."),
          "heartbeat schedule targets the heartbeat function")
    perm = [r for r in res.values() if r["Type"] == "AWS::Lambda::Permission"]
    check(any(p["Properties"]["Principal"] == "events.amazonaws.com" for p in perm), "events may invoke heartbeat")
    sys_keys = {k["AttributeName"]: k["KeyType"] for k in res["SystemTable"]["Properties"]["KeySchema"]}
    check(sys_keys == {"fk_pk": "HASH", "fk_key": "RANGE"}, "system table key schema matches DynamoSystemStore")
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
