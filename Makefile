# The README's two commands: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEMO_ARGS ?= --cycles 4

# Debian packages the tests start as real peers (installed only when root and missing).
APT_PACKAGES := snmp snmpd influxdb prometheus-alertmanager prometheus-snmp-exporter \
	victoria-metrics nats-server chromium chromium-driver tshark tcpdump iproute2 \
	openssh-client openssh-server git fonts-wqy-microhei curl \
	dnsmasq-base prometheus-blackbox-exporter rsyslog rsyslog-gnutls bsdutils openssl

.PHONY: demo test setup system lint bench clean compiled

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	@touch $@

system:
	@if [ "$$(id -u)" = 0 ]; then \
		missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
		if [ -n "$$missing" ]; then \
			echo "installing Debian packages: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		fi; \
	else \
		echo "not root: skipping Debian packages ($(APT_PACKAGES)); tests needing them will skip with a reason"; \
	fi

# The per-poll hot path compiled by mypyc (netmon/speedups.py); rebuilt when a listed source
# changes. A failed build leaves plain Python (same results, more CPU), never a broken setup.
COMPILED_SOURCES := $(shell sed -e 's/\#.*//' netmon/compiled-modules.txt)
$(VENV)/.compiled: $(VENV)/.installed netmon/compiled-modules.txt $(COMPILED_SOURCES)
	-$(PY) -m netmon.speedups build
	@touch $@

compiled: $(VENV)/.compiled

setup: system $(VENV)/.installed $(VENV)/.compiled

demo: setup
	$(VENV)/bin/netmon demo $(DEMO_ARGS)

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

bench: setup
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	-$(PY) -m netmon.speedups clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
