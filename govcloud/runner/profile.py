"""The role's level profiles (playbooks/project/roles/djcp_hardening/defaults/main.yml), read by
`govcloud verify` and tests/infra so the expected values have one source."""

from __future__ import annotations

from typing import Any

import yaml

from govcloud.runner.paths import ROLE_DIR


def role_defaults() -> dict[str, Any]:
    with (ROLE_DIR / "defaults" / "main.yml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{ROLE_DIR / 'defaults' / 'main.yml'}: not a mapping")
    return data


def level_profile(level: int, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Profile of `level` (2, 3, 4) merged with `djcp_hardening_overrides`."""
    profiles = role_defaults()["djcp_hardening_level_profiles"]
    if level not in profiles:
        raise ValueError(f"level {level}: not one of {sorted(profiles)}")
    merged = dict(profiles[level])
    merged.update(overrides or {})
    return merged
