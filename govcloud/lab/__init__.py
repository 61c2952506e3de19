"""The embedded 两地三中心 lab: three centres, links, boundary firewalls and SSH hosts on this machine.

`declare_lab(plan)` declares the lab's resources in a Pulumi program (the lab stack);
`govcloud lab up|down|status` drives the same through the Automation API. See docs/lab.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govcloud.contracts.plan import PlanDocument


def declare_lab(plan: PlanDocument | Mapping[str, Any], stack: str | None = None) -> None:
    """Declare the lab for `plan` (a govcloud.plan/v1 document) in the current Pulumi program."""
    from govcloud.lab.program import declare_lab as _declare  # noqa: PLC0415 - keep `import govcloud.lab` light

    _declare(plan, stack)


__all__ = ["declare_lab"]
