"""Helpers for the lab tests: run bounded listeners and clients inside lab namespaces."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

ECHO_SERVER = r"""
import socket, sys, time
port, life = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", port)); s.listen(16)
end = time.monotonic() + life
served = 0
while time.monotonic() < end and served < 200:
    s.settimeout(max(0.1, end - time.monotonic()))
    try:
        c, _ = s.accept()
    except OSError:
        break
    served += 1
    c.settimeout(5)
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            c.sendall(d)
    except OSError:
        pass
    c.close()
"""

CLIENT = r"""
import json, socket, sys, time
host, port, rounds, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
out = {"ok": False, "error": None, "rtt_ms": []}
try:
    with socket.create_connection((host, port), timeout=timeout) as c:
        for i in range(rounds):
            t = time.monotonic()
            c.sendall(b"ping%03d" % i)
            got = b""
            while len(got) < 7:
                d = c.recv(64)
                if not d:
                    raise OSError("closed")
                got += d
            out["rtt_ms"].append((time.monotonic() - t) * 1000)
        out["ok"] = True
except socket.timeout:
    out["error"] = "timeout"
except OSError as e:
    out["error"] = type(e).__name__ + ": " + str(e)
print(json.dumps(out))
"""


class EchoServer:
    """A bounded echo server on [::]:port (dual stack) inside a namespace; a context manager."""

    def __init__(self, netns: str, port: int, life_s: float = 120) -> None:
        self.netns, self.port, self.life = netns, port, life_s
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> EchoServer:
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.netns, sys.executable, "-c", ECHO_SERVER,
                                      str(self.port), str(self.life)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = subprocess.run(["ip", "netns", "exec", self.netns, "ss", "-Htln", f"sport = :{self.port}"],
                                 capture_output=True, text=True, check=False).stdout
            if "LISTEN" in out:
                return self
            time.sleep(0.05)
        raise AssertionError(f"echo server in {self.netns} did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def connect(netns: str, host: str, port: int, rounds: int = 1, timeout: float = 2.0) -> dict[str, Any]:
    """Connect from inside `netns`; send/receive `rounds` echoes. {"ok", "error", "rtt_ms": [...]}."""
    out = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", CLIENT, host, str(port),
                          str(rounds), str(timeout)], capture_output=True, text=True, timeout=60, check=False)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def host_by_name(lab: dict[str, Any], name: str) -> dict[str, Any]:
    return next(h for h in lab["hosts"] if h["name"] == name)


def nft_denied_count(netns: str, table: str) -> int:
    """Packets counted by the `denied` counter of the forward chain."""
    out = subprocess.run(["ip", "netns", "exec", netns, "nft", "-j", "list", "chain", "inet", table,
                          "forward"],
                         capture_output=True, text=True, check=True).stdout
    total = 0
    for item in json.loads(out)["nftables"]:
        rule = item.get("rule")
        if rule and rule.get("comment") == "denied":
            for expr in rule["expr"]:
                if "counter" in expr:
                    total += int(expr["counter"]["packets"])
    return total
