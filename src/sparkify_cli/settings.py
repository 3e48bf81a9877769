"""Settings: SPARKIFY_* environment variables, then a .env file, then defaults.

Secrets are SecretStr and never printed; AWS credentials are not settings at all
(boto3's standard chain finds them).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sparkify_cli.documents import JSON
from sparkify_cli.errors import ConfigError

ENV_PREFIX = "SPARKIFY_"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(/[^\s]*)?$")


def check_identifier(value: str, what: str) -> str:
    """Identifiers go into SQL text, so only plain names are allowed."""
    if not IDENTIFIER.match(value):
        raise ValueError(f"{what} {value!r} is not a plain identifier (letters, digits, _; max 63)")
    return value.lower()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,
        env_ignore_empty=True,  # a blank line in .env means "use the default"
    )

    # --- pipeline -------------------------------------------------------------------------
    # Checked against the warehouse registry (sparkify_cli.warehouse.DIALECTS) when a warehouse is opened.
    warehouse: str = Field("duckdb", description="which warehouse: duckdb or redshift")
    duckdb_path: Path = Field(Path("./sparkify.duckdb"), description="the embedded warehouse file")
    source: str = Field("./data", description="folder with song_data/ and log_data/, or s3://bucket/prefix")
    db_schema: str = Field(
        "songs", validation_alias="SPARKIFY_SCHEMA", description="schema holding staging and star tables"
    )
    log_key_template: str = Field(
        "log_data/{year}/{month:02d}/{date}-events.json",
        description="where the log file of one day lives, relative to the source",
    )
    max_errors: int = Field(0, ge=0, description="source rows that may be rejected before a step fails")
    cache_dir: Path = Field(
        Path.home() / ".cache" / "sparkify", description="local copy of S3 sources for the embedded warehouse"
    )
    match: Literal["exact", "normalized"] = Field(
        "exact", description="song matching: exact, or normalized (repairs encoding, '_ ', case, duration)"
    )
    match_tolerance: float = Field(
        3.0, ge=0.0, le=60.0, description="normalized matching: seconds a play's length may differ from the song's"
    )

    # --- data-quality checks (`sparkify check`) --------------------------------------------
    checks_file: Path | None = Field(None, description="TOML file of user-defined checks (see README)")
    check_freshness_days: int = Field(1, ge=0, description="newest play may be at most this many days old")
    check_freshness_severity: Literal["error", "warn"] = Field("warn", description="error or warn")
    check_min_song_match_rate: float = Field(
        0.0, ge=0.0, le=1.0, description="minimum share of plays matched to a song (0 = report only)"
    )

    # --- embedded engine ------------------------------------------------------------------
    duckdb_memory_limit: str = Field(
        "256MB", description="DuckDB memory_limit (staging spills past it; keeps a 1M-event run under 600 MiB RSS)"
    )
    duckdb_threads: int = Field(0, ge=0, description="DuckDB threads (0 = one per core)")
    duckdb_temp_dir: Path | None = Field(None, description="DuckDB spill folder (default: next to the file)")

    # --- time limits ----------------------------------------------------------------------
    aws_connect_timeout: float = Field(
        5.0, gt=0, le=600, description="seconds to open a connection to AWS (S3, IAM, Redshift API)"
    )
    aws_read_timeout: float = Field(
        60.0, gt=0, le=3600, description="seconds an AWS endpoint may stay silent before the call fails"
    )
    check_timeout: float = Field(
        300.0, ge=0, le=86400, description="seconds one data-quality check may run (0 = no limit)"
    )
    redshift_connect_timeout: float = Field(30.0, gt=0, le=600, description="seconds to open a Redshift connection")
    redshift_statement_timeout: int = Field(
        0, ge=0, le=86400, description="seconds one Redshift statement may run (0 = no limit)"
    )

    # --- AWS / Redshift -------------------------------------------------------------------
    aws_region: str | None = Field(None, description="AWS region (default: AWS_REGION / boto3's chain)")
    aws_profile: str | None = Field(None, description="AWS profile (default: AWS_PROFILE / boto3's chain)")
    cluster_identifier: str = Field("sparkify", description="Redshift cluster identifier")
    redshift_node_type: str = Field("ra3.large", description="Redshift node type")
    redshift_nodes: int = Field(4, ge=1, description="Redshift number of nodes")
    redshift_host: str | None = Field(None, description="Redshift endpoint (default: found from the cluster)")
    redshift_port: int = Field(5439, description="Redshift port")
    redshift_database: str = Field("sparkify", description="Redshift database")
    redshift_user: str = Field("sparkify_admin", description="Redshift user")
    redshift_password: SecretStr | None = Field(
        None, description="Redshift password (else IAM credentials or the OS keyring)"
    )
    iam_role_name: str = Field("sparkify-redshift-s3-read", description="IAM role Redshift assumes for COPY")

    # --- PostgreSQL -----------------------------------------------------------------------
    postgres_dsn: SecretStr | None = Field(
        None, description="libpq connection string (default: PGHOST, PGPORT, PGDATABASE, PGUSER, ~/.pgpass)"
    )

    @field_validator("db_schema")
    @classmethod
    def _schema_is_identifier(cls, v: str) -> str:
        return check_identifier(v, "schema")

    @field_validator("warehouse")
    @classmethod
    def _warehouse_name(cls, v: str) -> str:
        return v.strip().lower()

    @field_validator("source")
    @classmethod
    def _source_shape(cls, v: str) -> str:
        if v.startswith("s3:") and not S3_URI.match(v):
            raise ValueError(f"{v!r} is not an S3 URI like s3://bucket/prefix")
        return v

    @property
    def schema(self) -> str:  # type: ignore[override]  # shadows pydantic's deprecated BaseModel.schema()
        return self.db_schema


def env_name(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


def load_settings(env_file: Path | None = None, **overrides: JSON) -> Settings:
    """Build settings, turning validation errors into one-line ConfigErrors."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(_env_file=env_file or ".env", **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = env_name(field) if field in Settings.model_fields else field
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {name}: {msg}") from None


def describe(settings: Settings, env_file: Path | None = None) -> list[tuple[str, str, str]]:
    """(key, value, origin) for every setting; secrets masked."""
    from dotenv import dotenv_values

    path = env_file or Path(".env")
    file_values = dotenv_values(path) if path.is_file() else {}
    rows = []
    for field in Settings.model_fields:
        key = env_name(field)
        value = getattr(settings, field)
        if isinstance(value, SecretStr):
            shown = "********" if value.get_secret_value() else ""
        else:
            shown = "" if value is None else str(value)
        if key in os.environ:
            origin = "environment"
        elif key in file_values:
            origin = f"env file {path}"
        else:
            origin = "default"
        rows.append((key, shown, origin))
    return rows
