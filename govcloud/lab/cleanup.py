"""Find and remove everything a stack's lab left on the machine, by the `gc-<stack>-` prefix.

Used by `lab down` after `pulumi destroy` (and instead of it when the state never heard of the
objects, e.g. after a killed `up`). Safe to run any number of times.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from govcloud.lab import image, naming, netns, sh


def leftovers(stack: str) -> dict[str, list[str]]:
    """What of the stack is still on the machine: namespaces, root-namespace links and nft tables,
    mounts under the run directory, and live processes recorded in pid files."""
    pre = naming.prefix(stack)
    links = []
    out = sh.run(["ip", "-j", "link", "show"], check=False)
    for item in json.loads(out or "[]"):
        if str(item.get("ifname", "")).startswith(pre):
            links.append(item["ifname"])
    tables = []
    if sh.ok(["nft", "--version"]):
        out = sh.run(["nft", "-j", "list", "tables"], check=False)
        try:
            for item in json.loads(out or "{}").get("nftables", []):
                name = item.get("table", {}).get("name", "")
                if name == naming.nft_table(stack) or name.startswith(naming.nft_table(stack) + "_"):
                    tables.append(f"{item['table']['family']} {name}")
        except json.JSONDecodeError:
            pass
    return {
        "netns": netns.list_netns(pre),
        "links": links,
        "nft_tables": tables,
        "mounts": image.mounts_under(naming.run_dir(stack)),
        "processes": [str(p) for p in _recorded_pids(stack) if _alive(p)],
        "engine": [str(p) for p in engine_pids(stack)],
    }


ENGINE_MARK = "GOVCLOUD_LAB_STACK"


def engine_pids(stack: str) -> list[int]:
    """Pulumi processes of the stack's runs (CLI, language host, dynamic providers): the lab gives
    them GOVCLOUD_LAB_STACK=<stack>. A killed `up` leaves its provider processes behind."""
    mark = f"{ENGINE_MARK}={stack}".encode()
    found = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if mark in env.split(b"\0"):
            found.append(int(entry.name))
    return found


def _recorded_pids(stack: str) -> list[int]:
    run = naming.run_dir(stack)
    pids: set[int] = set()
    # the lab's own pid files; never walk into the hosts' file systems (root, overlay upper/work)
    for top, dirs, files in os.walk(run):
        dirs[:] = [d for d in dirs if d not in {"root", "upper", "work"}]
        for name in files:
            if name.endswith(".pid"):
                text = (Path(top) / name).read_text(encoding="ascii", errors="replace").strip()
                if text.isdigit():
                    pids.add(int(text))
    return sorted(pids)


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def sweep(stack: str) -> dict[str, list[str]]:
    """Remove every leftover of `stack`; return what was found before removal."""
    naming.check_stack(stack)
    found = leftovers(stack)
    netns.kill_pids(_recorded_pids(stack) + engine_pids(stack))
    for ns in found["netns"]:
        netns.delete(ns)
    for link in found["links"]:
        sh.run(["ip", "link", "del", link], check=False)
    for table in found["nft_tables"]:
        fam, name = table.split()
        sh.run(["nft", "delete", "table", fam, name], check=False)
    run = naming.run_dir(stack)
    image.unmount_all(run)
    if run.exists() and not image.mounts_under(run):
        sh.run(["rm", "-rf", "--one-file-system", str(run)], check=False)
    inv = naming.inventory_path(stack)
    if inv.is_file() and os.access(inv, os.W_OK):
        inv.unlink()
    return found
