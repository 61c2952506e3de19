#!/usr/bin/env python3
"""Benchmark of the lab's security services (安全服务基准): log pipeline and WAF; prints JSON.

    sudo .venv/bin/python bench/secsvc_bench.py                      # own lab, both parts
    sudo .venv/bin/python bench/secsvc_bench.py --stack b123         # a lab that is already up
    sudo .venv/bin/python bench/secsvc_bench.py --skip-waf --steps 500,1000,2000

Log pipeline (日志审计): in each of prod-app-1, prod-db-1 and samecity-db-1 a bounded writer
(the host's own python3, run inside the host with nsenter + chroot) sends syslog datagrams to
/dev/log at a fixed rate for --duration seconds, from --procs processes per host; every message
carries the run id, step, writer process, sequence number and write time. The hosts' rsyslogd
forward over mutual TLS to the collector (prod-log-audit-1). After each step the bench waits for
the stream to drain (until all arrived, no progress for --stall seconds, or --drain seconds) and
counts the distinct (process, sequence) pairs stored per host; the delay is Event.delay_s
(stored - reported, both stamped by rsyslog) of the bench's own records. The total rate steps up
through --steps and stops after the first step with loss or with writers short of the target
rate. Before the steps, a probe sends 1,000 messages in 1 s from ONE process to see whether
imuxsock's per-process rate limiter is on (the limiter counts per sending PID).

WAF (Web应用防火墙): requests per second through prod-waf-1's nginx + ModSecurity v3 + OWASP CRS
(port 443, the lab's own instance) vs a second nginx on the same host without ModSecurity
(waf_conf.nginx(..., waf=False, port=8443), same portal upstream, same certificate), plus the
same pair serving the static page itself (no upstream: 8444 with WAF, 8445 without), isolating
ModSecurity's own cost. Client: a python process with --conns forked keep-alive HTTPS
connections, run in prod-waf-1's network namespace, TLS verified against the lab CA with SNI and
Host prod-waf-1; --waf-duration seconds per run, --runs runs, median. Also the rps of a blocked
SQL-injection request (expected 403) through the WAF.

Every load is bounded in message count (at most 400,000 log messages per run) and time. A warm-up
(10 messages per host, until they arrive) runs first: a fresh lab's TLS sessions may still connect.
The lab is brought up (stack b<pid>) and down by the bench unless --stack names a running one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from govcloud.lab import naming  # noqa: E402
from govcloud.secsvc import process, rsyslog_conf, store, waf_conf  # noqa: E402

LOG_HOSTS = ("prod-app-1", "prod-db-1", "samecity-db-1")
WAF_HOST = "prod-waf-1"
WAF_ADDR = "198.18.5.10"
ATTACK_PATH = "/?id=1%27%20OR%20%271%27%3D%271"  # id=1' OR '1'='1
MAX_MESSAGES = 400_000

# Shared by the forked load scripts below: read each child's JSON result, then reap the children.
GATHER = r'''
import json, os
def gather(pipes):
    results = []
    for r in pipes:
        data = b""
        while True:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            data += chunk
        results.append(json.loads(data))
    for _ in pipes:
        os.wait()
    return results
'''

# Runs inside a lab host (Debian's python3). argv: run host rate_total duration procs
WRITER = GATHER + r'''
import json, os, socket, sys, time
run, host = sys.argv[1], sys.argv[2]
rate, dur, procs = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
per = rate / procs
n = int(round(per * dur))
start = time.time() + 0.3
pipes = []
for k in range(procs):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.connect("/dev/log")
        head = "<134>gcbench[%d]: GCB %s %s %d " % (os.getpid(), run, host, k)
        while time.time() < start:
            time.sleep(0.005)
        t0 = time.time()
        hard = t0 + dur * 1.5 + 2
        sent = 0
        while sent < n:
            now = time.time()
            if now > hard:
                break
            due = min(n, int((now - t0) * per) + 1)
            while sent < due:
                s.send(("%s%d %.6f" % (head, sent, time.time())).encode())
                sent += 1
            time.sleep(0.001)
        t1 = time.time()
        os.write(w, json.dumps({"k": k, "sent": sent, "s": t1 - t0}).encode())
        os._exit(0)
    os.close(w)
    pipes.append(r)
out = gather(pipes)
print(json.dumps({"host": host, "planned": n * procs, "writers": out}))
'''

# Runs in prod-waf-1's network namespace with the bench's python. argv: addr port path sni ca conns duration
CLIENT = GATHER + r'''
import http.client, json, os, socket, ssl, sys, time
addr, port, path, sni, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
conns, dur = int(sys.argv[6]), float(sys.argv[7])
HEADERS = {"Host": sni, "User-Agent": "govcloud-bench/1", "Accept": "*/*"}
class C(http.client.HTTPConnection):
    def connect(self):
        ctx = ssl.create_default_context(cafile=ca)
        self.sock = ctx.wrap_socket(socket.create_connection((addr, port), timeout=10), server_hostname=sni)
pipes = []
start = time.time() + 0.2
for k in range(conns):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        statuses, lat, opens, errors = {}, [], 0, 0
        c = C(addr, port, timeout=10)
        while time.time() < start:
            time.sleep(0.005)
        end = start + dur
        while True:
            t = time.time()
            if t >= end:
                break
            try:
                if c.sock is None:
                    opens += 1
                c.request("GET", path, headers=HEADERS)
                resp = c.getresponse()
                resp.read()
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
                lat.append(time.time() - t)
                if resp.will_close:
                    c.close()
            except Exception:
                errors += 1
                c.close()
                time.sleep(0.01)
        lat.sort()
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else None
        os.write(w, json.dumps({"n": len(lat), "statuses": statuses, "opens": opens, "errors": errors,
                                "p50": q(0.5), "p99": q(0.99)}).encode())
        os._exit(0)
    os.close(w)
    pipes.append(r)
res = gather(pipes)
n = sum(x["n"] for x in res)
st = {}
for x in res:
    for code, cnt in x["statuses"].items():
        st[code] = st.get(code, 0) + cnt
p50s = sorted(x["p50"] * 1000 for x in res if x["p50"] is not None)
p99s = [x["p99"] * 1000 for x in res if x["p99"] is not None]
print(json.dumps({"requests": n, "rps": n / dur, "statuses": st,
                  "connections_opened": sum(x["opens"] for x in res), "errors": sum(x["errors"] for x in res),
                  "latency_p50_ms_median_conn": p50s[len(p50s) // 2] if p50s else None,
                  "latency_p99_ms_max_conn": max(p99s) if p99s else None}))
'''


def _govcloud(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    exe = REPO / ".venv" / "bin" / "govcloud"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "govcloud"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          check=False)


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kernel": platform.release(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))], 4)


class Tail:
    """New bench records at the collector, per host, read incrementally from the store files."""

    def __init__(self, stack: str) -> None:
        roots = store.collector_roots(stack)
        self.collector, self.root = next(iter(sorted(roots.items())))
        self.offsets: dict[Path, int] = {}
        self.per_run: dict[str, set[tuple[str, int, int]]] = {}  # every bench record ever seen, by run id
        for path in self.root.glob("*/*/syslog.log"):  # skip everything stored before the bench
            self.offsets[path] = path.stat().st_size

    def read(self) -> list[store.Event]:
        found: list[store.Event] = []
        for path in sorted(self.root.glob("*/*/syslog.log")):
            off = self.offsets.get(path, 0)
            size = path.stat().st_size
            if size <= off:
                continue
            with path.open("rb") as fh:
                fh.seek(off)
                data = fh.read(size - off)
            cut = data.rfind(b"\n") + 1
            self.offsets[path] = off + cut
            for raw in data[:cut].decode("utf-8", errors="replace").splitlines():
                if " GCB " in raw or "rate-limit" in raw or "ratelimit" in raw:
                    ev = store.parse_line(raw, self.collector)
                    if ev is not None:
                        found.append(ev)
                        parts = ev.message.split()
                        if len(parts) >= 6 and parts[0] == "GCB":
                            key = (parts[2], int(parts[3]), int(parts[4]))
                            self.per_run.setdefault(parts[1], set()).add(key)
        return found


def _run_writers(stack: str, run: str, hosts: tuple[str, ...], *, rate_total: float, duration: float,
                 procs: int) -> dict[str, Any]:
    per_host = rate_total / len(hosts)
    popens = {
        h: subprocess.Popen(
            process.enter(stack, h, "python3", "-c", WRITER, run, h, str(per_host), str(duration),
                          str(procs)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for h in hosts
    }
    out: dict[str, Any] = {}
    for h, p in popens.items():
        try:
            so, se = p.communicate(timeout=duration * 2 + 60)
        except subprocess.TimeoutExpired:
            p.kill()
            so, se = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"writer on {h} failed: {se[-1500:]}")
        out[h] = json.loads(so.strip().splitlines()[-1])
    return out


def _step(stack: str, tail: Tail, run: str, hosts: tuple[str, ...], *, rate_total: float, duration: float,
          procs: int, drain_s: float, stall_s: float) -> dict[str, Any]:
    t_start = time.time()
    writers = _run_writers(stack, run, hosts, rate_total=rate_total, duration=duration, procs=procs)
    t_written = time.time()
    sent = {h: {w["k"]: w["sent"] for w in writers[h]["writers"]} for h in hosts}
    expected = {h: sum(sent[h].values()) for h in hosts}
    seen: dict[str, set[tuple[int, int]]] = {h: set() for h in hosts}
    dups = 0
    delays: list[float] = []
    write_to_store: list[float] = []
    first_stored: dt.datetime | None = None
    last_stored: dt.datetime | None = None
    ratelimit_notes: list[str] = []
    last_progress = time.time()
    while True:
        got = 0
        for ev in tail.read():
            parts = ev.message.split()
            if len(parts) < 6 or parts[0] != "GCB" or parts[1] != run:
                if "rate" in ev.message and "limit" in ev.message:
                    ratelimit_notes.append(f"{ev.host} {ev.tag} {ev.message[:200]}")
                continue
            host, k, i, t_write = parts[2], int(parts[3]), int(parts[4]), float(parts[5])
            if host not in seen:
                continue
            key = (k, i)
            if key in seen[host]:
                dups += 1
                continue
            seen[host].add(key)
            got += 1
            delays.append(ev.delay_s)
            write_to_store.append(ev.stored.timestamp() - t_write)
            first_stored = ev.stored if first_stored is None or ev.stored < first_stored else first_stored
            last_stored = ev.stored if last_stored is None or ev.stored > last_stored else last_stored
        now = time.time()
        if got:
            last_progress = now
        if all(len(seen[h]) >= expected[h] for h in hosts):
            break
        if now - t_written > drain_s or now - last_progress > stall_s:
            break
        time.sleep(0.5)
    arrived = {h: sum(1 for k, i in seen[h] if i < sent[h].get(k, 0)) for h in hosts}
    total_sent = sum(expected.values())
    total_arrived = sum(arrived.values())
    write_s = max(w["s"] for h in hosts for w in writers[h]["writers"])
    span = (last_stored - first_stored).total_seconds() if first_stored and last_stored else 0.0
    return {
        "target_eps_total": rate_total,
        "duration_s": duration,
        "procs_per_host": procs,
        "sent": expected,
        "sent_total": total_sent,
        "achieved_write_eps_total": round(total_sent / write_s, 1) if write_s else None,
        "arrived": arrived,
        "arrived_total": total_arrived,
        "arrived_pct": round(100.0 * total_arrived / total_sent, 3) if total_sent else None,
        "duplicates": dups,
        "stored_eps_total": round(total_arrived / span, 1) if span > 0 else None,
        "drain_after_writers_s": round((last_stored.timestamp() - t_written), 2) if last_stored else None,
        "step_wall_s": round(time.time() - t_start, 2),
        "delay_s": {"p50": _pct(delays, 0.50), "p95": _pct(delays, 0.95), "p99": _pct(delays, 0.99),
                    "max": round(max(delays), 4) if delays else None},
        "write_to_store_s": {"p50": _pct(write_to_store, 0.50), "p99": _pct(write_to_store, 0.99),
                             "max": round(max(write_to_store), 4) if write_to_store else None},
        "ratelimit_messages": ratelimit_notes[:5],
    }


def bench_logs(stack: str, args: argparse.Namespace) -> dict[str, Any]:
    tail = Tail(stack)
    run_id = f"r{os.getpid()}t{int(time.time())}"
    conf = process.rootfs(stack, LOG_HOSTS[0]) / rsyslog_conf.CONF.lstrip("/")
    conf_text = conf.read_text(encoding="utf-8")
    result: dict[str, Any] = {
        "hosts": list(LOG_HOSTS),
        "collector": tail.collector,
        "imuxsock_config": [ln.strip() for ln in conf_text.splitlines() if "imuxsock" in ln],
        "imuxsock_ratelimit_configured": bool(re.search(r"ratelimit", conf_text, re.IGNORECASE)),
    }
    # Warm-up: the forwarders' TLS sessions of a freshly started lab may still be connecting.
    warm: list[dict[str, Any]] = []
    for attempt in range(4):
        w = _step(stack, tail, f"{run_id}w{attempt}", LOG_HOSTS, rate_total=30, duration=1.0, procs=1,
                  drain_s=30, stall_s=30)
        warm.append({"arrived_pct": w["arrived_pct"], "delay_max_s": w["delay_s"]["max"],
                     "step_wall_s": w["step_wall_s"]})
        if w["arrived_total"] == w["sent_total"] and (w["delay_s"]["max"] or 0) < 1.0:
            break
    result["warmup"] = warm
    # Probe: one process, 1,000 messages in 1 s. With the historic default limiter (200 per 5 s per
    # process) about 200 would arrive and rsyslogd would report "begins to drop messages".
    probe = _step(stack, tail, f"{run_id}p", (LOG_HOSTS[0],), rate_total=1000, duration=1.0, procs=1,
                  drain_s=args.drain, stall_s=args.stall)
    result["ratelimit_probe"] = {
        "host": LOG_HOSTS[0], "procs": 1, "sent": probe["sent_total"], "arrived": probe["arrived_total"],
        "limiter_active": probe["arrived_total"] < probe["sent_total"] or bool(probe["ratelimit_messages"]),
        "rsyslog_messages": probe["ratelimit_messages"],
    }
    steps: list[dict[str, Any]] = []
    budget = MAX_MESSAGES
    for idx, rate in enumerate(float(x) for x in args.steps.split(",")):
        if rate * args.duration > budget:
            steps.append({"target_eps_total": rate, "skipped": f"over the message budget ({MAX_MESSAGES})"})
            break
        budget -= int(rate * args.duration)
        st = _step(stack, tail, f"{run_id}s{idx}", LOG_HOSTS, rate_total=rate, duration=args.duration,
                   procs=args.procs, drain_s=args.drain, stall_s=args.stall)
        st["run_id"] = f"{run_id}s{idx}"
        st["lossless"] = st["arrived_total"] == st["sent_total"]
        st["writers_on_target"] = (st["achieved_write_eps_total"] or 0) >= 0.9 * rate
        print(f"log step {rate:.0f} eps: {st['arrived_pct']} % arrived, delay p99 {st['delay_s']['p99']} s",
              file=sys.stderr)
        steps.append(st)
        if not (st["lossless"] and st["writers_on_target"]):
            break
    # Late arrivals: records of a step stored after its drain window ended (read once more, after 5 s).
    time.sleep(5)
    tail.read()
    result["ratelimit_probe"]["arrived_by_end"] = len(tail.per_run.get(f"{run_id}p", ()))
    for st in steps:
        if "run_id" in st:
            st["arrived_by_end_of_bench"] = len(tail.per_run.get(st["run_id"], ()))
    result["steps"] = steps
    clean = [s for s in steps if s.get("lossless") and s.get("writers_on_target")]
    result["highest_lossless_step_eps"] = clean[-1]["target_eps_total"] if clean else None
    result["highest_lossless_stored_eps"] = clean[-1]["stored_eps_total"] if clean else None
    result["stopped_because"] = (
        "all steps clean" if len(clean) == len([s for s in steps if "skipped" not in s]) and clean
        else "loss or writers short of target at the last step"
    )
    return result


def _tree_cpu_s(root_pid: int | None) -> float:
    """User + system CPU seconds of a process and all its descendants (from /proc)."""
    if root_pid is None:
        return 0.0
    stats: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total, grew = {root_pid}, 0.0, True
    while grew:
        grew = False
        for pid, (ppid, _cpu) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def _client(stack: str, port: int, path: str, args: argparse.Namespace, duration: float) -> dict[str, Any]:
    ca = naming.state_dir(stack) / "pki" / "ca.pem"
    cmd = ["ip", "netns", "exec", naming.host_netns(stack, WAF_HOST), sys.executable, "-c", CLIENT,
           WAF_ADDR, str(port), path, WAF_HOST, str(ca), str(args.conns), str(duration)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"client failed: {done.stderr[-1500:]}")
    res: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return res


def _extra_nginx(stack: str, name: str, conf_path: str, text: str, port: int) -> None:
    root = process.rootfs(stack, WAF_HOST)
    text = text.replace("pid /run/govcloud-nginx.pid;", f"pid /run/{name}.pid;")
    process.write(root, conf_path, text)
    process.run(stack, WAF_HOST, "nginx", "-t", "-q", "-c", conf_path, timeout=60)
    process.stop(stack, WAF_HOST, name)
    process.spawn(stack, WAF_HOST, name, "nginx", "-c", conf_path, "-g", "daemon off;")
    process.wait_port(stack, WAF_HOST, port, name=name, timeout_s=60)


def bench_waf(stack: str, args: argparse.Namespace) -> dict[str, Any]:
    root = process.rootfs(stack, WAF_HOST)
    main_conf = (root / waf_conf.NGINX_CONF.lstrip("/")).read_text(encoding="utf-8")
    m_pass = re.search(r"proxy_pass (\S+);", main_conf)
    m_name = re.search(r"proxy_ssl_name (\S+);", main_conf)
    upstream = (m_pass.group(1), m_name.group(1)) if m_pass and m_name else None
    extras = {  # name: (port, upstream, waf)
        "nginx-bench-8443": (8443, upstream, False),
        "nginx-bench-8444": (8444, None, True),
        "nginx-bench-8445": (8445, None, False),
    }
    result: dict[str, Any] = {"upstream": upstream[0] if upstream else None,
                              "portal": upstream[1] if upstream else None,
                              "conns": args.conns, "duration_s": args.waf_duration, "runs": args.runs}
    try:
        for name, (port, up, waf) in extras.items():
            conf = waf_conf.nginx(WAF_HOST, up, waf=waf, port=port)
            _extra_nginx(stack, name, f"/etc/govcloud/{name}.conf", conf, port)
        configs = {
            "portal_waf": (waf_conf.PORTAL_PORT, "/"),
            "portal_nowaf": (8443, "/"),
            "static_waf": (8444, "/"),
            "static_nowaf": (8445, "/"),
            "attack_waf": (waf_conf.PORTAL_PORT, ATTACK_PATH),
        }
        checks = {k: _client(stack, port, path, args, 1.0)["statuses"] for k, (port, path) in configs.items()}
        result["smoke_statuses"] = checks
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in configs}
        server = {"portal_waf": "nginx", "portal_nowaf": "nginx-bench-8443", "static_waf": "nginx-bench-8444",
                  "static_nowaf": "nginx-bench-8445", "attack_waf": "nginx"}
        portal_host = upstream[1] if upstream else None
        for _ in range(args.runs):  # interleaved, so drift in the machine's load hits every config alike
            for k, (port, path) in configs.items():
                ngx = process.pid_of(stack, WAF_HOST, server[k])
                app = process.pid_of(stack, portal_host, "portal") if portal_host else None
                c0, a0 = _tree_cpu_s(ngx), _tree_cpu_s(app)
                res = _client(stack, port, path, args, args.waf_duration)
                c1, a1 = _tree_cpu_s(ngx), _tree_cpu_s(app)
                n = max(res["requests"], 1)
                res["nginx_cpu_ms_per_request"] = round(1000 * (c1 - c0) / n, 3)
                res["portal_cpu_ms_per_request"] = round(1000 * (a1 - a0) / n, 3)
                runs[k].append(res)
                print(f"waf {k}: {runs[k][-1]['rps']:.0f} rps {runs[k][-1]['statuses']}", file=sys.stderr)
        summary: dict[str, Any] = {}
        for k, rs in runs.items():
            summary[k] = {
                "rps_median": round(statistics.median(r["rps"] for r in rs), 1),
                "rps_runs": [round(r["rps"], 1) for r in rs],
                "statuses": [r["statuses"] for r in rs],
                "latency_p50_ms": round(statistics.median(r["latency_p50_ms_median_conn"] or 0
                                                          for r in rs), 2),
                "latency_p99_ms_max": round(max(r["latency_p99_ms_max_conn"] or 0 for r in rs), 2),
                "errors": sum(r["errors"] for r in rs),
                "connections_opened": sum(r["connections_opened"] for r in rs),
                "nginx_cpu_ms_per_request_median": round(
                    statistics.median(r["nginx_cpu_ms_per_request"] for r in rs), 3),
                "portal_cpu_ms_per_request_median": round(
                    statistics.median(r["portal_cpu_ms_per_request"] for r in rs), 3),
            }
        result["results"] = summary
        pw, pn = summary["portal_waf"]["rps_median"], summary["portal_nowaf"]["rps_median"]
        sw, sn = summary["static_waf"]["rps_median"], summary["static_nowaf"]["rps_median"]
        result["ratio_waf_over_plain"] = {"portal": round(pw / pn, 3) if pn else None,
                                          "static": round(sw / sn, 3) if sn else None}
        result["modsecurity_cpu_ms_per_request"] = round(
            summary["static_waf"]["nginx_cpu_ms_per_request_median"]
            - summary["static_nowaf"]["nginx_cpu_ms_per_request_median"], 3)
    finally:
        for name in extras:
            process.stop(stack, WAF_HOST, name)
    return result


class _Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=_Formatter)
    ap.add_argument("--stack", help="use this running lab (default: bring up b<pid> and take it down)")
    ap.add_argument("--plan", default="tests/lab/fixtures/plan-lab.json", help="plan for the own lab")
    ap.add_argument("--steps", default="500,1000,2000,5000,10000,20000", help="total eps per step, 3 hosts")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of writing per step")
    ap.add_argument("--procs", type=int, default=4, help="writer processes per host")
    ap.add_argument("--drain", type=float, default=60.0, help="max seconds to wait for a step to arrive")
    ap.add_argument("--stall", type=float, default=10.0, help="end a step after this many s without progress")
    ap.add_argument("--conns", type=int, default=4, help="concurrent keep-alive HTTPS connections")
    ap.add_argument("--waf-duration", type=float, default=10.0, help="seconds per WAF run")
    ap.add_argument("--runs", type=int, default=3, help="WAF runs per configuration (median)")
    ap.add_argument("--skip-logs", action="store_true")
    ap.add_argument("--skip-waf", action="store_true")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("run as root (network namespaces, nsenter)")
    report: dict[str, Any] = {"schema": "govcloud.bench-secsvc/v1",
                              "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                              "machine": machine()}
    own = args.stack is None
    stack = args.stack or f"b{os.getpid()}"
    report["stack"] = stack
    try:
        if own:
            t0 = time.monotonic()
            done = _govcloud("lab", "up", "--stack", stack, "--plan", args.plan, "--json")
            if done.returncode != 0:
                raise SystemExit(f"lab up failed:\n{done.stderr[-3000:]}")
            report["lab_up_s"] = round(time.monotonic() - t0, 1)
        if not args.skip_logs:
            report["logs"] = bench_logs(stack, args)
        if not args.skip_waf:
            report["waf"] = bench_waf(stack, args)
    finally:
        if own:
            down = _govcloud("lab", "down", "--stack", stack)
            report["lab_down_rc"] = down.returncode
    report["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report["see_also"] = {"log_sealing": "docs/bench-logaudit.md"}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
