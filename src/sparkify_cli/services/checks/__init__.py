"""Data-quality checks: the built-in ones (specs.py), user TOML checks (config.py), running them
(run.py) and JUnit XML for CI dashboards (junit.py)."""
