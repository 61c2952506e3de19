"""Suricata (入侵检测) in IDS mode on a centre's boundary router, with the project's local rules.

The sensor sniffs (AF_PACKET, no inline blocking) the router's zone bridges, which carry every
routed inter-zone packet of the centre, and its inter-centre links. Only `alert` records go to
`eve.json`, which the IDS host's rsyslog ships to the collector.
"""

from __future__ import annotations

from govcloud.toolchain.versions import REPO_ROOT

RULES_SOURCE = REPO_ROOT / "policies" / "ids" / "govcloud-local.rules"
CONF = "/etc/govcloud/suricata.yaml"
RULES = "/etc/govcloud/govcloud-local.rules"
LOG_DIR = "/var/log/suricata"
EVE = f"{LOG_DIR}/eve.json"
CLASSIFIED = ("198.19.240.0/21", "fd00:6d::/32")


def _group(items: list[str]) -> str:
    return "[" + ",".join(items) + "]"


def config(centre: str, interfaces: list[str], home: list[str], admin: list[str],
           classified: list[str] | None = None) -> str:
    ifaces = "".join(
        f"  - interface: {name}\n    cluster-id: {90 + i}\n    cluster-type: cluster_flow\n"
        "    defrag: yes\n    use-mmap: yes\n    ring-size: 2048\n    checksum-checks: no\n"
        for i, name in enumerate(interfaces)
    )
    return f"""%YAML 1.1
---
# govcloud lab: 入侵检测 IDS sensor on the boundary of centre {centre} (IDS mode, local rules only)
vars:
  address-groups:
    HOME_NET: "{_group(home)}"
    EXTERNAL_NET: "!$HOME_NET"
    ADMIN_NET: "{_group(admin)}"
    CLASSIFIED_NET: "{_group(classified or list(CLASSIFIED))}"
    HTTP_SERVERS: "$HOME_NET"
    SQL_SERVERS: "$HOME_NET"
    DNS_SERVERS: "$HOME_NET"
    SMTP_SERVERS: "$HOME_NET"
    TELNET_SERVERS: "$HOME_NET"
  port-groups:
    HTTP_PORTS: "[80,443,8443]"
    SSH_PORTS: "22"
    SHELLCODE_PORTS: "!80"
default-log-dir: {LOG_DIR}/
default-rule-path: /etc/govcloud
rule-files:
  - govcloud-local.rules
classification-file: /etc/suricata/classification.config
reference-config-file: /etc/suricata/reference.config
stats:
  enabled: no
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      community-id: yes
      types:
        - alert:
            tagged-packets: no
logging:
  default-log-level: notice
  outputs:
    - console:
        enabled: yes
    - file:
        enabled: yes
        level: info
        filename: suricata.log
af-packet:
{ifaces}host-mode: sniffer-only
runmode: workers
unix-command:
  enabled: no
stream:
  memcap: 64mb
  checksum-validation: no
flow:
  memcap: 32mb
detect:
  profile: low
"""
