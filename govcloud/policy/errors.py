"""Errors of the policy gate. Each carries a message a user can act on (file, field, reason)."""

from __future__ import annotations


class GateError(Exception):
    """Base class: the gate cannot give a verdict (exit code 2)."""


class PolicyInputError(GateError):
    """An input file is unreadable or malformed."""

    def __init__(self, file: str, field: str, reason: str) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        super().__init__(f"{file}: {field}: {reason}")

    def __reduce__(self) -> tuple[type[PolicyInputError], tuple[str, str, str]]:
        return (PolicyInputError, (self.file, self.field, self.reason))


class EngineError(GateError):
    """OPA is unreachable, failed, timed out or answered with an unexpected shape (fail closed)."""


class WaiverFileError(GateError):
    """policies/waivers.yaml (or --waivers FILE) is malformed."""
