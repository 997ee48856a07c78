# eVillage: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install browser lint format migrate demo clean ci

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/evillage compile_translations

migrate: install
	mkdir -p var
	$(BIN)/evillage migrate --no-input

demo: migrate
	$(BIN)/evillage seed_demo

# The worker (task queue + order deadlines) runs beside the web server and stops with it.
run: demo
	$(BIN)/evillage worker & WORKER=$$!; trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/uvicorn evillage.asgi:application --host $(HOST) --port $(PORT) --lifespan off --ws websockets-sansio

# Debian's Chromium and a CJK font for the browser tests (Playwright cannot download
# its own browser here). Needs root or sudo; skipped with a warning otherwise.
browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi wenquanyi; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	elif command -v sudo >/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	else echo "warning: chromium missing; browser tests will be skipped"; fi

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -m "not browser and not redis"
	@# In a process of their own: after other transactional tests in the same process, the
	@# live server sometimes sees the seeded categories missing (an open problem).
	$(BIN)/pytest -q -m browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/evillage.sqlite3* var/media var/static
