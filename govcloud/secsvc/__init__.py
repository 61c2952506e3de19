"""安全管理中心 security services of the lab: bastion, log audit, time, IDS and WAF.

`layout` says which lab host runs which service (from the plan's `security_services`); the
`*_conf` modules render each service's configuration (pure text, unit-tested); `process` starts
programs inside a host's namespaces; `host_services` and `sensor` are the operations behind the
lab's Pulumi resources; `store` reads the collector's log store and `soc` summarises it.
"""
