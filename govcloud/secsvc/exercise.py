"""A bounded security exercise on a running lab (安全演练, used by `make demo`).

Generates one of each incident the security services must see, and prints what happened:
an operator session through the bastion, SSH straight to a database host from the portal host
(dropped at the boundary, IDS alert), a 40-port scan across a boundary, a SQL injection and an XSS
sent at the portal (403 from the WAF). Traffic stays inside the lab's namespaces; every loop is
bounded. Usage: python -m govcloud.secsvc.exercise --stack lab [--json]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
from typing import Any

from govcloud.lab import naming, sh
from govcloud.lab.spec import build_spec
from govcloud.secsvc.bastion_client import route
from govcloud.secsvc.layout import build_layout
from govcloud.secsvc.store import lab_plan

CONNECT = r"""
import json, socket, sys
out = []
for addr, port, timeout in json.loads(sys.argv[1]):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.settimeout(timeout)
    try:
        s.connect((addr, port)); out.append("open")
    except ConnectionRefusedError:
        out.append("refused")
    except OSError as exc:
        out.append(type(exc).__name__)
    finally:
        s.close()
print(json.dumps(out))
"""

HTTP = r"""
import json, socket, ssl, sys, http.client
addr, name, ca, paths = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
codes = []
for path in paths:
    conn = http.client.HTTPSConnection(name, 443, context=ctx, timeout=10)
    conn.sock = ctx.wrap_socket(socket.create_connection((addr, 443), timeout=10), server_hostname=name)
    conn.request("GET", path, headers={"Host": name, "User-Agent": "govcloud-exercise"})
    codes.append(conn.getresponse().status)
    conn.close()
print(json.dumps(codes))
"""


def _in(netns: str, code: str, *args: str, timeout: float = 60) -> Any:
    return json.loads(sh.run(sh.nsexec(netns, sys.executable, "-c", code, *args), timeout=timeout))


def run(stack: str) -> dict[str, Any]:
    plan = lab_plan(stack)
    spec = build_spec(plan, stack)
    layout = build_layout(spec)
    out: dict[str, Any] = {"stack": stack}
    db = next((h for h in spec.hosts if h.role == "db"), None)
    app = next((h for h in spec.hosts if h.role == "app"), None)
    if db is not None:
        r = route(stack, db.name, ["hostname"])
        proc = subprocess.run(r.argv, capture_output=True, text=True, timeout=60, check=False)
        out["bastion_session"] = {"target": db.name, "via": r.bastion, "rc": proc.returncode,
                                  "output": proc.stdout.strip()}
    if app is not None and db is not None:
        jobs = [(db.ipv4, 22, 1.5), (db.ipv6, 22, 1.5)]
        out["ssh_bypassing_the_bastion"] = {"from": app.name, "to": db.name,
                                            "result": _in(naming.host_netns(stack, app.name), CONNECT,
                                                          json.dumps(jobs))}
    collector = layout.provider("log-audit", app.centre) if app else None
    if app is not None and collector is not None:
        jobs = [(collector.ipv4, p, 0.2) for p in range(20000, 20040)]
        res = _in(naming.host_netns(stack, app.name), CONNECT, json.dumps(jobs))
        out["port_scan"] = {"from": app.name, "to": collector.name, "ports": len(jobs),
                            "open": res.count("open")}
    waf = next(iter(layout.by_kind.get("waf", {}).values()), None)
    if waf is not None:
        ca = str(naming.state_dir(stack) / "pki" / "ca.pem")
        paths = ["/", "/?id=1%27%20OR%20%271%27=%271", "/?q=%3Cscript%3Ealert(1)%3C/script%3E"]
        codes = _in(naming.host_netns(stack, waf.name), HTTP, waf.ipv4, waf.name, ca, json.dumps(paths))
        out["waf"] = dict(zip(["portal", "sql_injection", "xss"], codes, strict=True))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stack", default="lab")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.stack)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    s = result.get("bastion_session")
    if s:
        print(f"堡垒机会话 bastion session -> {s['target']} via {s['via']}: rc {s['rc']}, {s['output']}")
    b = result.get("ssh_bypassing_the_bastion")
    if b:
        print(f"绕过堡垒机 SSH {b['from']} -> {b['to']} (IPv4, IPv6): {', '.join(b['result'])}")
    p = result.get("port_scan")
    if p:
        print(f"端口扫描 port scan {p['from']} -> {p['to']}: {p['ports']} ports, {p['open']} open")
    w = result.get("waf")
    if w:
        print(f"WAF: portal {w['portal']}, SQL injection {w['sql_injection']}, XSS {w['xss']}")
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())
