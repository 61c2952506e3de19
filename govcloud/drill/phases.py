"""The phase table a drill step runs from, by the service's HA mode (演练步骤表)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govcloud.drill import steps
from govcloud.drill.ha import steps as ha_steps
from govcloud.drill.ha.service import PatroniService
from govcloud.drill.pgservice import Service
from govcloud.drill.restore import restore_test


def phases(service: Service) -> dict[str, Callable[..., dict[str, Any]]]:
    table = ha_steps.PHASES if isinstance(service, PatroniService) else steps.PHASES
    return {**table, "restore-test": restore_test}
