# ZooKeeper's "service latency" script (the zk-latencies idea): one synchronous client walks a
# set of znodes through create, set, get, delete, then ephemeral create, and for every
# ephemeral arms a data watch from a second session and deletes it (watch-fire: delete issued
# -> the watcher's callback). Per-phase p50/p99/p99.9 and ops/s.
name = service-latency
script = service-latency
znodes = 1000
quick_znodes = 100
value_size = 100
clients = 1
