"""The Typer app, its global options, its house style, and the one place errors become exit codes.

Commands live in the other modules of this package; cli/__init__.py composes them onto `app`, and
`sparkify --help` lists them in that order. The house style (cli/help.py) is applied here to every
command at once: an `Example:` line of a help text is its own line, never wrapped into the next;
placeholders are written one way (`--date DAY`, `--format table|json`, `OUT`: capitals, or the
choices); the global options `--env-file` and `--debug` work before and after the command. A failure
is one line on stderr and its documented exit code, and under `--format json` also one document on
stdout.
"""

from __future__ import annotations

import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click.exceptions import BadParameter, UsageError
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit

from sparkify_cli import errors as codes
from sparkify_cli.cli import console
from sparkify_cli.cli.help import SparkifyHelpFormatter, SparkifyTyper, json_schema, placeholders
from sparkify_cli.documents import JSON
from sparkify_cli.errors import ChecksFailed, ConfigError, Interrupted, SparkifyError

if TYPE_CHECKING:
    # typer.Context subclasses the click Context Typer vendors; Group.invoke is typed with that one.
    from typer._click.core import Command
    from typer._click.core import Context as ClickContext

    from sparkify_cli.settings import Settings

V = TypeVar("V")
ARGS = "sparkify.args"  # ctx.meta: the command line after `sparkify`, for errors raised before a command runs


@dataclass
class State:
    env_file: Path | None = None
    debug: bool = False
    json: bool | None = None  # the running command's --format is json (None: no command has started)
    warned: bool = False  # unknown settings are reported once per invocation


# --- the app ----------------------------------------------------------------------------------------


class SparkifyContext(typer.Context):
    formatter_class = SparkifyHelpFormatter

    def invoke(self, callback: Callable[..., V], /, *args: Any, **kwargs: Any) -> V:
        """Note the --format of the command that does the work, for a failure's document."""
        state = self.find_object(State)
        if state is not None and callback is self.command.callback and self.invoked_subcommand is None:
            state.json = _format_of(self) == "json"
        return super().invoke(callback, *args, **kwargs)


def _format_of(ctx: ClickContext) -> str | None:
    for param in ctx.command.params:
        if "--format" in getattr(param, "opts", ()):
            value = ctx.params.get(param.name or "")
            return None if value is None else str(getattr(value, "value", value))
    return None


class SparkifyGroup(TyperGroup):
    """Maps every SparkifyError to a one-line message and its documented exit code (and, under
    --format json, a failure document); applies the house style to every command below it."""

    context_class = SparkifyContext

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        shared = [p for p in self.params if p.name in ("env_file", "debug")]
        for name, command in self.commands.items():
            _house_style(command, shared, name)

    def list_commands(self, ctx: ClickContext) -> list[str]:
        order = app.order
        return sorted(self.commands, key=lambda name: order.index(name) if name in order else len(order))

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        ctx.meta[ARGS] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            with _signals_stop_the_work(), _notes_on_stderr():
                return super().invoke(ctx)
        except (Exit, Abort):  # --help, --version, a command's own exit
            raise
        except UsageError as exc:  # Typer reports it (usage, exit 2); pydantic's prefix is not for users
            if isinstance(exc, BadParameter):
                exc.message = exc.message.removeprefix("Value error, ")
            _failure_document(ctx, "failed", exc.exit_code, exc.format_message())
            raise
        except SparkifyError as exc:
            line = _report(ctx, exc)
            if not isinstance(exc, ChecksFailed):  # checks that failed: the command's own document says so
                _failure_document(ctx, "failed", exc.exit_code, line, transient=exc.transient, run_id=exc.run_id)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # Interrupted (SIGINT, SIGTERM), or Python's own Ctrl-C
            stopped = exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT)
            console.error(f"{stopped} (any transaction in progress was rolled back)")
            _failure_document(ctx, "interrupted", stopped.exit_code, str(stopped), run_id=stopped.run_id)
            ctx.exit(stopped.exit_code)
        except Exception as exc:  # a bug or an unwrapped driver error: still one line, exit 4
            line = _report(ctx, exc)
            _failure_document(ctx, "failed", codes.WAREHOUSE, line)
            ctx.exit(codes.WAREHOUSE)


