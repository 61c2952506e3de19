"""The govcloud Pulumi program: the plan of the stack, built centre by centre.

pulumi preview -s lab     # renders every centre's manifests under out/lab/<centre>
pulumi up -s chuzhou      # targets each centre's kube context
"""

from __future__ import annotations

import importlib
import importlib.util

import pulumi

from govcloud.components import Centre
from govcloud.components.config import plan_from_stack

# 1. The plan (validated before any resource is declared: an invalid plan deploys nothing).
plan = plan_from_stack()
doc = plan.to_json()

# 2. 两地三中心: one Centre per centre, each with its tenant systems (信息系统).
centres = {c.id: Centre(c.id, plan, c.id) for c in plan.config.centres}

# 3. ---- LAB INFRASTRUCTURE HOOK (owned by `govcloud.lab`, not by this program) -----------------
# The lab engineer's module declares the lab's namespaces, links, firewalls and hosts from the plan
# (`govcloud.lab.declare_lab(plan_json, stack)`). It runs only for lab plans, only when that module
# exists, and only when the stack opts in with `pulumi config set lab:declare true`, because it
# needs root and builds real network namespaces on this machine. Nothing else goes here.
if plan.lab and pulumi.Config("lab").get_bool("declare") and importlib.util.find_spec("govcloud.lab"):
    lab = importlib.import_module("govcloud.lab")
    declare_lab = getattr(lab, "declare_lab", None)
    if not callable(declare_lab):
        raise pulumi.RunError("lab:declare is set but govcloud.lab has no declare_lab(plan_json, stack)")
    declare_lab(doc, pulumi.get_stack())
# ----------------------------------------------------------------------------------------------

# 4. Outputs, in the `govcloud plan` JSON schema (govcloud.plan/v1).
pulumi.export("schema", doc["schema"])
pulumi.export("address_plan", doc["address_plan"])
pulumi.export("hosts", {c: [h for h in doc["hosts"] if h["centre"] == c] for c in centres})
pulumi.export("dr_topology", plan.dr_topology())
pulumi.export("kubernetes_targets", {cid: centre.target for cid, centre in centres.items()})
pulumi.export("plan", doc)
