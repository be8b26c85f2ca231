# The two commands a new user needs (README): `make demo` and `make test`.
# Both install uv and the locked environment first, so a fresh clone needs only Python 3.12.
PYTHON ?= python3
UV := $(PYTHON) -m uv
# pytest-xdist workers: one per core of a CI runner; the tests on the demo's fit share one worker
WORKERS ?= 2

.PHONY: setup demo test test-fast test-quick lint bench docs dashboard

setup:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --all-extras

demo: setup ## dbt build on the bundled demo data into ./mmm.duckdb
	$(UV) run dbt build

test: setup ## the whole test suite, the public-data default fits included (what CI runs); prints the 25 slowest steps, where CI's time goes
	$(UV) run pytest -n $(WORKERS) --dist loadgroup --durations=25

test-fast: setup ## without the public-data fits and the demo's full fit (about 12 min)
	$(UV) run pytest -n $(WORKERS) --dist loadgroup -m "not slow and not fit"

test-quick: setup ## units, generated posteriors, compiled SQL, every form pair's marts, one tiny end-to-end build (under 3 min)
	$(UV) run pytest -n $(WORKERS) --dist loadgroup -m "quick or not (slow or fit or dbt)"

dashboard: setup ## the results dashboard on http://localhost:8501 (reads ./mmm.duckdb read-only)
	$(UV) run streamlit run dashboard/app.py --server.headless true --browser.gatherUsageStats false

lint: setup
	$(UV) run ruff check . && $(UV) run ruff format --check . && $(UV) run mypy

bench: setup
	$(UV) run python bench/bench_panel.py
