#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the local deployment in the background
# on ./.faaskeeper-data (or $FAASKEEPER_DATA), runs the multi-process demo against it (leader
# election + configuration, with a crashed leader), and leaves the deployment running for your
# own clients. Arguments are passed to `faaskeeper demo` (e.g. --members 6).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target faaskeeper

FK_REL=build/release/tools/faaskeeper/faaskeeper
FK="$PWD/$FK_REL"
DATA="${FAASKEEPER_DATA:-$PWD/.faaskeeper-data}"
LOG="$DATA.log"
export FAASKEEPER_DATA="$DATA"

if "$FK" ls / --timeout 3000 >/dev/null 2>&1; then
  echo "== a deployment already serves $DATA: using it"
else
  echo "== starting the local deployment: faaskeeper local --data $DATA   (log: $LOG)"
  setsid "$FK" local --data "$DATA" >"$LOG" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 300); do
    grep -q "client endpoint:" "$LOG" 2>/dev/null && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the deployment did not start:"; cat "$LOG"; exit 1
    fi
    sleep 0.1
  done
  if ! grep -q "client endpoint:" "$LOG"; then
    echo "the deployment did not come up within 30 s:"; cat "$LOG"; exit 1
  fi
  sed 's/^/   | /' "$LOG"
fi
echo

"$FK" demo --data "$DATA" --members 4 "$@"

pid=$(tr -d '[:space:]' <"$DATA/LOCK" 2>/dev/null || true)
address=$(cat "$DATA/endpoint" 2>/dev/null || true)
zk_line=$(grep -o "ZooKeeper gateway: [0-9.:]*" "$LOG" 2>/dev/null | tail -1 || true)
zk_note="   Unmodified ZooKeeper clients (zkCli, kazoo, Curator, the C client): ${zk_line:-no gateway running (see $LOG)}"
default_note=""
[ "$DATA" = "$PWD/.faaskeeper-data" ] || default_note="   (outside the repository root, or for another DIR, add --data $DATA or export FAASKEEPER_DATA=$DATA)"
cat <<EOF

== The deployment keeps running in the background: pid $pid, data in $DATA,
   client endpoint $address, log in $LOG.
   Use it with the zkCli-style verbs (each has --help), from the repository root:

     $FK_REL create /app "hello"
     $FK_REL get -s /app
     $FK_REL set -v 0 /app "world"          # fails with BADVERSION unless the version matches
     $FK_REL create -s /app/task- "job"     # sequential: /app/task-0000000000
     $FK_REL ls /app
     $FK_REL stat /app
     $FK_REL delete /app/task-0000000000
     $FK_REL get /app --server $address    # through the endpoint, as a remote client would
$default_note
$zk_note
   Your own programs: link the native client (include/faaskeeper/client.h) with
   faaskeeper::LocalTransport::open("$DATA") (src/client/local_transport.h); docs/local.md.

   Stop it:   $FK_REL stop --data $DATA   (SIGTERM; or: kill $pid)
   Restart:   scripts/run.sh, or $FK_REL local --data $DATA   (the data is kept)
EOF
