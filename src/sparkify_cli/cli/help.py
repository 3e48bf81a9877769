"""How `sparkify --help` reads, for every command at once: an `Example:` line of a help text is a
line of its own, never wrapped into the next (it is a command to copy); placeholders are written
one way, the choices (`--format table|json`) or a word in capitals (`--date DAY`, `OUT`), never
Typer's `{out}` or `<str>`; and commands are listed in the order they are added (the workflow's)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import typer
from typer._click.formatting import HelpFormatter, wrap_text
from typer.core import TyperArgument, TyperOption
from typer.models import CommandFunctionType

EXAMPLE = re.compile(r"Example\b[^:\n]*:")
BRACED = re.compile(r"\{([^{}\s]+)\}")  # Typer writes a required argument as {name}
TYPE_SUFFIX = re.compile(r" <[^<>]*>$")  # and the type after an argument's name: `SQL <str>`


class SparkifyHelpFormatter(HelpFormatter):
    """Click's formatter, with sparkify's two rules: each `Example:` line stays one line (it is a
    command to copy), and placeholders are bare capitals (`OUT`, not `{out}` or `out <path>`)."""

    heading = ""  # the section being written

    def write_heading(self, heading: str) -> None:
        self.heading = heading
        super().write_heading(heading)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, BRACED.sub(r"\1", args), prefix)

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        if self.heading == "Arguments":
            rows = [(TYPE_SUFFIX.sub("", first), second) for first, second in rows]
        super().write_dl(rows, col_max, col_spacing)

    def write_text(self, text: str) -> None:
        """Prose is wrapped as click wraps it; an example is a line of its own, never wrapped."""
        indent = " " * self.current_indent
        paragraphs = []
        for paragraph in re.split(r"\n[ \t]*\n", text.strip("\n")):
            lines: list[str] = []
            prose: list[str] = []
            for line in paragraph.splitlines():
                if EXAMPLE.match(line.strip()):
                    lines += [self._wrap(prose, indent), indent + line.strip()] if prose else [indent + line.strip()]
                    prose = []
                else:
                    prose.append(line.strip())
            if prose:
                lines.append(self._wrap(prose, indent))
            paragraphs.append("\n".join(lines))
        self.write("\n\n".join(paragraphs) + "\n")

    def _wrap(self, prose: list[str], indent: str) -> str:
        return wrap_text(" ".join(prose), self.width, initial_indent=indent, subsequent_indent=indent)


def _placeholder(param: TyperOption | TyperArgument) -> str:
    """One style for what a value stands for: its choices (`table|json`), else a word in capitals."""
    if isinstance(param, TyperArgument):
        return (param.name or "value").upper()
    described = param.type_descriptor
    if described.choices:
        return "|".join(str(getattr(c, "value", c)) for c in described.choices)
    if described.is_path:
        return {"file": "FILE", "directory": "DIR"}.get(described.path_type, "PATH")
    if described.annotation is int:
        return "N"
    if described.annotation is float:
        return "NUMBER"
    return "TEXT"


def placeholders(params: Sequence[Any]) -> None:
    """Give every option and argument without a placeholder the one its type stands for."""
    for param in params:
        takes_a_value = not getattr(param, "is_flag", False)
        if isinstance(param, TyperOption | TyperArgument) and param.metavar is None and takes_a_value:
            param.metavar = _placeholder(param)


def schema_file(command: str) -> str:
    """Where the JSON Schema of a command's --format json document is published in the repository
    (`report matches` -> `schemas/report_matches.schema.json`; cli/contract.py writes them)."""
    return f"schemas/{command.replace(' ', '_')}.schema.json"


def json_schema(params: Sequence[Any], command: str) -> None:
    """A --format that offers json names the JSON Schema of the document it prints."""
    for param in params:
        if isinstance(param, TyperOption) and "--format" in param.opts and "json" in _placeholder(param).split("|"):
            param.help = f"{param.help or ''} JSON Schema: {schema_file(command)}".strip()


class SparkifyTyper(typer.Typer):
    """A Typer that remembers the order commands and groups are added in (`sparkify --help` keeps it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.order: list[str] = []

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[CommandFunctionType], CommandFunctionType]:
        register = super().command(name, **kwargs)

        def remember(f: CommandFunctionType) -> CommandFunctionType:
            self.order.append(name or typer.main.get_command_name(f.__name__))
            return register(f)

        return remember

    def add_typer(self, typer_instance: typer.Typer, *, name: str | None = None, **kwargs: Any) -> None:
        self.order.append(name or typer_instance.info.name or "")
        super().add_typer(typer_instance, name=name, **kwargs)
