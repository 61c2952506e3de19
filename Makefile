# govcloud — the two commands: `make demo` and `make test`. Both set everything up first and are
# idempotent: a second run with nothing changed rebuilds nothing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GOVCLOUD := $(VENV)/bin/govcloud

.PHONY: setup tools system venv toolchain image lint check test demo doctor clean

# On a fresh machine the Go builds take most of the set-up. They need no virtualenv (the builder is
# stdlib-only and runs on $(PYTHON)), so they start at once, beside pip filling .venv and debootstrap
# building the lab's base image: both wait mostly on the network while Go keeps the cores busy.
# No --output-sync: it holds a recipe line's output until that line ends, which hid the ten-minute
# tool build's progress until it was over. Every step prints whole, prefixed lines instead.
setup: system ## everything `make test` and `make demo` need (Debian packages, .venv, tools, lab base image)
	@$(MAKE) --no-print-directory -j3 venv toolchain image

tools: system venv toolchain ## what `make check` needs: everything but the lab's base image

system:
	@scripts/setup-system.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@echo "[setup] Python environment $(VENV) (pyproject.toml pins)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $@
	@echo "[setup] Python environment ready" 

toolchain: ## OPA, Pulumi CLI + language host, Kubernetes provider, checkov (cached, built once; ONLY=step,...)
	@$(PYTHON) -m govcloud.toolchain.build $(if $(ONLY),--only $(ONLY))

image: venv ## the lab hosts' debootstrap base image and Patroni's virtualenv (root only; cached, built once)
	@if [ "$$(id -u)" -eq 0 ]; then $(GOVCLOUD) lab image; \
	else echo "[setup] lab base image: needs root, left to the first \`govcloud lab up\`"; fi
	@$(PY) -m govcloud.toolchain.patroni

doctor: setup
	@$(GOVCLOUD) doctor

lint: tools ## ruff, mypy --strict, opa fmt/check, ansible-lint
	@scripts/lint.sh

check: tools lint ## the fast tier: lint + every test that needs no root and no lab (`pytest -m "not lab"`)
	@$(VENV)/bin/pytest -m "not lab"

test: setup lint ## every test; pytest's exit 5 (no tests collected) fails the run like any failure
	@$(GOVCLOUD) doctor
	@$(VENV)/bin/pytest

demo: setup ## set up, then the main job end to end on the embedded lab
	@scripts/demo.sh

clean: ## remove build outputs in the repo (the tool cache outside the repo is kept)
	rm -rf out .govcloud/state .pytest_cache .mypy_cache .ruff_cache
