"""Tabular views of a plan: the address plan as rows (table and CSV output of `govcloud plan`)."""

from __future__ import annotations

import csv
import io
from typing import Any

ADDRESS_COLUMNS = (
    "centre",
    "zone",
    "owner",
    "hosts",
    "ipv4",
    "ipv4_gateway",
    "ipv6",
    "ipv6_gateway",
    "utilisation",
)


def address_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per segment, ordered by centre, zone and owner."""
    rows = [
        {
            "centre": s["centre"],
            "zone": s["zone"],
            "owner": s["owner"],
            "hosts": s["hosts"],
            "ipv4": s["ipv4"]["prefix"],
            "ipv4_gateway": s["ipv4"]["gateway"],
            "ipv6": s["ipv6"]["prefix"],
            "ipv6_gateway": s["ipv6"]["gateway"],
            "utilisation": s["utilisation"],
        }
        for s in doc["address_plan"]["segments"]
    ]
    return sorted(rows, key=lambda r: (r["centre"], r["zone"], r["owner"]))


def to_csv(doc: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(ADDRESS_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(address_rows(doc))
    return out.getvalue()
