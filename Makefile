# discharge-call-scheduler. Fresh machine: `make dev` (the local stack) or `make test` (what CI runs); README.md.
# Everything installs into the project: .tools (uv), .venv (Python deps from uv.lock).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_COMPILE_BYTECODE := 1
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1
export PYTHONPATH := $(CURDIR):$(CURDIR)/functions

PHONY_DEV := dev token
.PHONY: $(PHONY_DEV) help install audit browser lint jslint error-codes typecheck unit coverage integration e2e infra-tests test extension openapi schemathesis synth bootstrap deploy destroy retell-agent invoke bench soak iam-report clean

help:  ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed  ## Install Python dependencies (uv, from the lock file)

# Known vulnerabilities in what the lock files pin: pip-audit over uv.lock (exported with its hashes) and npm audit
# over package-lock.json. Both ask an advisory service over the network (PyPI's JSON API, npm's bulk advisories), so
# this is a target of its own, never part of `make test`: where the services cannot be reached it fails, loudly
# (`--strict`: a package that could not be checked fails the audit rather than passing unchecked). pip-audit is
# pinned and run through uv at run time, not locked with the dev dependencies. Python fails on any known
# vulnerability (pip-audit tells no severity); npm on a high or critical one. Both run, whatever the first says.
PIP_AUDIT := pip-audit==2.10.1
AUDIT_REQUIREMENTS := .build/audit-requirements.txt

audit: $(UV)  ## Known vulnerabilities: pip-audit over uv.lock, npm audit (high, critical) over package-lock.json; needs their services online
	@mkdir -p $(dir $(AUDIT_REQUIREMENTS))
	$(UV) export --frozen --format requirements-txt --all-groups --no-emit-project --quiet -o $(AUDIT_REQUIREMENTS)
	@status=0; \
	echo "pip-audit over uv.lock ($(PIP_AUDIT))"; \
	$(UV) tool run --from $(PIP_AUDIT) pip-audit --requirement $(AUDIT_REQUIREMENTS) --disable-pip --require-hashes \
		--strict --progress-spinner off || status=1; \
	echo "npm audit over package-lock.json (high and critical)"; \
	npm audit --audit-level=high --package-lock-only || status=1; \
	exit $$status

# The JavaScript's checks (extension/): ESLint (eslint.config.mjs) and TypeScript's checker on its JSDoc types
# (tsconfig.json; nothing is compiled). Both come from package-lock.json through node_modules/.installed.
ESLINT := node_modules/.bin/eslint --max-warnings 0 .
TSC := node_modules/.bin/tsc -p tsconfig.json

lint: install jslint  ## ruff, ESLint and tsc (checkJs): style, lint and the JavaScript's types
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

jslint: node_modules/.installed  ## The JavaScript alone: ESLint, then tsc --noEmit over the JSDoc types
	$(ESLINT)
	$(TSC)

typecheck: install  ## mypy --strict on the code that ships
	$(VENV)/bin/mypy shared functions infra app.py tests scripts bench local standins

# The test tiers: every folder under tests/ with tests in it belongs to exactly one (tests/unit/test_make_tiers.py
# checks it against this file); `make test` runs them all, in one pytest session.
UNIT_TESTS := tests/unit tests/javascript
INTEGRATION_TESTS := tests/integration tests/contract
E2E_TESTS := tests/e2e tests/dashboard tests/extension
INFRA_TESTS := tests/infra

unit: install node_modules/.installed  ## Unit tests: pure logic, the services through in-memory fakes of their ports, the JavaScript's wall clock and import graph
	$(VENV)/bin/pytest $(UNIT_TESTS) -q

integration: install node_modules/.installed  ## Integration and contract tests: the real handlers on moto and the simulated Retell, Schemathesis against make dev
	$(VENV)/bin/pytest $(INTEGRATION_TESTS) -q

e2e: install node_modules/.installed browser  ## The whole stack and the browsers: make dev over HTTP, the dashboard and the extension in headless Chromium
	$(VENV)/bin/pytest $(E2E_TESTS) -q

infra-tests: install node_modules/.installed  ## The CDK stack: synthesized template, cdk-nag, cfn-lint, the IAM evaluator
	$(VENV)/bin/pytest $(INFRA_TESTS) -q

