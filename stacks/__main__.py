"""The govcloud Pulumi program: the plan of the stack, built centre by centre.

pulumi preview -s lab     # renders every centre's manifests under out/lab/<centre>
pulumi up -s chuzhou      # targets each centre's kube context
"""

from __future__ import annotations

import pulumi

from govcloud.components import Centre
from govcloud.components.config import stack_plan

# 1. The plan (validated before any resource is declared: an invalid plan deploys nothing), and
# the slice of it this stack deploys (`govcloud:deploy`; the whole plan unless set).
plan, selection = stack_plan()
doc = plan.to_json()

# 2. 两地三中心: one Centre per centre, each with its tenant systems (信息系统).
centres = {
    c.id: Centre(c.id, plan, c.id, selection=selection)
    for c in plan.config.centres
    if selection.has_centre(c.id)
}

# 3. The embedded lab (lab plans only): namespaces, links, boundary firewalls and hosts on this
# machine, declared by govcloud.labstack from the same plan (with the security services and the HA
# stack). It needs root, so a stack opts in with `lab:declare: true` in its config (Pulumi.lab.yaml
# does; `govcloud lab up` runs this program).
if plan.lab and pulumi.Config("lab").get_bool("declare"):
    from govcloud.labstack import declare_lab

    declare_lab(doc, pulumi.get_stack())

# 4. Outputs, in the `govcloud plan` JSON schema (govcloud.plan/v1).
pulumi.export("schema", doc["schema"])
pulumi.export("address_plan", doc["address_plan"])
pulumi.export("hosts", {c: [h for h in doc["hosts"] if h["centre"] == c] for c in centres})
pulumi.export("dr_topology", plan.dr_topology())
pulumi.export("kubernetes_targets", {cid: centre.target for cid, centre in centres.items()})
pulumi.export("plan", doc)
pulumi.export("deploy", selection.to_json())
