# 50% get, 50% set, 1 KiB, 16 clients.
name = mixed-50-50
get = 50
set = 50
value_size = 1024
keys = 64
clients = 16
seconds = 5
