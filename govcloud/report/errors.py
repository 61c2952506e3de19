"""The report's single input-error type: which file, which field, and why."""

from __future__ import annotations

from pathlib import Path


class ReportInputError(Exception):
    """A malformed input the report cannot work around (catalogue, previous report, manifest, options).

    Evidence files are different: a missing or corrupt evidence file is shown *inside* the report as
    missing evidence; it never raises this.
    """

    def __init__(self, file: Path | str | None, field: str | None, reason: str) -> None:
        self.file = str(file) if file is not None else None
        self.field = field
        self.reason = reason
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.file or "<options>"
        if self.field:
            where = f"{where}: {self.field}"
        return f"{where}: {self.reason}"
