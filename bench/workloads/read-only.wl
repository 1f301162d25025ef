# 100% reads of 1 KiB values, 16 clients.
name = read-only
get = 100
value_size = 1024
keys = 64
clients = 16
seconds = 5
