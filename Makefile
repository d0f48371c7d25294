# hko-research — make targets. `make` alone lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEED ?= 2021
YEARS ?= 2017-2021
DATA := data/synthetic
# Test oracles and fixtures makers: headless browser, SAS (readstat) and SPSS (pspp) writers, R's survey
# and sandwich packages (reference implementations the survey and model code is checked against).
DEBIAN_TEST_PACKAGES := chromium chromium-driver readstat pspp r-base-core r-cran-survey r-cran-sandwich
PARAMS ?= params/default.yaml
SYNTH_SOURCES := $(shell find src/hko_research/synth src/hko_research/analyses/*/synth -name '*.py' -o -name '*.yaml' 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help venv data report test lint lab validate system-deps lock clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# --no-compile: byte-compiling ~170 packages at install time costs ~40 s; Python compiles what it imports
# and caches it in __pycache__. Not where the machine sets PYTHONDONTWRITEBYTECODE (this one does): then
# every kernel and test process compiled pandas, scipy and seaborn again, ~8 s each (measured on
# notebook 00: 30.8 -> 20.0 s). The targets below let Python keep what it compiled.
unexport PYTHONDONTWRITEBYTECODE
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV)/.installed ## Create .venv from the pinned lock (requirements.lock)

$(DATA)/DATASET.yaml: $(VENV)/.installed $(SYNTH_SOURCES)
	$(BIN)/hko-research synth --years $(YEARS) --seed $(SEED) --out $(DATA)

data: $(DATA)/DATASET.yaml ## Generate the default synthetic data (data/synthetic)

report: venv data ## Run the full report for params/default.yaml; prints the output folder last
	$(BIN)/hko-research run -p $(PARAMS)

validate: venv data ## Validate the inputs of params/default.yaml without running anything
	$(BIN)/hko-research validate -p $(PARAMS)

system-deps: ## Install the Debian packages the tests use when missing (browser, SAS/SPSS tools, R oracles)
	@missing=$$(for p in $(DEBIAN_TEST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi

test: venv data system-deps ## Run the whole test suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q --durations=15

lint: venv ## ruff over package, tests, notebooks and benchmarks; notebooks stored without outputs
	$(BIN)/ruff check src tests notebooks benchmarks
	$(BIN)/nbstripout --keep-id --verify notebooks/*.ipynb

lab: venv ## Open JupyterLab on the notebooks with the project's kernel
	$(BIN)/python -m ipykernel install --sys-prefix --name hko-research --display-name "hko-research (.venv)" >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks

lock: ## Re-resolve requirements.lock from pyproject.toml (needs network to PyPI)
	rm -rf /tmp/hko-lock && $(PYTHON) -m venv /tmp/hko-lock
	/tmp/hko-lock/bin/pip install --quiet -e '.[test]' setuptools wheel
	{ echo "# Pinned lock for pip (Python 3.11). Regenerate with: make lock"; \
	  /tmp/hko-lock/bin/pip freeze --all --exclude-editable | grep -v -E '^pip==' | sort -f; } > requirements.lock

clean: ## Remove generated data and outputs (keeps .venv)
	rm -rf data/synthetic outputs/*/ outputs/.cache
