"""The 等保 policy gate: input normalisation, the OPA engine, waivers, checkov and report formats.

Entry point for callers: `govcloud.policy.gate.run_gate`. The Rego rules live in policies/govcloud/,
the clause catalogue in policies/catalogue.yaml (docs/policy.md describes both).
"""
