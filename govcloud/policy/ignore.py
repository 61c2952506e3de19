"""`--exclude GLOB` and `.govcloudignore`: which files under a manifest directory the gate skips.

Patterns follow .gitignore, relative to the manifest directory given to `--manifests`:

- `*` and `?` match within one path component, `**` across components (`charts/**/templates/`);
- a pattern without `/` (other than a trailing one) matches a file or directory name at any depth
  (`values*.yaml`, `.github`); a pattern with `/` is anchored at the directory (`overlays/prod/*.yaml`);
- a trailing `/` matches directories only (and everything below them);
- `!pattern` re-includes what an earlier pattern excluded; the last matching pattern wins;
- `#` starts a comment line; blank lines are ignored. Matching is case-sensitive, as in git.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".govcloudignore"


@dataclass(frozen=True)
class Pattern:
    text: str
    source: str
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    anchored: bool


def _translate(glob: str) -> str:
    out = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1 : i + 2] in {"!", "]"} else i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def compile_pattern(text: str, source: str) -> Pattern | None:
    """One pattern line; None for comments and blank lines."""
    line = text.rstrip("\n").rstrip("\r")
    if not line.strip() or line.startswith("#"):
        return None
    line = line.strip()
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.strip("/") if dir_only else line
    if line.startswith("./"):
        line = line[2:]
    anchored = "/" in line or text.strip().lstrip("!").startswith("/")
    line = line.lstrip("/")
    if not line:
        return None
    try:
        regex = re.compile(_translate(line) + r"\Z")
    except re.error:
        regex = re.compile(re.escape(line) + r"\Z")
    return Pattern(text.strip(), source, regex, negated, dir_only, anchored)


class IgnoreRules:
    """The patterns of one manifest directory: `--exclude` first, then its `.govcloudignore`."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self.patterns = patterns

    @classmethod
    def for_directory(cls, directory: Path, excludes: list[str]) -> IgnoreRules:
        patterns = [p for p in (compile_pattern(e, "--exclude") for e in excludes) if p is not None]
        ignore_file = directory / IGNORE_FILE
        if ignore_file.is_file():
            try:
                lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            for n, line in enumerate(lines, 1):
                pattern = compile_pattern(line, f"{IGNORE_FILE}:{n}")
                if pattern is not None:
                    patterns.append(pattern)
        return cls(patterns)

    def match(self, rel: str, *, is_dir: bool = False) -> Pattern | None:
        """The pattern that decides `rel` (a posix path relative to the directory), if any excludes it."""
        parts = rel.split("/")
        decided: Pattern | None = None
        for pattern in self.patterns:
            if self._matches(pattern, parts, is_dir):
                decided = None if pattern.negated else pattern
        return decided

    @staticmethod
    def _matches(pattern: Pattern, parts: list[str], is_dir: bool) -> bool:
        # A path is excluded when it, or one of the directories above it, matches.
        for depth in range(1, len(parts) + 1):
            last = depth == len(parts)
            if pattern.dir_only and last and not is_dir:
                continue
            candidate = "/".join(parts[:depth]) if pattern.anchored else parts[depth - 1]
            if pattern.regex.match(candidate):
                return True
        return False
