"""Errors of the plan: each names the file, the field path and the reason (中英文)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from govcloud.contracts.fields import UNPRINTABLE_CATEGORIES, unprintable

__all__ = ["PlanError", "PlanIssue", "fail", "printable", "unprintable"]


def _escape(ch: str) -> str:
    if unicodedata.category(ch) not in UNPRINTABLE_CATEGORIES:
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` with every control, format (bidi), surrogate, private-use or unassigned character
    escaped (`\\x1b`, `\\u202e`), so no message or table sends a terminal escape or reorders text."""
    return "".join(_escape(ch) for ch in text)


@dataclass(frozen=True)
class PlanIssue:
    """One problem in a plan: where (file + field path) and why."""

    path: str
    reason: str
    file: str = ""

    def render(self) -> str:
        """One line for a terminal: file, field path, reason, with nothing unprintable left raw."""
        where = f"{printable(self.file)}: " if self.file else ""
        return f"{where}{printable(self.path)}: {printable(self.reason)}"

    def to_dict(self) -> dict[str, str]:
        return {"file": printable(self.file), "path": printable(self.path), "reason": printable(self.reason)}


@dataclass
class PlanError(Exception):
    """The plan is invalid; nothing may be planned, rendered or deployed from it (规划无效)."""

    issues: list[PlanIssue] = field(default_factory=list)
    unreadable: bool = False  # the input could not be read at all (missing file, YAML syntax)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        head = "plan invalid / 规划校验失败"
        return head + ":\n" + "\n".join(f"  - {i.render()}" for i in self.issues)

    def with_file(self, file: str | Path) -> PlanError:
        issues = [PlanIssue(i.path, i.reason, i.file or str(file)) for i in self.issues]
        return PlanError(issues, self.unreadable)

    def to_dict(self) -> dict[str, object]:
        return {
            "schema": "govcloud.error/v1",
            "error": "plan-unreadable" if self.unreadable else "plan-invalid",
            "issues": [i.to_dict() for i in self.issues],
        }


def fail(path: str, reason: str) -> PlanError:
    return PlanError([PlanIssue(path, reason)])
