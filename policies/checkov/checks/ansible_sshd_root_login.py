"""CKV_DJCP_1 — 8.1.4.2.b: a playbook must not switch on SSH root login (PermitRootLogin yes).

Fits checkov better than Rego: checkov already parses playbooks into tasks (blocks, nesting, FQCN).
"""

from __future__ import annotations

import re
from typing import Any

from checkov.ansible.checks.base_ansible_task_check import BaseAnsibleTaskCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.enums import BlockType

_ROOT_LOGIN = re.compile(r"^\s*PermitRootLogin\s+(yes|without-password|prohibit-password)\b", re.IGNORECASE)


class SshdNoRootLogin(BaseAnsibleTaskCheck):
    def __init__(self) -> None:
        super().__init__(
            name="等保 8.1.4.2.b: sshd must not permit root login / 禁止 root 远程登录",
            id="CKV_DJCP_1",
            categories=(CheckCategories.IAM,),
            supported_modules=("ansible.builtin.lineinfile", "lineinfile"),
            block_type=BlockType.ARRAY,
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        if not isinstance(conf, dict) or "sshd_config" not in str(conf.get("path", conf.get("dest", ""))):
            return CheckResult.PASSED, self.entity_conf
        if _ROOT_LOGIN.match(str(conf.get("line", ""))):
            return CheckResult.FAILED, self.entity_conf
        return CheckResult.PASSED, self.entity_conf


check = SshdNoRootLogin()
