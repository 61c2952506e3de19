"""A nesting-depth check on YAML text, before anything composes it into nodes.

libyaml's composer (PyYAML's CSafeLoader) recurses in C: a few hundred kilobytes of `[[[[…` kill
the whole process with SIGSEGV; PyYAML's pure-Python composer raises RecursionError. Parsing into
events is iterative in both, so the depth is measured on the events first and a document nested
deeper than the limit is refused as a YAML error at the line where the limit is crossed.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_depth(text: str, limit: int, loader: Any = _LOADER) -> None:
    """Raise yaml.composer.ComposerError if a collection in `text` nests deeper than `limit`.

    Syntax errors met on the way are raised as they are (yaml.YAMLError).
    """
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > limit:
                m = event.start_mark  # libyaml's marks are another class: copy the position
                mark = None if m is None else yaml.error.Mark(m.name, m.index, m.line, m.column, None, 0)
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {limit} levels / 嵌套层数超过 {limit}", mark
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
