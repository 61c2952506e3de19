"""SSH ProxyCommand: connect stdin/stdout to HOST:PORT. Run it inside the lab's ops namespace:

    ProxyCommand ip netns exec gc-<stack>-oob python -m govcloud.lab.nsproxy %h %p

so ssh, Ansible and testinfra on the machine reach lab hosts without any route in the root namespace.
"""

from __future__ import annotations

import os
import selectors
import socket
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m govcloud.lab.nsproxy HOST PORT", file=sys.stderr)
        return 2
    host, port = args[0].strip("[]"), int(args[1])
    try:
        sock = socket.create_connection((host, port), timeout=10)
    except OSError as exc:
        print(f"nsproxy: cannot connect to {host}:{port}: {exc}", file=sys.stderr)
        return 1
    sock.settimeout(None)
    sel = selectors.DefaultSelector()
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    sel.register(stdin, selectors.EVENT_READ, "in")
    sel.register(sock, selectors.EVENT_READ, "sock")
    open_ends = 2
    while open_ends:
        for key, _ in sel.select():
            if key.data == "in":
                data = os.read(stdin, 65536)
                if not data:
                    sel.unregister(stdin)
                    open_ends -= 1
                    sock.shutdown(socket.SHUT_WR)
                else:
                    sock.sendall(data)
            else:
                data = sock.recv(65536)
                if not data:
                    return 0
                os.write(stdout, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
