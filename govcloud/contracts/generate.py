"""Writes what is derived from the contracts: JSON Schemas, the field tables of docs/contracts.md and
the OPA input schema the rules are type-checked against (`python -m govcloud.contracts.generate`).

    python -m govcloud.contracts.generate            # write docs/schemas/, docs/contracts.md tables,
                                                     # policies/schemas/check-input.json
    python -m govcloud.contracts.generate --check    # exit 1 naming every stale file (make check)

Every `Document` subclass of a module of govcloud.contracts is found by itself: a new document model
gets its JSON Schema `docs/schemas/<name>-v<N>.schema.json` and a field table in docs/contracts.md,
between `<!-- contract:<schema id>:begin -->` and `<!-- contract:<schema id>:end -->` (appended as a
new section when the page has no such markers yet). The prose around the markers is hand-written.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import pkgutil
import re
import sys
from pathlib import Path
from typing import Any

import govcloud.contracts
from govcloud.contracts.base import Document
from govcloud.contracts.check_input import CheckInput
from govcloud.contracts.fields import SLUG
from govcloud.toolchain.versions import REPO_ROOT

SCHEMAS_DIR = Path("docs") / "schemas"
CONTRACTS_MD = Path("docs") / "contracts.md"
OPA_SCHEMA = Path("policies") / "schemas" / "check-input.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Objects any producer fills (Kubernetes objects, host facts, Pulumi inputs): open, read with object.get.
OPEN = {"object", "facts", "inputs"}


def documents() -> list[type[Document]]:
    """Every Document model of govcloud.contracts, by schema id."""
    for module in pkgutil.iter_modules(govcloud.contracts.__path__):
        if module.name != "generate":
            importlib.import_module(f"govcloud.contracts.{module.name}")
    found: dict[str, type[Document]] = {}
    todo = list(Document.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("govcloud.contracts."):
            found[cls.schema_id()] = cls
    return [found[k] for k in sorted(found)]


def schema_file(model: type[Document]) -> Path:
    name, version = model.name_and_version()
    return SCHEMAS_DIR / f"{name.removeprefix('govcloud.')}-v{version}.schema.json"


def json_schema(model: type[Document]) -> dict[str, Any]:
    """What a reader accepts (validation mode), with the document's schema id and description."""
    schema = model.model_json_schema(by_alias=True, mode="validation")
    head = {"$schema": DRAFT, "$id": f"urn:{model.schema_id()}", "title": model.schema_id()}
    return {**head, **{k: v for k, v in schema.items() if k != "title"}}


# ---- the OPA input schema --------------------------------------------------------------------------


def _opa_node(node: Any, defs: dict[str, Any]) -> Any:
    """A schema node OPA's type checker reads fully: `anyOf [X, null]` becomes X with `type: [.., "null"]`
    (OPA gives up checking on that anyOf), `oneOf` becomes `anyOf`, keywords it has no use for go."""
    if isinstance(node, list):
        return [_opa_node(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _opa_node(v, defs) for k, v in node.items() if k not in ("discriminator", "title", "default")}
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        (other,) = [o for o in options if o != {"type": "null"}]
        if "$ref" in other:  # inline the referenced object to give it a nullable type
            other = _opa_node(copy.deepcopy(defs[other["$ref"].rsplit("/", 1)[1]]), defs)
        kind = other.get("type")
        if isinstance(kind, str):
            del out["anyOf"]
            out.update(other)
            out["type"] = [kind, "null"]
    return out


def opa_schema() -> dict[str, Any]:
    """The check-input schema as `opa check --schema` uses it (see _opa_node); open objects stay open."""
    raw = CheckInput.model_json_schema(by_alias=True, mode="serialization")
    raw_defs = raw.get("$defs", {})
    defs = {name: _opa_node(d, raw_defs) for name, d in raw_defs.items()}
    body = _opa_node({k: v for k, v in raw.items() if k != "$defs"}, raw_defs)
    for d in defs.values():
        for name, prop in d.get("properties", {}).items():
            if name in OPEN and prop.get("type") == "object":
                prop["additionalProperties"] = True
    return {"$schema": DRAFT, "$id": f"urn:{CheckInput.schema_id()}", **body, "$defs": defs}


# ---- the field tables of docs/contracts.md ---------------------------------------------------------


def _type(node: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[1]]
        return str(target["title"]) if "properties" in target else _type(target, defs)
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " \\| ".join(_type(o, defs) for o in node[key])
    if "const" in node:
        return f"`{json.dumps(node['const'], ensure_ascii=False)}`"
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in node["enum"])
    kind = node.get("type", "any")
    if node.get("pattern") == SLUG:
        return "string (slug: a-z, 0-9, -)"
    if kind == "array":
        return f"array of {_type(node.get('items', {}), defs)}"
    if kind == "object" and "properties" in node:
        return "object"
    if kind == "object":
        return "object (open)" if node.get("additionalProperties") not in (False, None) else "object"
    bounds = [f"{sym} {node[k]}" for k, sym in (("minimum", "≥"), ("exclusiveMinimum", ">"),
                                                 ("maximum", "≤"), ("minLength", "length ≥"),
                                                 ("minItems", "items ≥"))
              if k in node]
    return str(kind) + (f" ({', '.join(bounds)})" if bounds else "")


