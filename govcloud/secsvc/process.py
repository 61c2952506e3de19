"""Run programs inside a lab host: its network, mount and UTS namespaces (those of its sshd), chrooted.

Daemons run in the foreground as children of nothing (own session), their pid in the host's run
directory (`<name>.pid`), their stderr in `<name>.log`; `lab down` deletes the namespace, which
stops them with everything else in it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from govcloud.lab import naming, sh
from govcloud.lab.sh import CommandError, alive
from govcloud.wait import until


def rootfs(stack: str, host: str) -> Path:
    return naming.host_dir(stack, host) / "root"


def anchor_pid(stack: str, host: str) -> int:
    """The host's sshd: its namespaces are the host's."""
    pidfile = naming.host_dir(stack, host) / "sshd.pid"
    text = pidfile.read_text(encoding="ascii").strip() if pidfile.is_file() else ""
    if not text.isdigit() or not alive(int(text)):
        raise CommandError(f"host {host} of stack {stack} is not running (no live {pidfile})")
    return int(text)


def enter(stack: str, host: str, *argv: str) -> list[str]:
    """The command line that runs `argv` inside the host (chrooted to its root)."""
    pid = anchor_pid(stack, host)
    return ["nsenter", f"--target={pid}", "--net", "--mount", "--uts", "--",
            "chroot", str(rootfs(stack, host)), *argv]


def run(stack: str, host: str, *argv: str, check: bool = True, timeout: float = 60,
        input_text: str | None = None) -> str:
    return sh.run(enter(stack, host, *argv), check=check, timeout=timeout, input_text=input_text)


def spawn(stack: str, host: str, name: str, *argv: str) -> int:
    hdir = naming.host_dir(stack, host)
    with open(hdir / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(enter(stack, host, *argv), stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    (hdir / f"{name}.pid").write_text(f"{proc.pid}\n", encoding="ascii")
    return proc.pid


def spawn_cmd(stack: str, host: str, name: str, cmd: list[str]) -> int:
    """Like `spawn` for a command line built elsewhere (the IDS sensor in the router namespace)."""
    hdir = naming.host_dir(stack, host)
    with open(hdir / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    (hdir / f"{name}.pid").write_text(f"{proc.pid}\n", encoding="ascii")
    return proc.pid


def same_namespaces(pid: int, stack: str, host: str) -> bool:
    """`pid` runs in the host's current network namespace and its sshd's mount namespace."""
    try:
        ns_file = f"/run/netns/{naming.host_netns(stack, host)}"
        net = os.stat(f"/proc/{pid}/ns/net").st_ino == os.stat(ns_file).st_ino
        anchor = anchor_pid(stack, host)
        mnt = os.stat(f"/proc/{pid}/ns/mnt").st_ino == os.stat(f"/proc/{anchor}/ns/mnt").st_ino
    except (OSError, CommandError):
        return False
    return net and mnt


def pid_of(stack: str, host: str, name: str) -> int | None:
    pidfile = naming.host_dir(stack, host) / f"{name}.pid"
    text = pidfile.read_text(encoding="ascii").strip() if pidfile.is_file() else ""
    return int(text) if text.isdigit() else None


def running(stack: str, host: str, name: str) -> bool:
    pid = pid_of(stack, host, name)
    return pid is not None and alive(pid)


def stop(stack: str, host: str, name: str, grace_s: float = 3.0) -> None:
    pid = pid_of(stack, host, name)
    if pid is not None and alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        until(lambda: not alive(pid), timeout=grace_s, interval=0.05)
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    (naming.host_dir(stack, host) / f"{name}.pid").unlink(missing_ok=True)


def wait_port(stack: str, host: str, port: int, *, proto: str = "t", timeout_s: float = 20.0,
              name: str = "") -> None:
    """Until something listens on `port` (both families) inside the host, or raise with the log tail."""
    ns = naming.host_netns(stack, host)
    flag = "-Htln" if proto == "t" else "-Huln"

    def listening_or_exited() -> str | None:
        if sh.run(sh.nsexec(ns, "ss", flag, f"sport = :{port}"), check=False).strip():
            return "listening"
        return "exited" if name and not running(stack, host, name) else None

    if until(listening_or_exited, timeout=timeout_s) == "listening":
        return
    log = naming.host_dir(stack, host) / f"{name}.log"
    tail = log.read_text(encoding="utf-8", errors="replace")[-1500:] if name and log.is_file() else ""
    raise CommandError(f"{name or 'service'} on {host} does not listen on {port}/{proto}: {tail}")


def write(root: Path, path: str, text: str | bytes, mode: int = 0o644) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if target.is_file() and target.read_bytes() == data:
        target.chmod(mode)
        return
    tmp = target.with_name(target.name + ".gc-tmp")
    tmp.write_bytes(data)
    tmp.chmod(mode)
    tmp.replace(target)
