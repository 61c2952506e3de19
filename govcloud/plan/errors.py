"""Errors of the plan: each names the file, the field path and the reason (中英文)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class PlanIssue:
    """One problem in a plan: where (file + field path) and why."""

    path: str
    reason: str
    file: str = ""

    def render(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.path}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "path": self.path, "reason": self.reason}


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
