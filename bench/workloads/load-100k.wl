# 100k-znode load: create 100,000 znodes (100 parents x 1000 children, 16-byte values,
# 13-15-char names), pipelined (async creates) from 4 sessions. Reports create rate, RSS per znode
# of the server process (FaaSKeeper deployment vs ZooKeeper JVM, VmRSS before/after), disk per
# znode, and the start-up time of each server restarted on the data directory holding them.
# --quick uses quick_znodes.
name = load-100k
script = load
znodes = 100000
quick_znodes = 2000
parents = 100
value_size = 16
clients = 4
