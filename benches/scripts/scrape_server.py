"""The scrape workload of `cargo xtask bench` for the Python client.

`python scrape_server.py <port> [--series N]` serves one counter family with
the labels `method` and `path` and N children (10,000 by default) through
prometheus_client's `start_http_server` on http://127.0.0.1:<port>/metrics,
while two threads increment the children round-robin as fast as they can.
It prints `ready` once the endpoint accepts connections and then runs until
it is killed: the same program as `benches/src/bin/scrape_server.rs`.
"""

import argparse
import socket
import sys
import threading
import time

from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, start_http_server

METHODS = ["GET", "POST", "PUT", "DELETE"]
UPDATERS = 2


def update_forever(children, start):
    n = len(children)
    i = start
    while True:
        children[i].inc()
        i += 1
        if i == n:
            i = 0


def wait_until_accepting(port):
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--series", type=int, default=10_000)
    args = parser.parse_args()

    # The Rust servers expose no `_created` series; neither does this one, so
    # every server sends the same samples.
    disable_created_metrics()
    # A registry of its own, without the default process and platform
    # collectors, for the same reason.
    registry = CollectorRegistry()
    family = Counter("http_requests", "Requests served.", ["method", "path"], registry=registry)
    children = []
    for i in range(args.series):
        child = family.labels(METHODS[i % 4], f"/api/v1/resource/{i}")
        child.inc()
        children.append(child)

    start_http_server(args.port, addr="127.0.0.1", registry=registry)
    updaters = [
        threading.Thread(target=update_forever, args=(children, t * len(children) // UPDATERS), daemon=True)
        for t in range(UPDATERS)
    ]
    for updater in updaters:
        updater.start()
    wait_until_accepting(args.port)
    print("ready", flush=True)
    for updater in updaters:
        updater.join()


if __name__ == "__main__":
    sys.exit(main())
