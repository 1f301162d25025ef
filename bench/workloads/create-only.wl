# W100 create-only (each create a fresh node), 1 KiB, 16 clients.
name = create-only
create = 100
value_size = 1024
clients = 16
seconds = 5
