"""The Typer app, its global options, and the one place errors become exit codes.

Commands live in the other modules of this package; cli/__init__.py composes them onto `app`."""

from __future__ import annotations

import signal
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from sparkify_cli import __version__
from sparkify_cli import errors as codes
from sparkify_cli.cli import console
from sparkify_cli.documents import JSON
from sparkify_cli.errors import ConfigError, Interrupted, SparkifyError

if TYPE_CHECKING:
    # typer.Context subclasses the click Context Typer vendors; Group.invoke is typed with that one.
    from typer._click.core import Context as ClickContext

    from sparkify_cli.settings import Settings


@dataclass
class State:
    env_file: Path | None = None
    debug: bool = False


class SparkifyGroup(TyperGroup):
    """Maps every SparkifyError to a one-line message and its documented exit code."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            with _signals_stop_the_work():
                return super().invoke(ctx)
        except (Exit, Abort, TyperException):  # --help, usage errors: Typer reports those itself
            raise
        except SparkifyError as exc:
            _report(ctx, exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # Interrupted (SIGINT, SIGTERM), or Python's own Ctrl-C
            stopped = exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT)
            console.error(f"{stopped} (any transaction in progress was rolled back)")
            ctx.exit(stopped.exit_code)
        except Exception as exc:  # a bug or an unwrapped driver error: still one line, exit 4
            _report(ctx, exc)
            ctx.exit(codes.WAREHOUSE)


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


def _report(ctx: ClickContext, exc: BaseException) -> None:
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


app = typer.Typer(
    cls=SparkifyGroup,
    name="sparkify",
    help="Load Sparkify song metadata and listening logs into a checked star schema "
    "(DuckDB by default, or Amazon Redshift).\n\nExample: sparkify demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sparkify {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    env_file: Annotated[
        Path | None, typer.Option("--env-file", help="Read settings from this file instead of ./.env.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Load Sparkify song metadata and listening logs into a checked star schema."""
    if env_file is not None and not env_file.exists():
        raise ConfigError(f"env file {env_file} does not exist")
    if env_file is not None and not env_file.is_file():
        raise ConfigError(
            f"env file {env_file} is a folder, not a file"
            if env_file.is_dir()
            else f"env file {env_file} is not a file"
        )
    ctx.obj = State(env_file=env_file, debug=debug)


def state(ctx: typer.Context) -> State:
    found = ctx.find_object(State)
    return found if found is not None else State()


def settings(ctx: typer.Context, **overrides: JSON) -> Settings:
    """Settings for this invocation: command-line overrides win over env and .env. The warehouse
    name is checked against the registry here, before any command does work."""
    from sparkify_cli.settings import load_settings
    from sparkify_cli.warehouse import dialect_of

    found = load_settings(state(ctx).env_file, **overrides)
    dialect_of(found)
    return found