def _house_style(command: Command, shared: list[Any], path: str) -> None:
    command.context_class = SparkifyContext
    placeholders(command.params)
    json_schema(command.params, path)
    names = {p.name for p in command.params}
    command.params.extend(p for p in shared if p.name not in names)  # --env-file, --debug after the command too
    for name, sub in getattr(command, "commands", {}).items():
        _house_style(sub, shared, f"{path} {name}")


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """SIGINT and SIGTERM stop the work the same way: the exception unwinds through the open
    transaction (rolled back) and the run ledger (recorded as `interrupted`). DuckDB runs this
    handler while a statement executes, cancels the statement and reports it; the warehouse turns
    that report back into Interrupted. A second signal has its default effect (stop right away)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise codes.received(signum)


@contextmanager
def _signals_stop_the_work() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    # A signal the parent set to be ignored stays ignored (a background job of a script ignores SIGINT).
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    before = {s: handler for s, handler in before.items() if handler is not signal.SIG_IGN}
    codes.forget_signals()
    for s in before:
        signal.signal(s, _on_signal)
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        codes.forget_signals()


@contextmanager
def _notes_on_stderr() -> Iterator[None]:
    """The lower layers never print; what they log for the user (waiting for a busy warehouse) is a
    note on stderr, a warning as `warning:`."""
    import logging  # here: `sparkify --help` does not need it

    class Notes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            (console.warn if record.levelno >= logging.WARNING else console.info)(record.getMessage())

    logger = logging.getLogger("sparkify_cli")
    handler, level = Notes(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _report(ctx: ClickContext, exc: BaseException) -> str:
    """The error's one line on stderr; returns the line (without the notes around it)."""
    state = ctx.find_object(State)
    if state is not None and state.debug:
        console.err().print(console.escape("".join(traceback.format_exception(exc))))
    message = str(exc) if isinstance(exc, SparkifyError) else f"{type(exc).__name__}: {exc}"
    first_line = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    if isinstance(exc, SparkifyError):
        suffix = " [transient: safe to rerun as it is]" if exc.transient else ""
    else:
        suffix = "" if state and state.debug else " (rerun with --debug)"
    console.error(first_line + suffix)
    return first_line


def _wants_json(ctx: ClickContext) -> bool:
    """The failing command was asked for --format json: as parsed once it started, else as typed
    (an error in parsing or in the settings comes before any command runs)."""
    state = ctx.find_object(State)
    if state is not None and state.json is not None:
        return state.json
    args: list[str] = ctx.meta.get(ARGS, [])
    pairs = zip(args, [*args[1:], ""], strict=True)
    return any(a == "--format=json" or (a, b) == ("--format", "json") for a, b in pairs)


def _failure_document(
    ctx: ClickContext, status: str, exit_code: int, error: str, *, transient: bool = False, run_id: str | None = None
) -> None:
    """Under --format json a failure is a document too, so a cron job's log holds one document per run."""
    if not _wants_json(ctx):
        return
    from sparkify_cli.cli.contract import Failure, emit

    emit(Failure, {"status": status, "exit_code": exit_code, "error": error, "transient": transient, "run_id": run_id})


app = SparkifyTyper(
    cls=SparkifyGroup,
    name="sparkify",
    help="Load Sparkify song metadata and listening logs into a checked star schema "
    "(DuckDB by default, PostgreSQL or Amazon Redshift).\n\nExample: sparkify demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


# --- global options ---------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        from sparkify_cli import __version__  # here: the package metadata (importlib.metadata) is not for --help

        typer.echo(f"sparkify {__version__}")
        raise typer.Exit()


def _env_file(ctx: typer.Context, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(State).env_file = value
        if ctx.parent is not None:  # after the command; before it, main_options checks it (where errors are mapped)
            _check_env_file(value)


def _check_env_file(path: Path) -> None:
    if not path.exists():
        raise ConfigError(f"env file {path} does not exist")
    if not path.is_file():
        raise ConfigError(
            f"env file {path} is a folder, not a file" if path.is_dir() else f"env file {path} is not a file"
        )


def _debug(ctx: typer.Context, value: bool) -> None:
    if value:
        ctx.ensure_object(State).debug = True


@app.callback()
def main_options(
    ctx: typer.Context,
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file",
            metavar="PATH",
            callback=_env_file,
            expose_value=False,
            help="Read settings from this file instead of ./.env (before or after the command).",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", callback=_debug, expose_value=False, help="Show full tracebacks on errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Load Sparkify song metadata and listening logs into a checked star schema."""
    current = ctx.ensure_object(State)
    if current.env_file is not None:
        _check_env_file(current.env_file)


def state(ctx: typer.Context) -> State:
    found = ctx.find_object(State)
    return found if found is not None else State()


def settings(ctx: typer.Context, *, lock_wait: float | None = None, **overrides: JSON) -> Settings:
    """Settings for this invocation: command-line overrides win over env and .env (`lock_wait`:
    `--wait`, over SPARKIFY_LOCK_WAIT). The warehouse name is checked against the registry here,
    before any command does work; a SPARKIFY_ key that is no setting (a typo) is a warning."""
    from sparkify_cli.settings import load_settings
    from sparkify_cli.warehouse import dialect_of

    current = state(ctx)
    found = load_settings(current.env_file, **overrides)
    if lock_wait is not None:  # set on the model as it is: Settings may not declare the field yet
        found = found.model_copy(update={"lock_wait": lock_wait})
    dialect_of(found)
    if not current.warned:
        current.warned = True
        from sparkify_cli.cli.environment import unknown_settings

        for line in unknown_settings(current.env_file):
            console.warn(line)
    return found
