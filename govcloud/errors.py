"""govcloud's exit codes and the base of every error a user can act on (退出码与错误基类).

Every `govcloud` sub-command exits with one of three codes, documented in docs/cli.md:

- 0 OK: done; nothing blocking found.
- 1 FAILED: the thing checked failed: blocking findings, a rejected plan, drift, a failed drill,
  tampering.
- 2 INPUT: the command could not do its job: bad options, an unreadable or malformed input
  document, a refusal, a missing tool, an internal error (the gate fails closed).

An error that a user can act on derives from `GovcloudError`: it names the file and the field
where it can, and carries the exit code it ends a command with. This module imports nothing from
govcloud, so every package may use it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, ClassVar


class ExitCode(IntEnum):
    """The three exit codes of every sub-command (see the module docstring)."""

    OK = 0
    FAILED = 1
    INPUT = 2


class GovcloudError(Exception):
    """An error with a reason a user can act on, where it happened, and the exit code it ends with.

    `kind` names the class of error in machine-readable output (`govcloud.error/v1` documents).
    """

    exit_code: ClassVar[ExitCode] = ExitCode.INPUT
    kind: ClassVar[str] = "error"

    def __init__(self, reason: str, *, file: str | None = None, field: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        """One line: `file: field: reason` (parts that are unknown are left out)."""
        return ": ".join(p for p in (self.file, self.field, self.reason) if p)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "govcloud.error/v1",
            "error": self.kind,
            "issues": [{"file": self.file or "", "path": self.field or "", "reason": self.reason}],
        }
