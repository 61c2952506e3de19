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
if [ -n "$(find policies -name '*.rego' 2>/dev/null | head -1)" ]; then
  echo "[lint] opa fmt + opa check --strict + opa test --coverage (policies/, threshold 90%)"
  "$OPA" fmt --fail --list policies
  "$OPA" check --strict policies
  "$OPA" test --coverage --threshold 90 policies/govcloud >/dev/null
  echo "[lint] clause catalogue agrees with the rules"
  $V/govcloud catalogue >/dev/null
fi
if [ -d playbooks ]; then
  echo "[lint] ansible-lint --profile production (playbooks/)"
  (cd playbooks && ../$V/ansible-lint --profile production --offline)
fi
