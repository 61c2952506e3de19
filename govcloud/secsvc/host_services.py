"""The security services of one lab host (operations of the lab's `HostServices` resource).

Every host: rsyslog forwarding over mutual TLS to its collector, chrony using the time source, and
the admin-SSH filter (bastions + out-of-band only). By role (from `layout`): the collector, the time
server, the bastion (user `ops`, session wrapper, key and target list), the WAF (nginx +
ModSecurity + CRS), the portal behind it. `props_for` is pure (the Pulumi inputs); `create` writes
the files into the host's root, starts the daemons and waits until each listens.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from govcloud.lab import naming, sh
from govcloud.lab.spec import LAB_V4, LAB_V6, OOB_V4, OOB_V6, Host, LabSpec
from govcloud.secsvc import bastion_conf, chrony_conf, pki, process, rsyslog_conf, suricata_conf, waf_conf
from govcloud.secsvc.layout import Layout, build_layout

Props = dict[str, Any]
PKI_DIR = "/etc/govcloud/pki"


def pki_dir(stack: str) -> Path:
    return naming.state_dir(stack) / "pki"


def _shipped_files(layout: Layout, host: Host) -> list[tuple[str, str]]:
    files = []
    services = layout.services_of(host.name)
    if "ids" in services:
        files.append((suricata_conf.EVE, "suricata"))
    if "waf" in services:
        files.append((waf_conf.AUDIT_LOG, "modsecurity"))
    return files


def props_for(layout: Layout, host: Host) -> Props:
    stack = layout.spec.stack
    services = layout.services_of(host.name)
    collector = layout.provider("log-audit", host.centre)
    time_src = layout.provider("time", host.centre)
    files = _shipped_files(layout, host)
    if collector is None:
        rsyslog = ""
    elif collector.name == host.name:
        rsyslog = rsyslog_conf.collector(host.name, files)
    else:
        rsyslog = rsyslog_conf.client(host.name, collector.name, collector.ipv4, files)
    if "time" in services:
        chrony = chrony_conf.server(host.name, [str(LAB_V4), str(LAB_V6), str(OOB_V4), str(OOB_V6)])
    elif time_src is not None:
        chrony = chrony_conf.client(host.name, [time_src.ipv4])
    else:
        chrony = ""
    v4, v6 = layout.admin_sources(host)
    props: Props = {
        "object_id": f"{naming.host_netns(stack, host.name)}/services", "stack": stack, "name": host.name,
        "centre": host.centre, "zone": host.zone, "services": services, "addresses": [host.ipv4, host.ipv6],
        "rsyslog": rsyslog, "chrony": chrony, "chrony_server": "time" in services,
        "admin_filter": bastion_conf.admin_filter(v4, v6) if layout.bastions else "",
        "bastion_sources": [a for b in layout.bastions if b.name != host.name for a in (b.ipv4, b.ipv6)],
        "bastion": {}, "waf": {}, "portal": False,
    }
    if "bastion" in services:
        props["bastion"] = {
            "targets": bastion_conf.targets(
                [(h.name, h.ipv4) for h in layout.spec.hosts if h.name != host.name]),
            "hosts": [h.name for h in layout.spec.hosts if h.name != host.name],
        }
    if "waf" in services:
        portal = layout.portal(host.centre)
        upstream = (f"https://{portal.ipv4}:{waf_conf.PORTAL_PORT}", portal.name) if portal else None
        props["waf"] = {"nginx": waf_conf.nginx(host.name, upstream), "modsec": waf_conf.modsecurity()}
    props["portal"] = any(layout.portal(c) == host for c in layout.by_kind.get("waf", {}))
    return props


def hardening_vars(spec: LabSpec) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Hardening-role variables for the lab inventory: each host's own collector (TLS, the lab CA)
    and time source, so `govcloud harden` and `govcloud verify` agree with the running services."""
    if not spec.plan.security_services:
        return {}, {}
    layout = build_layout(spec)
    per_host: dict[str, dict[str, Any]] = {}
    for h in spec.hosts:
        found: dict[str, Any] = {}
        collector = layout.provider("log-audit", h.centre)
        if collector is not None:
            found.update(djcp_hardening_log_collector=collector.ipv4, djcp_hardening_log_transport="tls",
                         djcp_hardening_log_tls_peer=collector.name)
        time_src = layout.provider("time", h.centre)
        if time_src is not None:
            found["djcp_hardening_ntp_servers"] = [time_src.ipv4]
        per_host[h.name] = found
    ca, _ = pki.ensure_ca(pki_dir(spec.stack), spec.stack)
    return per_host, {"djcp_hardening_log_tls_ca_pem": ca.read_text(encoding="ascii")}


