# The two set-up commands: `make demo` (crawl the bundled sample sites and serve the archive)
# and `make test` (the test suite). Both create the virtualenv on first use.
VENV ?= .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/kommunarkiv demo

test: $(STAMP)
	$(VENV)/bin/pytest -q

# Daily work: everything but whole crawls, servers and browsers (tests marked slow).
test-fast: $(STAMP)
	$(VENV)/bin/pytest -q -m "not slow"
