# ZhiCheng — the two commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: lock install run serve demo test test-fast system-deps browser-deps bench-policy bench-cycle bench-draw bench-import bench-rush bench-requests bench-stats messages clean

# Every machine installs the versions the tests ran with: requirements.lock pins the whole tree
# (`make lock` regenerates it from pyproject.toml), then the project itself goes in without dependencies.
$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON) 未找到）"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

# uv resolves faster than pip-tools and writes the same pinned format; it lives in its own venv.
lock:
	test -x .venv-tools/bin/uv || { $(PYTHON) -m venv .venv-tools && .venv-tools/bin/pip install -q uv; }
	.venv-tools/bin/uv pip compile pyproject.toml --extra test --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	  --no-header --annotation-style line -o requirements.lock

# The English catalogue: the .po is kept in git, the .mo is built here (msgfmt from Debian's gettext).
LOCALE_MO := zhicheng/locale/en/LC_MESSAGES/django.mo
$(LOCALE_MO): zhicheng/locale/en/LC_MESSAGES/django.po $(STAMP)
	cd zhicheng && ../$(BIN)/zhicheng compilemessages -l en --ignore 'policy/*'

install: $(STAMP) $(LOCALE_MO)

# Debian packages the project needs at run and test time: CJK fonts for PDFs,
# Chromium for the browser tests, poppler for rendering PDF pages in tests; WenQuanYi Micro Hei is
# the TrueType CJK font ReportLab embeds, zbar decodes QR codes in tests.
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils zbar-tools gettext
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The demo goes into the embedded SQLite database without question. Into a database DATABASE_URL names only
# when load_demo finds it is not a production one (or ZHICHENG_DEMO=1 says so), and never silently.
demo: install
	$(BIN)/zhicheng migrate --noinput
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "DATABASE_URL 已设置：演示数据将载入它指向的数据库。生产配置或库名不含 demo 的 PostgreSQL 库会被拒绝（确认不是生产库时设置 ZHICHENG_DEMO=1）。"; \
	  $(BIN)/zhicheng load_demo; \
	else \
	  $(BIN)/zhicheng load_demo --i-know-this-is-not-production; \
	fi

# The demo region is the 2021 cycle (the rule set of 内人社办发〔2021〕81号), seen on 15 September 2021.
# DEMO_TODAY= (empty) runs on the real date.
DEMO_TODAY ?= 2021-09-15
# The production server (gunicorn + WhiteNoise) and a background-job worker, DEBUG off unless DEBUG=1 is set.
run: demo
	@echo "ZhiCheng 正在运行：http://127.0.0.1:$(PORT)/  （演示日期 $(DEMO_TODAY)；Ctrl-C 停止）"
	ZHICHENG_TODAY=$(DEMO_TODAY) ZHICHENG_PUBLIC_URL=$${ZHICHENG_PUBLIC_URL:-http://127.0.0.1:$(PORT)} DEBUG=$${DEBUG:-0} \
	  $(BIN)/zhicheng serve --bind 127.0.0.1:$(PORT) --with-worker

# The browser tests' own JavaScript (axe-core, injected by tests/browser/test_axe.py), exactly as
# package-lock.json pins it; no package's install scripts run. npm comes with Node.js (Debian's npm if missing).
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

browser-deps: $(NODE_STAMP)

test: install system-deps browser-deps
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not browser" -x -q

# Regenerate the domain's labels, extract every string into the English .po, compile it.
messages: install
	$(BIN)/zhicheng domain_labels
	cd zhicheng && ../$(BIN)/zhicheng makemessages -l en --ignore 'policy/*' --ignore 'demo/*' --add-location=file \
	  && ../$(BIN)/zhicheng compilemessages -l en --ignore 'policy/*'

# OpenFisca is a benchmark-only dependency: it lives in its own virtualenv.
bench-policy:
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install -q -r bench/policy_requirements.txt
	PYTHONPATH=. .venv-bench/bin/python -m bench.policy

bench-cycle: install
	$(BIN)/python -m bench.cycle

# sortition-algorithms is a benchmark-only baseline, kept out of the project's venv.
bench-draw: install
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install -q 'sortition-algorithms==0.12.15'
	$(BIN)/python -m bench.draw

# The deadline day as an open-model load (locust, headless) against zhicheng serve on PostgreSQL and SQLite
# and against the development server, then a web worker killed mid-run. locust (with gevent) is a
# benchmark-only dependency, installed into .venv-bench like the other baselines.
# RUSH_ARGS="--seconds 10 --rates 5,10" for a short run.
bench-rush: install
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install -q 'locust==2.47.0'
	$(BIN)/python -m bench.rush $(RUSH_ARGS)

# What each of bench-rush's six requests costs, in CPU instructions (valgrind's callgrind): the same count on a
# busy machine or an idle one, so that a change's effect shows however fast this session's machine is.
bench-requests: install
	$(BIN)/python -m bench.requests $(REQUESTS_ARGS)

bench-import: install
	$(BIN)/python -m bench.history_import

# The statistics page over 100,000 declarations with their timelines (issue 15: under 1 s on PostgreSQL).
bench-stats: install
	$(BIN)/python -m bench.stats $(STATS_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache node_modules
