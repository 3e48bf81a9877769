"""The exception hierarchy; each error carries the exit code the CLI returns for it."""

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


class AwsError(SparkifyError):
    """An AWS call failed."""

    exit_code = AWS


class ChecksFailed(SparkifyError):
    """At least one error-severity data-quality check failed."""

    exit_code = CHECKS_FAILED
