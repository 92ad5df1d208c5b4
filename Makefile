# The project's contract with its users: `make run` and `make test` on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test test-next-year test-services setup system-deps lint typecheck messages check-deploy clean worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

setup: system-deps $(STAMP)

# Links in email, QR codes and certificates name the port served here unless SITE_URL is set.
run: SITE_URL ?= http://127.0.0.1:$(PORT)
run: setup
	$(BIN)/python manage.py migrate --no-input
	SITE_URL='$(SITE_URL)' $(BIN)/python manage.py load_demo
	SITE_URL='$(SITE_URL)' $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on embedded defaults (SQLite, Celery eager, locmem email).
test: setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# The whole suite again with the clock a year ahead (tests/clock.py): no test may need today.
test-next-year: setup
	CCSO_TEST_CLOCK_SHIFT_DAYS=$${CCSO_TEST_CLOCK_SHIFT_DAYS:-365} $(BIN)/pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL and a live Celery worker on Redis.
test-services: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ccso} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/pytest $(PYTEST_ARGS)

worker: setup
	$(BIN)/celery -A config worker --beat --loglevel=info

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy .

# Update one app's Chinese catalogue (make messages APP=lms), or all of them; then compile.
APPS := core accounts cms lms exams certification reviews
messages: setup
	@for app in $(or $(APP),$(APPS)); do \
	  mkdir -p $$app/locale && (cd $$app && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete --no-location) || exit 1; \
	done
	$(BIN)/python manage.py compilemessages --ignore=.venv

check-deploy: setup
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(openssl rand -hex 40) \
	DJANGO_ALLOWED_HOSTS=academy.example.cn SITE_URL=https://academy.example.cn DATABASE_URL=sqlite:///:memory: REDIS_URL=redis://127.0.0.1:6379/0 \
	CCSO_OB_SIGNING_KEYS=$$($(BIN)/python -m certification.openbadges.keygen check-deploy 2>/dev/null) \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
