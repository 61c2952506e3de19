"""Errors of the policy gate. Each carries a message a user can act on (file, field, reason).

Two shapes: exceptions (`GateError` and its subclasses) stop the gate as a whole (a malformed
waiver file, an unreachable OPA); `InputProblem` records one unusable input (a Helm template, a
kustomize patch, a file that is not a Kubernetes object) as data, so the run goes on over the
rest and the report carries every problem (exit code 2 while any remains).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InputProblem:
    """One input the gate could not judge: where it is, why, and what to do about it.

    `kind` names the class of problem (docs/policy.md lists them); `reason` and `hint` are
    bilingual ("English / 中文"), like every message of the gate.
    """

    file: str
    line: int | None
    field: str
    reason: str
    kind: str = "invalid-input"
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "kind": self.kind,
            "reason": self.reason,
            "hint": self.hint,
        }


class GateError(Exception):
    """Base class: the gate cannot give a verdict (exit code 2)."""

    kind = "gate"

    def problem(self) -> InputProblem:
        return InputProblem(file="(gate)", line=None, field="-", reason=str(self), kind=self.kind)


class PolicyInputError(GateError):
    """An input file is unreadable or malformed."""

    kind = "invalid-input"

    def __init__(
        self,
        file: str,
        field: str,
        reason: str,
        *,
        line: int | None = None,
        kind: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        self.line = line
        self.hint = hint
        if kind is not None:
            self.kind = kind
        super().__init__(f"{file}: {field}: {reason}")

    def problem(self) -> InputProblem:
        return InputProblem(self.file, self.line, self.field, self.reason, self.kind, self.hint)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_input_error, (self.problem(),))


def _rebuild_input_error(p: InputProblem) -> PolicyInputError:
    return PolicyInputError(p.file, p.field, p.reason, line=p.line, kind=p.kind, hint=p.hint)


class EngineError(GateError):
    """OPA is unreachable, failed, timed out or answered with an unexpected shape (fail closed)."""

    kind = "engine"


class WaiverFileError(GateError):
    """policies/waivers.yaml (or --waivers FILE) is malformed."""

    kind = "waivers"

    def __init__(self, file: str, field: str, reason: str, *, line: int | None = None) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        self.line = line
        super().__init__(f"{file}: {field}: {reason}")

    def problem(self) -> InputProblem:
        return InputProblem(self.file, self.line, self.field, self.reason, self.kind)

    def __reduce__(self) -> tuple[Any, ...]:
        return (WaiverFileError, (self.file, self.field, self.reason))