def _objects(node: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The object schemas a node holds (through $ref, arrays, anyOf/oneOf)."""
    if "$ref" in node:
        return _objects(defs[node["$ref"].rsplit("/", 1)[1]], defs)
    if node.get("type") == "array":
        return _objects(node.get("items", {}), defs)
    found = []
    for key in ("anyOf", "oneOf"):
        for option in node.get(key, []):
            found += _objects(option, defs)
    if "properties" in node:
        found.append(node)
    return found


def field_rows(model: type[Document]) -> list[tuple[str, str, str, str]]:
    """(field path, type, required, description) for every field, nested fields after their parent."""
    schema = model.model_json_schema(by_alias=True, mode="validation")
    defs = schema.get("$defs", {})
    rows: list[tuple[str, str, str, str]] = []

    def walk(obj: dict[str, Any], prefix: str, seen: tuple[str, ...]) -> None:
        required = set(obj.get("required", []))
        for name, prop in obj.get("properties", {}).items():
            path = f"{prefix}{name}"
            if name in required:
                need = "yes"
            elif "default" in prop:
                need = f"no (default `{json.dumps(prop['default'], ensure_ascii=False)}`)"
            else:
                need = "no"
            desc = str(prop.get("description", "")).replace("|", "\\|").replace("\n", " ")
            rows.append((f"`{path}`", _type(prop, defs), need, desc))
            inner = _objects(prop, defs)
            suffix = "[]" if prop.get("type") == "array" else ""
            for sub in inner:
                key = sub.get("title", "")
                if key not in seen:
                    walk(sub, f"{path}{suffix}.", (*seen, key))

    walk(schema, "", (schema.get("title", ""),))
    return rows


def table(model: type[Document]) -> str:
    lines = [
        f"Generated from `{model.__module__}.{model.__name__}` by `python -m govcloud.contracts.generate`;"
        f" JSON Schema: [{schema_file(model).name}](schemas/{schema_file(model).name}).",
        "",
        "| field | type | required | description |",
        "|---|---|---|---|",
    ]
    lines += [f"| {p} | {t} | {r} | {d} |" for p, t, r, d in field_rows(model)]
    return "\n".join(lines)


def markers(model: type[Document]) -> tuple[str, str]:
    return f"<!-- contract:{model.schema_id()}:begin -->", f"<!-- contract:{model.schema_id()}:end -->"


def contracts_md(text: str, models: list[type[Document]]) -> str:
    for model in models:
        begin, end = markers(model)
        block = f"{begin}\n{table(model)}\n{end}"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _m, b=block: b, text)  # type: ignore[misc]
        else:
            doc = (model.__doc__ or "").strip().splitlines()[0]
            text = text.rstrip("\n") + f"\n\n## `{model.schema_id()}`\n\n{doc}\n\n{block}\n"
    return text


# ---- writing and checking ---------------------------------------------------------------------------


def _json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def outputs(root: Path = REPO_ROOT) -> dict[Path, str]:
    """Every generated file (relative to `root`) and its content."""
    models = documents()
    out = {schema_file(m): _json(json_schema(m)) for m in models}
    out[OPA_SCHEMA] = _json(opa_schema())
    md = root / CONTRACTS_MD
    out[CONTRACTS_MD] = contracts_md(md.read_text(encoding="utf-8") if md.is_file() else "", models)
    return out


def _orphans(root: Path, generated: dict[Path, str]) -> list[Path]:
    """Schema files of documents that no longer exist."""
    return sorted(p.relative_to(root) for p in (root / SCHEMAS_DIR).glob("*.schema.json")
                  if p.relative_to(root) not in generated)


def stale(root: Path = REPO_ROOT) -> list[Path]:
    """The generated files that differ from what the models generate now, are missing or are orphans."""
    generated = outputs(root)
    found = [rel for rel, text in generated.items()
             if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text]
    return found + _orphans(root, generated)


def write(root: Path = REPO_ROOT) -> list[Path]:
    """Write what is stale, remove orphan schema files; the paths touched."""
    generated = outputs(root)
    touched = []
    for rel, text in generated.items():
        path = root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            touched.append(rel)
    for rel in _orphans(root, generated):
        (root / rel).unlink()
        touched.append(rel)
    return touched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govcloud.contracts.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail on a stale generated file / 检查是否过期")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale(args.root)
        for rel in bad:
            print(f"stale / 已过期: {rel}", file=sys.stderr)
        if bad:
            hint = "run `python -m govcloud.contracts.generate`, commit the result / 请重新生成"
            print(hint, file=sys.stderr)
            return 1
        print(f"contracts: {len(documents())} documents, generated files up to date / 已是最新")
        return 0
    for rel in write(args.root):
        print(f"wrote / 已生成 {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
