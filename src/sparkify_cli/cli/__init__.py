"""The `sparkify` command line: the Typer app of app.py with every command composed onto it here,
explicitly and in workflow order (the order `sparkify --help` lists them). Command modules import
their services inside the commands, so `sparkify --help` stays fast."""

from __future__ import annotations

from sparkify_cli.cli import check, config, demo, generate, infra, init, inspect, pipeline, prune, report
from sparkify_cli.cli.app import app

app.command()(demo.demo)
app.command()(init.init)
app.command()(pipeline.run)
app.command()(pipeline.stage)
app.command()(pipeline.load)
app.command()(check.check)
app.add_typer(report.report_app, name="report")
app.command()(inspect.status)
app.command()(prune.prune)
app.add_typer(inspect.runs_app, name="runs")
app.command()(inspect.rejects)
app.command()(inspect.query)
app.add_typer(pipeline.schema_app, name="schema")
app.command()(generate.generate)
app.add_typer(infra.infra_app, name="infra")
app.add_typer(config.config_app, name="config")

__all__ = ["app", "main"]


def main() -> None:
    app()
