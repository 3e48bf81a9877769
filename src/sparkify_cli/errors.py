"""The exception hierarchy; each error carries the exit code the CLI returns for it.

`transient` marks what is safe to run again unchanged (the warehouse was busy, a serialization
conflict, a throttled AWS call): the CLI says so, and cron or Airflow may retry on it.
"""

from __future__ import annotations

# Exit codes (documented in README.md, "When things go wrong").
OK = 0
CHECKS_FAILED = 1
USAGE = 2
AWS = 3
WAREHOUSE = 4
INTERRUPTED = 130


class SparkifyError(Exception):
    """Base error: a one-line message for the user and an exit code."""

    exit_code = WAREHOUSE
    transient = False  # True: nothing is wrong with the data or the settings; rerun the same command

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(SparkifyError):
    """Bad settings or options: fix the command line or the environment."""

    exit_code = USAGE


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


class MissingRelation(WarehouseError):
    """A statement named a table or view the warehouse does not have."""


class AwsError(SparkifyError):
    """An AWS call failed."""

    exit_code = AWS


class ChecksFailed(SparkifyError):
    """At least one error-severity data-quality check failed."""

    exit_code = CHECKS_FAILED
