"""The embedded 两地三中心 lab: three centres, links, boundary firewalls and SSH hosts on this machine.

`declare_lab(plan_json)` declares the lab's resources in a Pulumi program (the lab stack);
`govcloud lab up|down|status` drives the same through the Automation API. See docs/lab.md.
"""

from __future__ import annotations

from typing import Any


def declare_lab(plan_json: dict[str, Any], stack: str | None = None) -> None:
    """Declare the lab for `plan_json` (a govcloud.plan/v1 document) in the current Pulumi program."""
    from govcloud.lab.program import declare_lab as _declare  # noqa: PLC0415 - keep `import govcloud.lab` light

    _declare(plan_json, stack)


__all__ = ["declare_lab"]
