# ZooKeeper-paper style read-heavy mix: 90% get, 10% set, 1 KiB, 16 clients.
name = read-90-10
get = 90
set = 10
value_size = 1024
keys = 64
clients = 16
seconds = 5