def _secret(stack: str, name: str) -> str:
    path = pki_dir(stack) / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def bastion_key(stack: str) -> tuple[Path, str]:
    """The bastion's own SSH key pair (per stack): private key path and public key line."""
    key = pki_dir(stack) / "bastion_ed25519"
    if not key.is_file():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        sh.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"govcloud-bastion-{stack}",
                "-f", str(key)])
    return key, key.with_suffix(".pub").read_text(encoding="ascii").strip()


def _pki(stack: str, name: str, root: Path, addresses: list[str]) -> None:
    ca, _ = pki.ensure_ca(pki_dir(stack), stack)
    cert, key = pki.issue(pki_dir(stack), stack, name, addresses)
    process.write(root, f"{PKI_DIR}/ca.pem", ca.read_bytes())
    process.write(root, f"{PKI_DIR}/host.pem", cert)
    process.write(root, f"{PKI_DIR}/host.key", key, 0o600)


def _authorize_bastion(stack: str, root: Path, sources: list[str]) -> None:
    _, pub = bastion_key(stack)
    auth = root / "root" / ".ssh" / "authorized_keys"
    old = auth.read_text(encoding="ascii").splitlines() if auth.is_file() else []
    lines = [ln for ln in old if pub not in ln]
    lines.append(bastion_conf.authorized_line(pub, sources))
    process.write(root, "/root/.ssh/authorized_keys", "\n".join(lines) + "\n", 0o600)


def _setup_bastion(p: Props, root: Path) -> None:
    stack, host = p["stack"], p["name"]
    user = bastion_conf.USER
    if process.run(stack, host, "id", "-u", user, check=False).strip() == "":
        process.run(stack, host, "useradd", "--create-home", "--shell", "/bin/bash", user)
        process.run(stack, host, "usermod", "-p", "*", user)  # no password; "!" would lock key logins too
    key, pub = bastion_key(stack)
    lab_pub = naming.key_path(stack).with_suffix(".pub").read_text(encoding="ascii").strip()
    home = f"/home/{user}"
    process.write(root, f"{home}/.ssh/authorized_keys", lab_pub + "\n", 0o600)
    process.write(root, f"{home}/.ssh/id_ed25519", key.read_bytes(), 0o600)
    process.write(root, f"{home}/.ssh/id_ed25519.pub", pub + "\n", 0o644)
    known = []
    for other in p["bastion"]["hosts"]:
        hk = naming.host_dir(stack, other) / "root" / "etc" / "ssh" / "ssh_host_ed25519_key.pub"
        if hk.is_file():
            addrs = dict(ln.split()[:2] for ln in p["bastion"]["targets"].splitlines())
            addr = addrs[other]
            known.append(f"{addr} {' '.join(hk.read_text(encoding='ascii').split()[:2])}")
    process.write(root, bastion_conf.KNOWN_HOSTS, "\n".join(known) + "\n")
    process.write(root, bastion_conf.TARGETS, p["bastion"]["targets"])
    process.write(root, bastion_conf.WRAPPER, bastion_conf.wrapper(), 0o755)
    process.write(root, bastion_conf.SSHD_DROPIN, bastion_conf.SSHD)
    process.run(stack, host, "chown", "-R", f"{user}:{user}", f"{home}/.ssh")
    process.run(stack, host, "install", "-d", "-o", user, "-g", user, "-m", "0700", bastion_conf.SESSIONS)
    # sshd re-reads its configuration on SIGHUP (it re-executes itself; sessions stay)
    sh.run(["kill", "-HUP", str(process.anchor_pid(stack, host))])


def _start_rsyslog(p: Props, root: Path) -> None:
    stack, host = p["stack"], p["name"]
    process.write(root, rsyslog_conf.CONF, p["rsyslog"])
    for d in ("/var/spool/rsyslog", rsyslog_conf.STORE):
        (root / d.lstrip("/")).mkdir(parents=True, exist_ok=True)
    process.run(stack, host, "rsyslogd", "-N1", "-f", rsyslog_conf.CONF, timeout=30)  # config check
    process.stop(stack, host, "rsyslogd")
    process.spawn(stack, host, "rsyslogd", "rsyslogd", "-n", "-f", rsyslog_conf.CONF,
                  "-i", "/run/gc-rsyslogd.pid")
    if "log-audit" in p["services"]:
        process.wait_port(stack, host, rsyslog_conf.PORT, name="rsyslogd")


