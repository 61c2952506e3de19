"""A lab host: its own net+UTS+mount namespaces, an overlay on the base image, sshd on v4 and v6."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from govcloud.lab import image, naming, netns, sh
from govcloud.lab.sh import CommandError
from govcloud.wait import until

SSHD_CONF = """# written by govcloud lab: key-only root login for the lab's own key
ListenAddress 0.0.0.0
ListenAddress ::
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
"""


def ensure_key(path: Path) -> str:
    """The lab's ed25519 key pair (created once per stack); returns the public key line."""
    if not path.is_file():
        sh.require("ssh-keygen")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        comment = f"govcloud-lab-{path.parent.parent.name}"
        sh.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])
    return path.with_suffix(".pub").read_text(encoding="ascii").strip()


def _host_key(key: Path, name: str, keep: Path | None) -> None:
    """The host's SSH key: the one kept for this host name (stable across re-creation, so the
    bastion's known_hosts stays true), else a new one, which is then kept."""
    if keep is not None and (keep / name).is_file() and (keep / f"{name}.pub").is_file():
        shutil.copyfile(keep / name, key)
        shutil.copyfile(keep / f"{name}.pub", key.with_suffix(".pub"))
        key.chmod(0o600)
        return
    sh.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"root@{name}", "-f", str(key)])
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(key, keep / name)
        (keep / name).chmod(0o600)
        shutil.copyfile(key.with_suffix(".pub"), keep / f"{name}.pub")


def _customise(root: Path, name: str, pubkey: str, ipv4: str, ipv6: str, *, keep: Path | None = None) -> None:
    (root / "etc" / "hostname").write_text(name + "\n", encoding="ascii")
    (root / "etc" / "hosts").write_text(
        f"127.0.0.1 localhost\n::1 localhost ip6-localhost\n{ipv4} {name}\n{ipv6} {name}\n", encoding="ascii"
    )
    ssh_dir = root / "root" / ".ssh"
    ssh_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ssh_dir.chmod(0o700)
    auth = ssh_dir / "authorized_keys"
    auth.write_text(pubkey + "\n", encoding="ascii")
    auth.chmod(0o600)
    conf_dir = root / "etc" / "ssh" / "sshd_config.d"
    conf_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "00-govcloud-lab.conf").write_text(SSHD_CONF, encoding="ascii")
    key = root / "etc" / "ssh" / "ssh_host_ed25519_key"
    if not key.exists():
        _host_key(key, name, keep)
    for sub in ("run/sshd", "dev/pts", "proc", "sys"):
        (root / sub).mkdir(parents=True, exist_ok=True)


def start_sshd(ns: str, name: str, root: Path, log: Path) -> int:
    """sshd in the host's netns plus fresh UTS and mount namespaces (hostname and mounts stay inside)."""
    script = (
        f"hostname {name} && mount -t proc proc {root}/proc && mount -t sysfs sysfs {root}/sys && "
        f"mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts {root}/dev/pts && "
        f"mount --bind {root}/dev/pts/ptmx {root}/dev/ptmx && "
        f"exec chroot {root} /usr/sbin/sshd -D"
    )
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            sh.nsexec(ns, "unshare", "--uts", "--mount", "--propagation", "private", "sh", "-c", script),
            stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    return proc.pid


def wait_listening(ns: str, port: int, timeout_s: float = 15.0) -> None:
    def both_families() -> bool:
        return sh.run(sh.nsexec(ns, "ss", "-Htln", f"sport = :{port}"), check=False).count("LISTEN") >= 2

    if until(both_families, timeout=timeout_s):
        return
    raise CommandError(f"sshd in {ns} did not listen on port {port} within {timeout_s:.0f} s")


def create(props: dict[str, Any]) -> dict[str, Any]:
    stack, name = props["stack"], props["name"]
    delete(props)
    base = image.base_dir(Path(props["cache"]))
    if not (base / image.MARKER).is_file():
        raise CommandError(f"base image {base} is missing: run `govcloud lab up` (it builds it)")
    ns, router = naming.host_netns(stack, name), props["router_netns"]
    netns.ensure(ns)
    peer = naming.host_peer_ifname(name)
    netns.veth(ns, "eth0", router, peer)
    netns.enslave(router, peer, props["bridge"])
    netns.up(router, peer)
    netns.addr(ns, "eth0", f"{props['ipv4']}/{props['prefix4']}")
    netns.addr(ns, "eth0", f"{props['ipv6']}/{props['prefix6']}")
    netns.up(ns, "eth0")
    netns.route(ns, "default", props["gw4"])
    netns.route(ns, "default", props["gw6"], dev="eth0")
    hdir = naming.host_dir(stack, name)
    root = image.mount_overlay(base, hdir)
    _customise(root, name, props["pubkey"], props["ipv4"], props["ipv6"],
               keep=naming.state_dir(stack) / "hostkeys")
    pid = start_sshd(ns, name, root, hdir / "sshd.log")
    (hdir / "sshd.pid").write_text(f"{pid}\n", encoding="ascii")
    wait_listening(ns, 22)
    return {"netns": ns, "rootfs": str(root), "pid": pid}


def present(props: dict[str, Any]) -> bool:
    """All parts of the host exist: namespace, router-side link, overlay, a process in the namespace."""
    stack, name = props["stack"], props["name"]
    ns = naming.host_netns(stack, name)
    return (
        netns.exists(ns)
        and netns.link_exists(props["router_netns"], naming.host_peer_ifname(name))
        and image.is_mounted(naming.host_dir(stack, name) / "root")
        and bool(netns.pids(ns))
    )


def delete(props: dict[str, Any]) -> None:
    stack, name = props["stack"], props["name"]
    hdir = naming.host_dir(stack, name)
    pidfile = hdir / "sshd.pid"
    if pidfile.is_file():
        text = pidfile.read_text(encoding="ascii").strip()
        if text.isdigit():
            netns.kill_pids([int(text)])
    netns.delete(naming.host_netns(stack, name))
    # daemons chrooted into the host keep running when its namespace was deleted behind our back
    netns.kill_pids(netns.rooted_at(hdir / "root"))
    if netns.link_exists(props["router_netns"], naming.host_peer_ifname(name)):
        sh.run(["ip", "-n", props["router_netns"], "link", "del", naming.host_peer_ifname(name)], check=False)
    image.unmount_all(hdir)
    sh.run(["rm", "-rf", "--one-file-system", str(hdir)], check=False)
