#!/usr/bin/env bash
# The quality gates `make test` runs: ruff, mypy --strict, opa fmt/check, ansible-lint.
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin
OPA=$($V/python -c 'from govcloud.toolchain.env import tool_path; print(tool_path("opa"))')
echo "[lint] ruff"
$V/ruff check govcloud tests bench stacks scripts
echo "[lint] mypy --strict govcloud"
$V/mypy
echo "[lint] generated contract files are up to date (docs/schemas, docs/contracts.md, policies/schemas)"
$V/python -m govcloud.contracts.generate --check
if [ -n "$(find policies -name '*.rego' 2>/dev/null | head -1)" ]; then
  echo "[lint] opa fmt + opa check --strict --schema (typed by the contracts) + opa test --coverage (threshold 90%)"
  "$OPA" fmt --fail --list policies
  "$OPA" check --strict --schema policies/schemas/check-input.json policies
  "$OPA" test --coverage --threshold 90 policies/govcloud >/dev/null
  echo "[lint] clause catalogue agrees with the rules"
  $V/govcloud catalogue >/dev/null
fi
if [ -d playbooks ]; then
  echo "[lint] ansible-lint --profile production (playbooks/)"
  (cd playbooks && ../$V/ansible-lint --profile production --offline)
fi
