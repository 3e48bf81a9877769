"""The exception hierarchy; each error carries the exit code the CLI returns for it.

`transient` marks what is safe to run again unchanged (the warehouse was busy, a serialization
conflict, a throttled AWS call): the CLI says so, and cron or Airflow may retry on it.
"""

from __future__ import annotations

import signal

# Exit codes (documented in README.md, "When things go wrong").
OK = 0
CHECKS_FAILED = 1
USAGE = 2
AWS = 3
WAREHOUSE = 4
INTERRUPTED = 128 + signal.SIGINT  # 130: Ctrl-C
TERMINATED = 128 + signal.SIGTERM  # 143: kill, timeout, cron and systemd stopping the job


class SparkifyError(Exception):
    """Base error: a one-line message for the user and an exit code."""

    exit_code = WAREHOUSE
    transient = False  # True: nothing is wrong with the data or the settings; rerun the same command

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.run_id: str | None = None  # the run ledger's id of the run that failed (see note_run)

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(SparkifyError):
    """Bad settings or options: fix the command line or the environment."""

    exit_code = USAGE


class NotAllowed(ConfigError):
    """A statement a read-only connection refuses: writing, files, the network, extensions, settings."""


class SourceError(SparkifyError):
    """The source folder, bucket or a file in it is missing or unreadable."""

    exit_code = USAGE


class RejectedDataError(SparkifyError):
    """Source rows were rejected and more than --max-errors of them."""

    exit_code = WAREHOUSE


class WarehouseError(SparkifyError):
    """The warehouse could not be reached, or a statement failed."""

    exit_code = WAREHOUSE


class WarehouseBusyError(WarehouseError):
    """Another process holds the warehouse (DuckDB's file lock)."""

    transient = True


class SerializationConflict(WarehouseError):
    """Two transactions could not be serialized (Redshift error 1023); a rerun usually works."""

    transient = True


class UndecodableInput(WarehouseError):
    """The engine could not read a source file as text (invalid UTF-8, compressed bytes).

    Raised by an adapter for exactly that failure, so staging can take its careful path for the
    file without mistaking an out-of-memory or a full disk for bad input."""


class WarehouseFailure(WarehouseError):
    """The warehouse itself failed (its file cannot be read, the database is corrupt or invalidated,
    the connection is gone): no statement can succeed, whatever its SQL. Never a check's own fault."""


class StatementTimeout(WarehouseError):
    """A statement ran longer than its time limit and was cancelled (Warehouse.time_limit)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"timed out after {seconds:g} s")
        self.seconds = seconds


class MissingRelation(WarehouseError):
    """A statement named a table or view the warehouse does not have."""


class AwsError(SparkifyError):
    """An AWS call failed."""

    exit_code = AWS


class ChecksFailed(SparkifyError):
    """At least one error-severity data-quality check failed."""

    exit_code = CHECKS_FAILED


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: what was in progress is rolled back, the run is recorded as
    `interrupted`, and the process exits 128 + the signal number (130, 143).

    A KeyboardInterrupt, so `except Exception` never swallows it."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        self.run_id: str | None = None  # the run ledger's id of the run it stopped (see note_run)
        super().__init__(f"interrupted by {self.signal_name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def note_run(exc: BaseException, run_id: str) -> None:
    """Name the run an error stopped, once: the run ledger calls this, so the CLI's failure
    document (`--format json`) carries the id `sparkify runs` shows for it. The innermost run wins."""
    if isinstance(exc, SparkifyError | Interrupted) and exc.run_id is None:
        exc.run_id = run_id


# The signal the CLI's handler last received: an engine that reports only "the query was
# interrupted" (DuckDB turns the handler's exception into its own) is told which one it was.
_received: list[int] = []


def received(signum: int) -> Interrupted:
    """Record a signal; the exception to raise for it."""
    _received.append(signum)
    return Interrupted(signum)


def interruption() -> Interrupted:
    """The Interrupted for the signal received last (SIGINT when none was recorded: Python's own
    Ctrl-C handler raised KeyboardInterrupt)."""
    return Interrupted(_received[-1] if _received else signal.SIGINT)


def forget_signals() -> None:
    _received.clear()
