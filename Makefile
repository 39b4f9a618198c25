# The two commands: `make run` and `make test`. Both create .venv from plain python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint bench screenshots messages

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/tribune serve --demo

test: install
	$(BIN)/python scripts/run_tests.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/tally.py

# Screenshots of the home, an STV result, the ballot, the congress and the projector, at
# 390 px and 1280 px, from the demo, into var/screenshots/ (not committed): to look without setting up.
screenshots: install
	TRIBUNE_SCREENSHOTS=var/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider tribune/web/tests/test_browser_home.py

# After changing a marked string: extract into tribune/locale/*/LC_MESSAGES/django.po (needs
# GNU gettext's xgettext, a developer's tool), translate the new entries, then compile the
# .mo files in pure Python (babel). The .mo files are committed: nothing to build on install.
messages: install
	$(BIN)/python manage.py makemessages -l es --no-obsolete --ignore=.venv --ignore='*/tests/*' --ignore=bench --ignore=scripts
	$(BIN)/python scripts/compile_messages.py
