"""The embedded 两地三中心 lab's parts: three centres, links, boundary firewalls, delay relays and SSH
hosts on this machine, from the lab's view of the plan (`lab.spec`).

The lab stack that composes these with the security services and the drill database's HA stack, its
Pulumi providers and the Automation API driver live one layer up, in `govcloud.labstack`. See
docs/lab.md.
"""
