# The two commands a fresh machine needs (see README):
#   make synth   install everything from the lock files, synthesize all stacks
#   make test    install everything from the lock files, run the tests
# Others: make plan [ENV=dev]   offline Terraform plan, no credentials, no network

PIPENV_VERSION := 2026.10.3
PYTHON ?= python3
PY := .venv/bin/python

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

.PHONY: install synth test plan bench clean

install: .venv/.synced node_modules/.synced

.venv/.synced: Pipfile.lock
	$(PYTHON) -m pip install --quiet "pipenv==$(PIPENV_VERSION)"
	$(PYTHON) -m pipenv sync --dev
	$(PY) -m pip install --quiet --no-deps -e .  # the `mlops` command (pyproject.toml)
	@touch $@

node_modules/.synced: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

synth: install
	$(PY) main.py

test: install
	$(PY) -m pytest

plan: install
	$(PY) -m mlops_tools plan $(if $(ENV),--env $(ENV))

clean:
	rm -rf cdktf.out .pytest_cache

bench: install
	$(PY) -m pytest tests/benchmarks --benchmark-enable --benchmark-only
