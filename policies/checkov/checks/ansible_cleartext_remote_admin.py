"""CKV_DJCP_2 — 8.1.4.1.c: playbooks must not install clear-text remote administration services.

Remote administration must protect credentials in transit, so telnet, rsh/rlogin/rexec and tftp
servers are never installed (state present/latest).
"""

from __future__ import annotations

from typing import Any

from checkov.ansible.checks.base_ansible_task_check import BaseAnsibleTaskCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.enums import BlockType

CLEARTEXT = {
    "telnet-server",
    "telnetd",
    "rsh-server",
    "rsh",
    "rlogin",
    "rexec",
    "tftp-server",
    "tftpd",
    "xinetd",
}
MODULES = (
    "ansible.builtin.package",
    "package",
    "ansible.builtin.yum",
    "yum",
    "ansible.builtin.dnf",
    "dnf",
    "ansible.builtin.apt",
    "apt",
)


class NoCleartextRemoteAdmin(BaseAnsibleTaskCheck):
    def __init__(self) -> None:
        super().__init__(
            name="等保 8.1.4.1.c: no clear-text remote administration packages / 禁止明文远程管理服务",
            id="CKV_DJCP_2",
            categories=(CheckCategories.NETWORKING,),
            supported_modules=MODULES,
            block_type=BlockType.ARRAY,
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        if not isinstance(conf, dict):
            return CheckResult.PASSED, self.entity_conf
        if str(conf.get("state", "present")) not in {"present", "latest", "installed"}:
            return CheckResult.PASSED, self.entity_conf
        names = conf.get("name", conf.get("pkg", []))
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if any(str(n) in CLEARTEXT for n in names):
            return CheckResult.FAILED, self.entity_conf
        return CheckResult.PASSED, self.entity_conf


check = NoCleartextRemoteAdmin()
