# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
REQUIREMENTS := requirements.txt requirements-dev.txt lambdas/requirements.txt pyproject.toml
USERS ?= 1000

.PHONY: help setup test lint typecheck unit run synth deploy destroy assets clean

help:
	@echo "make run    - run the whole pipeline offline on the local twin ($(USERS) users)"
	@echo "make test   - ruff, mypy and every test"
	@echo "make synth  - CloudFormation template into cdk.out (offline)"
	@echo "make deploy / make destroy - the pinned CDK CLI against your AWS account"

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

clean:
	rm -rf $(VENV) cdk.out output .pytest_cache .mypy_cache .ruff_cache
