#!/usr/bin/env bash
# Runs a command with the AWS API emulators up, then stops them.
#
#   with-emulators.sh [--only dynamodb,s3,sqs] -- COMMAND [ARGS...]
#
# Starts, on 127.0.0.1 with free ports and a readiness probe each (all under `timeout`):
#   DynamoDB Local (java)   -> AWS_ENDPOINT_URL_DYNAMODB
#   fauxqs (SQS JSON + S3)  -> AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL_S3
#   s3rver                  -> AWS_ENDPOINT_URL_S3 instead, when FK_EMU_S3=s3rver (it checks
#                              the access key id only, and its overwrites are not atomic for
#                              concurrent readers: see docs/aws.md)
# and exports AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY=S3RVER, AWS_REGION=us-east-1,
# FK_AWS_EMULATORS=1 for COMMAND. Its exit status is COMMAND's.
#
# DynamoDB Local cannot be told to bind to loopback only, so when DynamoDB is wanted the whole
# run (emulators and COMMAND) is re-executed inside a private network namespace that has only
# `lo` (unshare -n; needs root or user namespaces). Without one, DynamoDB is left out unless
# FK_EMU_ALLOW_PUBLIC_DYNAMODB=1.
#
# Exit 77 (ctest SKIP_RETURN_CODE) when the emulators are not installed
# (scripts/setup-emulators.sh) or a runtime (node, java) is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
deps="${FK_EMULATORS_DIR:-$root/.deps/emulators}"
only="dynamodb,s3,sqs"
if [ "${1:-}" = "--only" ]; then only="$2"; shift 2; fi
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [--only dynamodb,s3,sqs] -- COMMAND..." >&2; exit 2; }
wants() { [[ ",$only," == *",$1,"* ]]; }

skip() { echo "with-emulators: SKIP: $*" >&2; exit 77; }
command -v node >/dev/null || skip "node not installed"
[ -d "$deps/node_modules/s3rver" ] && [ -d "$deps/node_modules/fauxqs" ] || skip "run scripts/setup-emulators.sh"
if wants dynamodb; then
  command -v java >/dev/null || skip "java not installed"
  [ -f "$deps/dynamodb-local/DynamoDBLocal.jar" ] || skip "run scripts/setup-emulators.sh"
fi

# Enter a private network namespace (once) when DynamoDB Local is wanted.
if wants dynamodb && [ "${FK_EMU_NETNS:-0}" != 1 ] && [ "${FK_EMU_ALLOW_PUBLIC_DYNAMODB:-0}" != 1 ]; then
  if unshare -n true 2>/dev/null; then
    exec env FK_EMU_NETNS=1 unshare -n -- "$0" --only "$only" -- "$@"
  elif unshare -rn true 2>/dev/null; then
    exec env FK_EMU_NETNS=1 unshare -rn -- "$0" --only "$only" -- "$@"
  else
    skip "cannot create a private network namespace for DynamoDB Local (set FK_EMU_ALLOW_PUBLIC_DYNAMODB=1 to run it on all interfaces)"
  fi
fi
if [ "${FK_EMU_NETNS:-0}" = 1 ]; then
  ip link set lo up 2>/dev/null || { command -v ip >/dev/null || skip "iproute2 (ip) missing"; exit 1; }
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fk-emu.XXXXXX")"
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
  done
  [ "${FK_EMU_KEEP_LOGS:-0}" = 1 ] && echo "with-emulators: logs in $work" >&2 || rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}
# wait_http NAME URL PID SECONDS: polls until URL answers any HTTP status (curl exit 0).
wait_http() {
  local name=$1 url=$2 pid=$3 secs=$4
  local deadline=$((SECONDS + secs))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || { echo "with-emulators: $name exited early:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
    if timeout 2 curl -s -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "with-emulators: $name not ready after ${secs}s" >&2; tail -20 "$work/$name.log" >&2; exit 1
}

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 FK_AWS_EMULATORS=1
unset AWS_SESSION_TOKEN AWS_PROFILE
started=$EPOCHREALTIME

if wants dynamodb; then
  port=$(free_port)
  (cd "$deps/dynamodb-local" && exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
      -inMemory -sharedDb -disableTelemetry -port "$port") >"$work/dynamodb.log" 2>&1 &
  pids+=($!); ddb_pid=$!
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
fi
s3_impl="${FK_EMU_S3:-fauxqs}"
if wants s3 && [ "$s3_impl" = s3rver ]; then
  port=$(free_port)
  mkdir -p "$work/s3"
  node "$deps/node_modules/s3rver/bin/s3rver.js" -a 127.0.0.1 -p "$port" -d "$work/s3" --silent \
      >"$work/s3.log" 2>&1 &
  pids+=($!); s3_pid=$!
  export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port"
fi
if wants sqs || { wants s3 && [ "$s3_impl" != s3rver ]; }; then
  port=$(free_port)
  node "$here/fauxqs-server.mjs" "$deps/node_modules" "$port" >"$work/fauxqs.log" 2>&1 &
  pids+=($!); fauxqs_pid=$!
  wants sqs && export AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$port"
  wants s3 && [ "$s3_impl" != s3rver ] && export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port"
  wait_http fauxqs "http://127.0.0.1:$port/" "$fauxqs_pid" 20
fi
[ -n "${s3_pid:-}" ] && wait_http s3 "$AWS_ENDPOINT_URL_S3/" "$s3_pid" 20
wants dynamodb && wait_http dynamodb "$AWS_ENDPOINT_URL_DYNAMODB/" "$ddb_pid" 60
echo "with-emulators: ready in $(( (${EPOCHREALTIME/./} - ${started/./}) / 1000 )) ms" \
     "(dynamodb=${AWS_ENDPOINT_URL_DYNAMODB:-off} s3=${AWS_ENDPOINT_URL_S3:-off} sqs=${AWS_ENDPOINT_URL_SQS:-off})" >&2

set +e
"$@"
rc=$?
set -e
exit $rc
