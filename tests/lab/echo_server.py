#!/usr/bin/env python3
"""A TCP echo server for the connection lab tests (tests/_lab_connect_scenario.mjs).

Listens on PORT at each ADDRESS (IPv6 or IPv4), prints "ready" once all
listen, then for each connection one JSON line, {"peer": ..., "local": ...},
and sends back every byte it gets until the client closes. Ends on SIGTERM
or when stdin closes.

Usage (inside a lab namespace): echo_server.py PORT ADDRESS [ADDRESS...]
"""
import json
import selectors
import socket
import sys

PORT = int(sys.argv[1])
ADDRESSES = sys.argv[2:]

selector = selectors.DefaultSelector()
for address in ADDRESSES:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, PORT))
    server.listen(64)
    server.setblocking(False)
    selector.register(server, selectors.EVENT_READ, "listen")
selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
print("ready", flush=True)

while True:
    for key, _ in selector.select():
        if key.data == "stdin":
            if not sys.stdin.readline():
                sys.exit(0)
        elif key.data == "listen":
            connection, peer = key.fileobj.accept()
            connection.setblocking(False)
            local = connection.getsockname()
            print(json.dumps({"peer": peer[0], "local": local[0]}), flush=True)
            selector.register(connection, selectors.EVENT_READ, "echo")
        else:
            connection = key.fileobj
            try:
                data = connection.recv(65536)
            except OSError:
                data = b""
            if data:
                connection.sendall(data)
            else:
                selector.unregister(connection)
                connection.close()