def _start_chrony(p: Props, root: Path) -> None:
    stack, host = p["stack"], p["name"]
    process.write(root, chrony_conf.CONF, p["chrony"])
    process.write(root, chrony_conf.KEYS, chrony_conf.keyfile(_secret(stack, "chrony.key")), 0o640)
    process.run(stack, host, "chown", "root:_chrony", chrony_conf.KEYS)
    process.run(stack, host, "install", "-d", "-o", "_chrony", "-g", "_chrony", "-m", "0750", "/run/chrony")
    process.stop(stack, host, "chronyd")
    process.spawn(stack, host, "chronyd", "chronyd", "-d", "-x", "-f", chrony_conf.CONF)
    if p["chrony_server"]:
        process.wait_port(stack, host, 123, proto="u", name="chronyd")


def _start_waf(p: Props, root: Path) -> None:
    stack, host = p["stack"], p["name"]
    process.write(root, waf_conf.NGINX_CONF, p["waf"]["nginx"])
    process.write(root, waf_conf.MODSEC_CONF, p["waf"]["modsec"])
    process.write(root, f"{waf_conf.WEB_ROOT}/index.html", waf_conf.PORTAL_PAGE)
    process.run(stack, host, "install", "-o", "www-data", "-g", "adm", "-m", "0640", "/dev/null",
                waf_conf.AUDIT_LOG)
    process.run(stack, host, "nginx", "-t", "-q", "-c", waf_conf.NGINX_CONF, timeout=60)
    process.stop(stack, host, "nginx")
    process.spawn(stack, host, "nginx", "nginx", "-c", waf_conf.NGINX_CONF, "-g", "daemon off;")
    process.wait_port(stack, host, waf_conf.PORTAL_PORT, name="nginx", timeout_s=60)


def _start_portal(p: Props, root: Path) -> None:
    stack, host = p["stack"], p["name"]
    process.write(root, f"{waf_conf.WEB_ROOT}/index.html", waf_conf.PORTAL_PAGE)
    process.write(root, "/usr/local/sbin/gc-portal", waf_conf.PORTAL_APP, 0o755)
    process.stop(stack, host, "portal")
    process.spawn(stack, host, "portal", "/usr/local/sbin/gc-portal", str(waf_conf.PORTAL_PORT))
    process.wait_port(stack, host, waf_conf.PORTAL_PORT, name="portal")


def daemons(p: Props) -> list[str]:
    names = []
    if p["rsyslog"]:
        names.append("rsyslogd")
    if p["chrony"]:
        names.append("chronyd")
    if p["waf"]:
        names.append("nginx")
    if p["portal"]:
        names.append("portal")
    return names


def create(p: Props) -> Props:
    stack, host = p["stack"], p["name"]
    root = process.rootfs(stack, host)
    _pki(stack, host, root, p["addresses"])
    if p["admin_filter"]:
        sh.run(sh.nsexec(naming.host_netns(stack, host), "nft", "-f", "-"), input_text=p["admin_filter"])
    if p["bastion_sources"]:
        _authorize_bastion(stack, root, p["bastion_sources"])
    if p["bastion"]:
        _setup_bastion(p, root)
    if p["rsyslog"]:
        _start_rsyslog(p, root)
    if p["chrony"]:
        _start_chrony(p, root)
    if p["portal"]:
        _start_portal(p, root)
    if p["waf"]:
        _start_waf(p, root)
    return {"daemons": daemons(p)}


def present(p: Props) -> bool:
    stack, host = p["stack"], p["name"]
    if not (naming.host_dir(stack, host) / "sshd.pid").is_file():
        return False
    pids = [process.pid_of(stack, host, d) for d in daemons(p)]
    return all(pid is not None and sh.alive(pid) and process.same_namespaces(pid, stack, host)
               for pid in pids)


def delete(p: Props) -> None:
    stack, host = p["stack"], p["name"]
    for d in reversed(daemons(p)):
        process.stop(stack, host, d)
    ns = naming.host_netns(stack, host)
    if p["admin_filter"] and sh.ok(["ip", "netns", "exec", ns, "true"]):
        sh.run(sh.nsexec(ns, "nft", "delete", "table", "inet", bastion_conf.NFT_TABLE), check=False)
