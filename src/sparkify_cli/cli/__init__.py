"""The `sparkify` command line. Each module registers its commands on the shared app;
services are imported inside the commands so `sparkify --help` stays fast."""

from __future__ import annotations

from sparkify_cli.cli import check, config, demo, generate, infra, inspect, pipeline, report  # noqa: F401  (registers commands)
from sparkify_cli.cli.app import app


def main() -> None:
    app()
