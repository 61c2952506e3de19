"""RPO and RTO from the client's journal (not from the orchestrator's view).

RPO (count)  = acknowledged writes absent from the final primary.
RPO (time)   = wall time of the last ack before the fault minus that of the last surviving ack
               before it (0 when nothing acknowledged was lost).
RTO (write)  = first ack served by the new primary after the fault instant minus that instant
               (the instant is taken after the injection took effect).
In-doubt writes (sent, never acknowledged) are counted apart: neither outcome is data loss.
"""

from __future__ import annotations

import itertools
from typing import Any


def analyse(journal: list[dict[str, Any]], present: set[int], events: list[dict[str, Any]]) -> dict[str, Any]:
    acks = [r for r in journal if r.get("ev") == "ack"]
    errs = [r for r in journal if r.get("ev") == "err"]
    connfails = [r for r in journal if r.get("ev") == "connfail"]
    acked = {int(r["n"]) for r in acks}
    in_doubt = {int(r["n"]) for r in errs}
    lost = sorted(acked - present)
    unexpected = sorted(present - acked - in_doubt)
    result: dict[str, Any] = {
        "writes_attempted": len(acks) + len(errs) + len(connfails),
        "writes_acknowledged": len(acks),
        "rpo_writes_lost": len(lost),
        "lost_sample": lost[:20],
        "writes_in_doubt": len(in_doubt),
        "in_doubt_survived": len(in_doubt & present),
        "connection_failures": len(connfails),
        "unexpected_rows": len(unexpected),
        "longest_write_gap_s": _longest_gap(acks),
        "nodes_served": sorted({str(r.get("node")) for r in acks}),
    }
    per_event = []
    for ev in events:
        t = int(ev["t_ns"])
        first = next((r for r in acks if int(r["t"]) > t and r.get("node") == ev["new_primary"]), None)
        before = [r for r in acks if int(r["t"]) <= t]
        surviving = [r for r in before if int(r["n"]) in present]
        rpo_s = 0.0
        if before and (not surviving or before[-1]["n"] != surviving[-1]["n"]):
            last_ok = int(surviving[-1]["wall"]) if surviving else int(before[0]["wall"])
            rpo_s = (int(before[-1]["wall"]) - last_ok) / 1e9
        per_event.append(
            {
                "kind": ev["kind"],
                "new_primary": ev["new_primary"],
                "rto_write_s": round((int(first["t"]) - t) / 1e9, 3) if first else None,
                "first_write_n": int(first["n"]) if first else None,
                "acked_before": len(before),
                "lost_before": len([r for r in before if int(r["n"]) not in present]),
                "rpo_s": round(rpo_s, 3),
            }
        )
    result["events"] = per_event
    rtos = [e["rto_write_s"] for e in per_event]
    result["rto_write_s"] = None if not rtos or None in rtos else max(rtos)
    result["rpo_s"] = max((e["rpo_s"] for e in per_event), default=0.0)
    return result


def _longest_gap(acks: list[dict[str, Any]]) -> float:
    gap = 0
    for prev, cur in itertools.pairwise(acks):
        gap = max(gap, int(cur["t"]) - int(prev["t"]))
    return round(gap / 1e9, 3)
