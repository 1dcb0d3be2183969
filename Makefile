# Two entry points for a fresh machine (see README.md):
#   make book   set up .venv and build the HTML book into _build/html
#   make test   set up .venv (and Chromium) and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup book test chromium clean

setup: $(STAMP)

JUPYTER_HOOK := etc/jupyter/jupyter_server_config.json

# The Jupyter server config (a pre-save hook: no plotly PNG snapshots in saved
# notebooks) goes into the environment, so `.venv/bin/jupyter lab` uses it.
$(STAMP): requirements.txt pyproject.toml $(JUPYTER_HOOK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	mkdir -p $(VENV)/etc/jupyter
	cp $(JUPYTER_HOOK) $(VENV)/etc/jupyter/
	touch $(STAMP)

book: setup
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "The book is in _build/html (open _build/html/index.html)."

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# Package tests, nbval over every chapter (fresh kernel, stored outputs compared;
# exclusions in conftest.py), and the browser test, which builds the book itself.
test: setup chromium
	$(BIN)/python -m pytest tests book --nbval --nbval-current-env \
		--nbval-cell-timeout=600 -p no:cacheprovider -q -rA --durations=15

clean:
	rm -rf _build test-artifacts
