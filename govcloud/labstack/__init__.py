"""The lab stack: one Pulumi program (`labstack.program`) that composes the lab's parts
(`govcloud.lab`), the security services on its hosts (`govcloud.secsvc`) and the drill database's HA
stack (`govcloud.drill.ha`); their dynamic providers (`labstack.providers`); and `lab up | down |
refresh` over the Automation API (`labstack.automation`). It sits above the packages it composes, so
none of them imports it.

`declare_lab(plan)` declares the lab's resources in the current Pulumi program.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govcloud.contracts.plan import PlanDocument


def declare_lab(plan: PlanDocument | Mapping[str, Any], stack: str | None = None) -> None:
    """Declare the lab for `plan` (a govcloud.plan/v1 document) in the current Pulumi program."""
    from govcloud.labstack.program import declare_lab as _declare  # noqa: PLC0415 - keep the import light

    _declare(plan, stack)


__all__ = ["declare_lab"]
