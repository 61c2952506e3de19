"""No import cycles in govcloud (issue 15): between modules, counting imports inside functions too
(a lazy import hides a cycle, it does not remove it), and between the top-level packages.

`from pkg import name` counts as importing the submodule `pkg.name` when there is one, else `pkg`.
The last package cycle, lab <-> secsvc, ended when the lab stack's composition (program, providers,
Automation API driver) moved to `govcloud.labstack`, above both.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "govcloud"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _imported(module: str, path: Path, mods: dict[str, Path]) -> Iterator[str]:
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_pkg else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                pkg = ".".join([*base, *([node.module] if node.module else [])])
            else:
                pkg = node.module or ""
            subs = [f"{pkg}.{a.name}" for a in node.names]
            names = [s for s in subs if s in mods]
            if len(names) < len(subs):
                names.append(pkg)
        for name in names:
            found = name
            while found and found not in mods:
                found = found.rpartition(".")[0]
            if found and found != module:
                yield found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: set(_imported(m, p, mods)) for m, p in mods.items()}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    comp.append(item)
                    if item == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_module_import_cycle() -> None:
    cycles = _cycles(_graph())
    assert not cycles, f"import cycles between modules: {cycles}"


def test_no_package_import_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        for target in targets:
            a, b = _package(module), _package(target)
            if a != b:
                edges.setdefault(a, set()).add(b)
                edges.setdefault(b, set())
    cycles = {frozenset(c) for c in _cycles(edges)}
    assert not cycles, f"package cycles {sorted(map(sorted, cycles))}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
