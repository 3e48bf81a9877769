"""A finished CLI: every command is in the README, every --help has an example, every option a help
text; NO_COLOR is honoured; output off a terminal has no colour codes or progress bars."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from sparkify_cli.cli import app
from support.cli import invoke
from support.data import event, write_source

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(command: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command a user can run: leaves, and groups that run on their own (like `report`)."""
    command = command or typer.main.get_command(app)
    subcommands = getattr(command, "commands", None)
    if subcommands is None or (path and getattr(command, "invoke_without_command", False)):
        yield path, command
    for name, sub in (subcommands or {}).items():
        if not sub.hidden:
            yield from commands(sub, (*path, name))


COMMANDS = sorted(commands())
NAMES = [" ".join(path) for path, _ in COMMANDS]


def test_the_command_tree_is_found() -> None:
    assert {"run", "query", "report", "report matches", "schema create", "config show"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert re.search(rf"sparkify {re.escape(name)}(?![\w-])", README), f"README.md does not mention `sparkify {name}`"


@pytest.mark.parametrize("name", NAMES)
def test_every_command_help_has_an_example(name: str) -> None:
    result = invoke(*name.split(), "--help")
    assert result.exit_code == 0, result.stderr
    example = rf"Example[^:\n]*:[^\n]*\bsparkify {re.escape(name)}(?![\w-])"  # env settings may come first
    assert re.search(example, result.stdout), result.stdout


@pytest.mark.parametrize("name", NAMES)
def test_every_option_has_help(name: str) -> None:
    command = dict(zip(NAMES, (c for _, c in COMMANDS), strict=True))[name]
    silent = [p.name for p in command.params if p.param_type_name == "option" and not p.hidden and not p.help]
    assert not silent, f"`sparkify {name}` options without help: {silent}"


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in invoke("--help").stdout
    script = invoke("--show-completion", "bash")
    assert script.exit_code == 0 and "_sparkify_completion" in script.stdout


def test_no_color_keeps_styles_but_drops_colours(tmp_path: Path) -> None:
    missing = {"SPARKIFY_DUCKDB_PATH": str(tmp_path / "none.duckdb"), "FORCE_COLOR": "1"}
    coloured = invoke("report", env=missing)
    assert coloured.exit_code == 4 and "\x1b[1;31m" in coloured.stderr  # bold red on a (forced) terminal
    plain = invoke("report", env={**missing, "NO_COLOR": "1"})
    assert plain.exit_code == 4 and "no DuckDB warehouse" in plain.stderr
    assert not re.search(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])m", plain.stderr)


def test_off_a_terminal_output_is_plain(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", {"2018-11-01": [event()]})
    for args in (("run", "--source", str(source)), ("report",), ("report", "matches")):
        result = invoke(*args)
        assert result.exit_code == 0, result.stderr
        for stream in (result.stdout, result.stderr):
            assert "\x1b[" not in stream and "\r" not in stream, args  # no colours, no progress bars


# --- the rendering of help: examples, placeholders, groups, order ----------------------------------

EVERY_HELP = ["", *NAMES, *(g for g in ("schema", "infra", "config") if g not in NAMES)]


def help_of(name: str) -> str:
    result = invoke(*name.split(), "--help")
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", EVERY_HELP)
def test_each_example_is_a_line_of_its_own(name: str) -> None:
    """Never two on a line, and never wrapped: an example is a command to copy, whole."""
    text = help_of(name)
    crowded = [line for line in text.splitlines() if len(re.findall(r"\bExample\b", line)) > 1]
    assert not crowded, crowded
    command = dict(zip(NAMES, (c for _, c in COMMANDS), strict=True)).get(name) or typer.main.get_command(app)
    if name and name not in NAMES:  # a group that does not run on its own
        command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    examples = [line.strip() for line in (command.help or "").splitlines() if line.strip().startswith("Example")]
    rendered = {line.strip() for line in text.splitlines()}
    assert [e for e in examples if e not in rendered] == [], text


@pytest.mark.parametrize("name", EVERY_HELP)
def test_placeholders_have_one_style(name: str) -> None:
    """Capitals (`DAY`, `PATH`, `N`) or the choices (`table|json`); never `{out}` or `<str>`."""
    text = help_of(name)
    assert not re.search(r"\{\w+\}", text), text
    assert not re.search(r"<[a-z][a-z |]*>", text), text
    usage = text.splitlines()[0]
    assert re.fullmatch(r"Usage: sparkify[\w -]* \[OPTIONS\]( [A-Z][A-Z_]*| COMMAND \[ARGS\]\.\.\.)?", usage), usage
    options = text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
    for line in options.splitlines():
        found = re.match(r"  ((?:-\w, )?--[\w-]+(?: / --[\w-]+)?)(?: (\S+))?  ", line)
        if found and found[2]:
            assert re.fullmatch(r"[A-Z]+|[a-z0-9]+(\|[a-z0-9]+)+", found[2]), line


@pytest.mark.parametrize("group", ["", "report", "infra", "schema", "config"])
def test_every_group_help_has_an_example(group: str) -> None:
    assert re.search(rf"^  Example[^:\n]*: sparkify {re.escape(group)}\b", help_of(group), re.M), help_of(group)


def test_the_command_list_follows_the_workflow() -> None:
    """Try it, set it up, load, check, look, maintain, then the tools and the setup around them."""
    listed = [line.split()[0] for line in help_of("").split("\nCommands:\n", 1)[1].splitlines() if line.strip()]
    workflow = [
        "demo",
        "init",
        "run",
        "stage",
        "load",
        "check",
        "report",
        "status",
        "prune",
        "runs",
        "rejects",
        "query",
    ]
    assert listed == [*workflow, "schema", "generate", "infra", "config"]


def commands_with_a_format() -> list[str]:
    named = dict(zip(NAMES, (c for _, c in COMMANDS), strict=True))
    return [n for n, c in named.items() if any("--format" in getattr(p, "opts", ()) for p in c.params)]


@pytest.mark.parametrize("name", commands_with_a_format())
def test_an_invalid_format_is_the_same_usage_error_everywhere(name: str) -> None:
    result = invoke(*name.split(), "--format", "xml")
    assert result.exit_code == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"Error: Invalid value for '--format': 'xml' is not one of '\w+'(, '\w+')+\.", last), last
    assert result.stderr.startswith(f"Usage: sparkify {name} ") and result.stdout == ""


def test_every_format_is_checked() -> None:
    assert {"run", "stage", "load", "check", "report", "report matches", "query", "config show"} <= set(
        commands_with_a_format()
    )
