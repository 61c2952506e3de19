"""Hardening variables for lab inventories, which carry connection settings only: the lab's
out-of-band network is the management zone (管理区) the automation connects from."""

from __future__ import annotations

from typing import Any

from govcloud.runner.inventory import InventoryHost


def lab_extravars(hosts: list[InventoryHost]) -> dict[str, Any]:
    """{} when the inventory sets djcp_hardening_mgmt_* itself, else the lab's OOB defaults."""
    if (
        not hosts
        or "djcp_hardening_mgmt_ipv4" in hosts[0].vars
        or "djcp_hardening_mgmt_ipv6" in hosts[0].vars
    ):
        return {}
    from govcloud.lab.spec import OOB_V4, OOB_V6  # noqa: PLC0415 - only lab inventories need the lab

    collector = str(OOB_V4[1])
    defaults: dict[str, Any] = {
        "djcp_hardening_mgmt_ipv4": [str(OOB_V4)],
        "djcp_hardening_mgmt_ipv6": [str(OOB_V6)],
        "djcp_hardening_log_collector": collector,
        "djcp_hardening_log_transport": "relp",
        "djcp_hardening_ntp_servers": [collector],
    }
    if "djcp_hardening_log_collector" in hosts[0].vars:  # a lab with its own 日志审计 and time service
        for key in ("djcp_hardening_log_collector", "djcp_hardening_log_transport"):
            defaults.pop(key)
    if "djcp_hardening_ntp_servers" in hosts[0].vars:
        defaults.pop("djcp_hardening_ntp_servers")
    return defaults