coverage: install  ## How much of shared/logic and shared/domain the unit tests alone cover (a figure, not a gate)
	$(VENV)/bin/coverage run --branch --source=shared/logic,shared/domain -m pytest tests/unit -q -p no:cacheprovider
	$(VENV)/bin/coverage report --show-missing --skip-covered

browser:  ## Debian's Chromium for the extension's browser tests (apt; skipped when present)
	@scripts/install-chromium.sh

test: install node_modules/.installed browser  ## Lint, type checks (Python and JavaScript) and every test (what CI runs)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(ESLINT)
	$(VENV)/bin/mypy shared functions infra app.py tests scripts bench local standins
	$(TSC)
	$(VENV)/bin/pytest -q

error-codes: install  ## Write the API's error codes for the JavaScript: extension/lib/error-codes.js
	$(PY) -m scripts.error_codes > extension/lib/error-codes.js
	@echo "wrote extension/lib/error-codes.js"

openapi: install  ## Write the API's OpenAPI 3.1 document to docs/openapi.json
	$(PY) -m scripts.openapi > docs/openapi.json
	@echo "wrote docs/openapi.json"

schemathesis: install  ## Schemathesis against the local stack: docs/openapi.json vs what the API does (EXAMPLES=300, SEED=)
	$(PY) -m scripts.conformance --examples $(or $(EXAMPLES),300) $(if $(SEED),--seed $(SEED)) --reports test-artifacts/schemathesis

extension: install  ## Check the Chrome extension and zip it for the Web Store: dist/ (API_URL=, COGNITO_CLIENT_ID=)
	$(PY) -m scripts.build_extension

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

synth: install node_modules/.installed  ## cdk synth: template, cdk-nag, layers built without Docker (no AWS account needed)
	CDK_OUTDIR=cdk.out $(PY) app.py
	@echo "templates in cdk.out/"

bootstrap: install node_modules/.installed  ## cdk bootstrap, once per account and region
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk bootstrap $(CDK_ARGS)

deploy: install node_modules/.installed  ## cdk deploy to the account in your AWS credentials (docs/operator-guide.md)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk deploy --require-approval broadening --outputs-file .build/cdk-outputs.json $(CDK_ARGS)

retell-agent: LANGUAGES ?= en-US
retell-agent: install  ## Create or update each language's Retell voice and text agents (LANGUAGES=en-US,es-US; RETELL_API_KEY, RETELL_BASE_URL, WEBHOOK_URL); prints the settings' agents last
	@$(PY) -m scripts.retell_agent --languages '$(LANGUAGES)' $(RETELL_AGENT_ARGS)

destroy: install node_modules/.installed  ## cdk destroy (the table, key, user pool and Retell secret are retained)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk destroy $(CDK_ARGS)

dev: install node_modules/.installed  ## The local stack: API on :$${PORT:-3000}, dashboard on :$${WEB_PORT:-3002}, moto, scheduler loop, simulated Retell (Ctrl-C stops it)
	$(PY) -m local.dev

token: install  ## A bearer token for the local stack: make token CLINIC=demo ROLE=admin (last line)
	@$(PY) -m standins.tokens --clinic "$(or $(CLINIC),demo)" --role "$(or $(ROLE),admin)"

invoke: install  ## Invoke a handler with a sample event: make invoke FN=api EVENT=events/api/...
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=api EVENT=events/api/health.json"; exit 2; }
	$(PY) -m scripts.invoke $(FN) $(EVENT)

.PHONY: retention-backfill
retention-backfill: install  ## Once, after deploying retention and erasure onto a stack with calls: digests, final times, the purge's clinics (TABLE_NAME, PAGE_TOKEN_SECRET_NAME)
	$(PY) -m scripts.retention_backfill

iam-report: install  ## Least privilege: each role's grants no test used (from .build/iam-requests.json; runs tests/integration and tests/e2e if absent)
	@test -f .build/iam-requests.json || $(VENV)/bin/pytest tests/integration tests/e2e -q -p no:randomly
	@$(PY) -m scripts.iam_report

bench: install  ## Benchmarks: cold-start imports, API latency against moto, AWS calls per request
	$(PY) -m bench.run

soak: install  ## N calls (default 10000) through make dev: lost, double dials, disagreements, calls/s, peak memory
	$(PY) -m bench.soak --calls $(or $(N),10000) $(SOAK_ARGS)

clean:  ## Remove installed tools, caches and build output
	rm -rf $(TOOLS) $(VENV) cdk.out .build dist test-artifacts node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
