"""Asks OPA for the one decision (data.govcloud.main.decision) in one batched evaluation.

Fail closed: unreachable, HTTP error, timeout, undefined decision or an unexpected shape all raise
EngineError, which the CLI turns into exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient

from govcloud.contracts.base import ContractError, check_schema, read
from govcloud.contracts.catalogue import Catalogue, Item, RuleClauses
from govcloud.contracts.decision import DECISION_SCHEMA, Decision, RuleMeta
from govcloud.contracts.findings import Bilingual, Finding
from govcloud.policy import catalogue as clause_catalogue
from govcloud.policy.errors import EngineError
from govcloud.policy.opa_server import OpaServer


def client_for(url: str, timeout: float) -> OpaClient:
    """An opa-python-client for an OPA base URL such as http://127.0.0.1:8181."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise EngineError(f"--opa-url {url!r}: expected http(s)://host:port / OPA 地址格式错误")
    if parts.path not in {"", "/"}:
        raise EngineError(f"--opa-url {url!r}: give the server root, not a path / 只需服务器根地址")
    port = parts.port or (443 if parts.scheme == "https" else 8181)
    return OpaClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", timeout=timeout, retries=0)


def query_decision(url: str, input_doc: dict[str, Any], timeout: float = 60.0) -> Decision:
    """POST /v1/data/govcloud/main/decision with the whole change set; returns the checked decision."""
    client = client_for(url, timeout)
    try:
        response = client.query_rule(input_data=input_doc, package_path="govcloud.main", rule_name="decision")
    except requests.Timeout as exc:
        raise EngineError(f"OPA at {url} did not answer within {timeout:g} s / OPA 响应超时") from exc
    except requests.ConnectionError as exc:
        raise EngineError(f"OPA at {url} is unreachable / 无法连接 OPA: {exc.__class__.__name__}") from exc
    except requests.HTTPError as exc:
        body = exc.response.text[:500] if exc.response is not None else ""
        raise EngineError(f"OPA at {url} returned an error / OPA 返回错误: {exc}; {body}") from exc
    except (requests.RequestException, ValueError) as exc:
        raise EngineError(f"OPA at {url} gave an unreadable answer / OPA 响应无法解析: {exc}") from exc
    finally:
        client.close_connection()
    return check_decision(response, url)


def check_decision(response: Any, url: str) -> Decision:
    """Refuses anything that is not a govcloud.decision/v3 document (contracts.decision) whose rows
    all name a rule with METADATA; an input the policies rejected is refused too."""
    where = f"OPA at {url}"
    if not isinstance(response, dict) or "result" not in response:
        raise EngineError(
            f"{where}: data.govcloud.main.decision is undefined — are the govcloud policies loaded? "
            "/ 决策未定义"
        )
    try:
        doc = check_schema(response["result"], Decision, "decision")
    except ContractError as exc:
        reason = f"the decision is not a {DECISION_SCHEMA} document: {exc.reason}"
        raise EngineError(f"{where}: {reason} / 决策格式不符") from exc
    if doc.get("input_errors"):
        raise EngineError(f"{where}: the policies rejected the input: {doc['input_errors']} / 输入被拒绝")
    try:
        return read(Decision, doc, source="decision")
    except ContractError as exc:
        raise EngineError(f"{where}: {exc.render()} / 决策格式不符") from exc


def expand(decision: Decision, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """Decision rows + rule METADATA + the rule's clause data from the catalogue -> findings (source
    "opa"). A rule without a primary clause in the catalogue stops the gate (fail closed).

    Each rule's part of a finding (clause, family, severity, remediation, title, equivalents, test
    code, related) is built through the Finding model once per rule; a row adds its status,
    blocking, resource and message (10,000 objects give 26,000 rows: one model per row would cost
    more than the rest of the expansion)."""
    cat = catalogue if catalogue is not None else clause_catalogue.load_catalogue()
    primary = {r.id: r for r in reversed(cat.rules)}  # the first entry wins, as in Catalogue.rule
    items = {i.clause: i for i in reversed(cat.items)}
    parts: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    out: list[dict[str, Any]] = []
    for row in decision.findings:
        if row.rule_id not in parts:
            parts[row.rule_id] = _rule_part(row.rule_id, decision.rules[row.rule_id], primary, items)
        head, tail = parts[row.rule_id]
        if row.reasons:
            message = {
                "zh": "；".join(sorted(str(r.get("zh", "")) for r in row.reasons)),
                "en": "; ".join(sorted(str(r.get("en", "")) for r in row.reasons)),
            }
        else:
            meta = decision.rules[row.rule_id]
            message = {"zh": f"符合：{meta.title_zh}", "en": f"Pass: {meta.title_en}"}
        out.append(
            {
                **head,
                "status": row.status,
                "blocking": row.blocking,
                "resource": row.resource,
                "message": message,
                **tail,
            }
        )
    return out


_HEAD = ("rule_id", "clause", "family", "severity")
_TAIL = ("remediation", "title", "equivalents", "test_code", "related", "source")


def _rule_part(
    rule_id: str, meta: RuleMeta, primary: dict[str, RuleClauses], items: dict[str, Item]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields of a rule's findings that do not depend on the resource, through the Finding model."""
    clauses = primary.get(rule_id)
    item = items.get(clauses.clause) if clauses is not None else None
    if clauses is None or item is None:
        raise EngineError(
            f"Rego rule {rule_id} has no primary clause in the clause catalogue; run `govcloud "
            "catalogue` / 规则在条款目录中没有主条款"
        )
    finding = Finding(
        rule_id=rule_id,
        clause=clauses.clause,
        family=item.family,
        severity=meta.severity,
        status="pass",
        remediation=Bilingual(zh=meta.remediation_zh, en=meta.remediation_en),
        title=Bilingual(zh=meta.title_zh, en=meta.title_en),
        equivalents=item.equivalents(),
        test_code=item.test_code,
        related=list(clauses.related),
        source="opa",
    ).as_json()
    return {k: finding[k] for k in _HEAD}, {k: finding[k] for k in _TAIL}


def evaluate(
    input_doc: dict[str, Any],
    *,
    opa_url: str | None = None,
    timeout: float = 60.0,
    before_query: Callable[[OpaServer | None], None] | None = None,
) -> tuple[Decision, str | None]:
    """Evaluates the input on `opa_url`, or on a local OPA started (and stopped) for this call.

    Returns the decision and the bundle revision (None for an external server). `before_query`
    runs once the server is ready; tests use it to kill OPA mid-run.
    """
    if opa_url:
        if before_query:
            before_query(None)
        return query_decision(opa_url, input_doc, timeout), None
    with OpaServer() as server:
        if before_query:
            before_query(server)
        return query_decision(server.url, input_doc, timeout), server.revision
