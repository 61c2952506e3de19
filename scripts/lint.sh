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
if [ -d policies ] && compgen -G "policies/**/*.rego" >/dev/null || compgen -G "policies/*.rego" >/dev/null; then
  echo "[lint] opa fmt + opa check --strict (policies/)"
  "$OPA" fmt --fail --list policies
  "$OPA" check --strict policies
fi
if [ -d playbooks ]; then
  echo "[lint] ansible-lint --profile production (playbooks/)"
  (cd playbooks && ../$V/ansible-lint --profile production --offline)
fi
