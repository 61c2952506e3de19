# govcloud — the two commands: `make demo` and `make test`. Both set everything up first and are
# idempotent: a second run with nothing changed rebuilds nothing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GOVCLOUD := $(VENV)/bin/govcloud

.PHONY: setup system venv toolchain lint check test demo doctor clean

setup: system venv toolchain ## everything a fresh machine needs (Debian packages, Python env, offline tools)

system:
	@scripts/setup-system.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@echo "[setup] Python environment $(VENV) (pyproject.toml pins)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $@

toolchain: venv ## OPA, Pulumi CLI + language host, Kubernetes provider, checkov (cached, built once; ONLY=step,...)
	@$(PY) -m govcloud.toolchain.build $(if $(ONLY),--only $(ONLY))

doctor: setup
	@$(GOVCLOUD) doctor

lint: setup ## ruff, mypy --strict, opa fmt/check, ansible-lint
	@scripts/lint.sh

check: setup lint ## the fast tier: lint + every test that needs no root and no lab (`pytest -m "not lab"`)
	@$(VENV)/bin/pytest -m "not lab"

test: setup lint ## every test; pytest's exit 5 (no tests collected) fails the run like any failure
	@$(GOVCLOUD) doctor
	@$(VENV)/bin/pytest

demo: setup ## set up, then the main job end to end on the embedded lab
	@scripts/demo.sh

clean: ## remove build outputs in the repo (the tool cache outside the repo is kept)
	rm -rf out .govcloud/state .pytest_cache .mypy_cache .ruff_cache
