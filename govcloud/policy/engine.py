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

from govcloud.policy.errors import EngineError
from govcloud.policy.opa_server import OpaServer

DECISION_SCHEMA = "govcloud.decision/v2"
ROW_KEYS: dict[str, type] = {
    "rule_id": str,
    "status": str,
    "blocking": bool,
    "resource": dict,
    "reasons": list,
}
RULE_KEYS: dict[str, type] = {
    "id": str,
    "clause": str,
    "family": str,
    "severity": str,
    "levels": list,
    "mandatory_levels": list,
    "title_zh": str,
    "title_en": str,
    "remediation_zh": str,
    "remediation_en": str,
}


def client_for(url: str, timeout: float) -> OpaClient:
    """An opa-python-client for an OPA base URL such as http://127.0.0.1:8181."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise EngineError(f"--opa-url {url!r}: expected http(s)://host:port / OPA 地址格式错误")
    if parts.path not in {"", "/"}:
        raise EngineError(f"--opa-url {url!r}: give the server root, not a path / 只需服务器根地址")
    port = parts.port or (443 if parts.scheme == "https" else 8181)
    return OpaClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", timeout=timeout, retries=0)


def query_decision(url: str, input_doc: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
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


def check_decision(response: Any, url: str) -> dict[str, Any]:
    """Refuses anything that is not a govcloud.decision/v1 document with well-formed findings."""
    where = f"OPA at {url}"
    if not isinstance(response, dict) or "result" not in response:
        raise EngineError(
            f"{where}: data.govcloud.main.decision is undefined — are the govcloud policies loaded? "
            "/ 决策未定义"
        )
    decision = response["result"]
    if not isinstance(decision, dict) or decision.get("schema") != DECISION_SCHEMA:
        raise EngineError(f"{where}: the decision is not a {DECISION_SCHEMA} document / 决策格式不符")
    if decision.get("input_errors"):
        raise EngineError(
            f"{where}: the policies rejected the input: {decision['input_errors']} / 输入被拒绝"
        )
    findings = decision.get("findings")
    rules = decision.get("rules")
    if not isinstance(findings, list) or not isinstance(rules, dict):
        raise EngineError(f"{where}: decision.findings/rules missing or of the wrong type / 格式不符")
    for rid, meta in rules.items():
        for key, kind in RULE_KEYS.items():
            if not isinstance(meta, dict) or not isinstance(meta.get(key), kind):
                raise EngineError(
                    f"{where}: rules[{rid}].{key} is missing or not a {kind.__name__} / 格式不符"
                )
    for i, row in enumerate(findings):
        if not isinstance(row, dict):
            raise EngineError(f"{where}: findings[{i}] is not an object / 格式不符")
        for key, kind in ROW_KEYS.items():
            if not isinstance(row.get(key), kind):
                raise EngineError(
                    f"{where}: findings[{i}].{key} is missing or not a {kind.__name__} / 格式不符"
                )
        if row["status"] not in {"pass", "fail"} or row["rule_id"] not in rules:
            raise EngineError(f"{where}: findings[{i}] has an unknown status or rule / 状态或规则未知")
    if not isinstance(decision.get("unevaluated", []), list):
        raise EngineError(f"{where}: decision.unevaluated is not a list / 格式不符")
    return decision


def expand(decision: dict[str, Any]) -> list[dict[str, Any]]:
    """Decision rows + rule metadata -> contracts §3 findings (source "opa")."""
    rules: dict[str, dict[str, Any]] = decision["rules"]
    out: list[dict[str, Any]] = []
    for row in decision["findings"]:
        meta = rules[row["rule_id"]]
        reasons = row["reasons"]
        if reasons:
            message = {
                "zh": "；".join(sorted(str(r.get("zh", "")) for r in reasons)),
                "en": "; ".join(sorted(str(r.get("en", "")) for r in reasons)),
            }
        else:
            message = {"zh": f"符合：{meta['title_zh']}", "en": f"Pass: {meta['title_en']}"}
        out.append(
            {
                "rule_id": row["rule_id"],
                "clause": meta["clause"],
                "family": meta["family"],
                "severity": meta["severity"],
                "status": row["status"],
                "blocking": row["blocking"],
                "resource": row["resource"],
                "message": message,
                "remediation": {"zh": meta["remediation_zh"], "en": meta["remediation_en"]},
                "title": {"zh": meta["title_zh"], "en": meta["title_en"]},
                "equivalents": meta.get("equivalents", {}),
                "test_code": meta.get("test_code"),
                "related": meta.get("related", []),
                "source": "opa",
            }
        )
    return out


def evaluate(
    input_doc: dict[str, Any],
    *,
    opa_url: str | None = None,
    timeout: float = 60.0,
    before_query: Callable[[OpaServer | None], None] | None = None,
) -> tuple[dict[str, Any], str | None]:
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
