"""Settings: SPARKIFY_* environment variables, then a .env file, then defaults.

Secrets are SecretStr and never printed; AWS credentials are not settings at all
(boto3's standard chain finds them).
"""

from __future__ import annotations

import os
import re
import string
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sparkify_cli.documents import JSON
from sparkify_cli.errors import ConfigError

ENV_PREFIX = "SPARKIFY_"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(/[^\s]*)?$")


# Words some warehouse does not take as an unquoted schema name: DuckDB's reserved and type/function
# keywords (duckdb_keywords(); DuckDB 2.0 refuses every reserved one there), PostgreSQL's reserved and
# type/function keywords (pg_get_keywords() catcode R and T) and Amazon Redshift's reserved words
# (its "Reserved words" page). tests/cli/test_settings.py holds the list against DuckDB's own.
RESERVED_WORDS = frozenset(
    """
    aes128 aes256 all allowoverwrite analyse analyze and anti any array as asc asof asymmetric at
    authorization az64 backup between binary blanksasnull both by bytedict bzip2 case cast check
    collate collation column columns concurrently constraint create credentials cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user
    current_user_id default deferrable deflate defrag delta delta32k desc describe disable distinct do
    else emptyasnull enable encode encrypt encryption end except explicit false fetch for foreign
    freeze from full generated glob globaldict256 globaldict64k grant group gzip having identity
    ignore ilike in initially inner intersect interval into is isnull join lambda lateral leading left
    like limit localtime localtimestamp lun luns lzo lzop map minus mostly16 mostly32 mostly8 natural
    new not notnull null nulls off offline offset oid old on only open or order outer overlaps
    parallel partition percent permissions pivot pivot_longer pivot_wider placing positional primary
    qualify raw readratio recover references rejectlog resort respect restore returning right select
    semi session_user show similar snapshot some struct summarize symmetric sysdate system table
    tablesample tag tdes temp text255 text32k then timestamp to top trailing true truncatecolumns
    try_cast tuple union unique unnest unpack unpivot user using variadic verbose wallet when where
    window with without
    """.split()
)
# Schemas and catalogs the engines keep for themselves (and PostgreSQL reserves every pg_ name).
SYSTEM_SCHEMAS = frozenset({"main", "temp", "system", "information_schema", "pg_catalog", "memory"})


def check_identifier(value: str, what: str) -> str:
    """Identifiers go into SQL text, so only plain names are allowed."""
    if not IDENTIFIER.match(value):
        raise ValueError(f"{what} {value!r} is not a plain identifier (letters, digits, _; max 63)")
    return value.lower()


def check_schema_name(value: str) -> str:
    """A plain identifier that no warehouse reserves: it goes into SQL unquoted (`songs.songplays`)."""
    name = check_identifier(value, "schema")
    if name in SYSTEM_SCHEMAS or name.startswith("pg_"):
        raise ValueError(f"{name!r} is a system schema of DuckDB, PostgreSQL or Redshift; choose another name")
    if name in RESERVED_WORDS:
        raise ValueError(f"{name!r} is a reserved word in SQL; choose another name")
    return name


# DuckDB's memory_limit: a number and a unit (1000- or 1024-based), or a share of the RAM.
MEMORY_SIZE = re.compile(
    r"\s*(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<unit>[kmgt]i?b|[kmgt]|b|bytes?|"
    r"(?:kilo|mega|giga|tera)bytes?|%)\s*",
    re.IGNORECASE,
)


def check_memory_size(value: str) -> str:
    """What DuckDB accepts as memory_limit, checked here so a typo is a settings error (exit 2)."""
    found = MEMORY_SIZE.fullmatch(value)
    if found is None:
        raise ValueError(f"{value!r} is not a size like 256MB, 2GiB or 50%")
    number, unit = float(found["number"]), found["unit"].lower()
    if unit == "%":
        if not 0 < number <= 100:
            raise ValueError(f"{value!r}: a share of the memory is more than 0% and at most 100%")
        return value.strip()
    scale = 1 if unit[0] == "b" else (1024 if unit.endswith("ib") else 1000) ** ("kmgt".index(unit[0]) + 1)
    if number * scale < 10**6:
        raise ValueError(f"{value!r} is too small for DuckDB (at least 1MB)")
    return value.strip()


# SPARKIFY_LOG_KEY_TEMPLATE: the fields a day fills in, with the format specs that keep a key
# readable back into its day (sources/layout.py parses {month} as 1-2 digits, {year} as 4).
LOG_KEY_FIELDS = {"year": ("", "d", "04d"), "month": ("", "d", "02d"), "day": ("", "d", "02d"), "date": ("",)}


def check_log_key_template(value: str) -> str:
    """A relative path with one day's fields: no absolute path, no '..', '.' or empty segment,
    only {year} {month} {day} {date} with a spec that formats, and enough of them to name a day."""
    if value.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", value):
        raise ValueError(f"{value!r} must be a path relative to the source")
    if "\\" in value or "\0" in value:
        raise ValueError(f"{value!r} may not hold a backslash or a NUL character")
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid template: {exc}") from None
    fields = set()
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in LOG_KEY_FIELDS:
            raise ValueError(f"{value!r}: unknown field {{{field}}} (use {{year}} {{month}} {{day}} {{date}})")
        if conversion or (spec or "") not in LOG_KEY_FIELDS[field]:
            allowed = " ".join("{" + field + (":" + s if s else "") + "}" for s in LOG_KEY_FIELDS[field])
            raise ValueError(f"{value!r}: {{{field}}} takes no conversion and only these forms: {allowed}")
        fields.add(field)
    if "date" not in fields and not {"year", "month", "day"} <= fields:
        raise ValueError(f"{value!r} must name the day: {{date}}, or {{year}}, {{month}} and {{day}}")
    sample = value.format(year=2018, month=11, day=5, date="2018-11-05")
    if any(part in ("", ".", "..") for part in sample.split("/")):
        raise ValueError(f"{value!r} has an empty, '.' or '..' path segment")
    return value


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

    # Each description is the documentation of its key: `sparkify init` and .env.example write it
    # above the key, and the README's settings table is checked against it. SECTIONS groups them.

    # --- pipeline -------------------------------------------------------------------------
    # Checked against the warehouse registry (sparkify_cli.warehouse.DIALECTS) when a warehouse is opened.
    warehouse: str = Field(
        "duckdb", description="Which warehouse: duckdb (embedded, one local file), postgres or redshift."
    )
    duckdb_path: Path = Field(
        Path("./sparkify.duckdb"),
        description="The embedded warehouse file: a local file (not :memory:, which keeps nothing, nor md: or "
        "s3://), not named after the schema (songs.duckdb): DuckDB names the file's catalog after it.",
    )
    source: str = Field(
        "./data",
        description="Where the JSON comes from: a folder with song_data/ and log_data/, or s3://bucket/prefix.",
    )
    db_schema: str = Field(
        "songs",
        validation_alias="SPARKIFY_SCHEMA",
        description="The schema of every sparkify table: a plain identifier (letters, digits, _; at most 63), not a "
        "reserved word of DuckDB, PostgreSQL or Redshift (select, user, ...) nor a system schema (main, temp, "
        "system, memory, information_schema, pg_*).",
    )
    log_key_template: str = Field(
        "log_data/{year}/{month:02d}/{date}-events.json",
        description="Where one day's log file lives, relative to the source (no leading /, no .., . or empty "
        "segment, no backslash): {date}, or {year}, {month} and {day}, each plain or as {year:04d}, {month:02d}, "
        "{day:02d} (or :d).",
    )
    max_errors: int = Field(
        0,
        ge=0,
        description="Rejected source lines allowed per unit of work (each day of a range, or the whole step) before "
        "the step fails; they are kept in the rejects table.",
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "sparkify",
        description="Where an S3 source is copied for the warehouses that read local files (DuckDB, PostgreSQL).",
    )
    match: Literal["exact", "normalized"] = Field(
        "exact",
        description="Song matching when loading: exact, or normalized (repairs double-encoded UTF-8, reads the song "
        "files' underscore-space as comma-space, ignores case, allows SPARKIFY_MATCH_TOLERANCE on the "
        "duration; see sparkify report matches).",
    )
    match_tolerance: float = Field(
        3.0,
        ge=0.0,
        le=60.0,
        description="Normalized matching: seconds a play's length may differ from the song's duration (0 to 60).",
    )

    # --- data-quality checks (`sparkify check`) --------------------------------------------
    checks_file: Path | None = Field(
        None,
        description="TOML file of user-defined checks, run with the built-in ones: one [checks.<name>] table each, "
        "with sql and optionally severity, table and description.",
    )
    check_freshness_days: int = Field(
        1, ge=0, le=36500, description="The newest play may be at most this many days old (0 to 36500)."
    )
    check_freshness_severity: Literal["error", "warn"] = Field(
        "warn", description="What an older newest play means: error (the checks fail, exit 1) or warn."
    )
    check_min_song_match_rate: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Minimum share of plays matched to a catalog song, 0 to 1 (0: the rate is only reported).",
    )

    # --- embedded engine ------------------------------------------------------------------
    duckdb_memory_limit: str = Field(
        "256MB",
        description="DuckDB's memory_limit: a number and B, KB, MB, GB, TB (1000-based) or KiB, MiB, GiB, TiB "
        "(1024-based), at least 1MB, or a share of the RAM like 50%. Staging spills to disk past it; 256MB keeps a "
        "1M-event run under 600 MiB RSS; 1GB spills less on 10M events (203 s -> 159 s, 1.4 GiB RSS).",
    )
    duckdb_threads: int = Field(0, ge=0, le=1024, description="DuckDB threads, at most 1024 (0: one per core).")
    duckdb_temp_dir: Path | None = Field(None, description="DuckDB's spill folder (blank: next to the warehouse file).")

    # --- time limits ----------------------------------------------------------------------
    aws_connect_timeout: float = Field(
        5.0, gt=0, le=600, description="Seconds to open a connection to AWS (S3, IAM, the Redshift API)."
    )
    aws_read_timeout: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Seconds an AWS endpoint may stay silent in a call before it fails (three attempts in all).",
    )
    check_timeout: float = Field(
        300.0,
        ge=0,
        le=86400,
        description="Seconds one data-quality check may run (0: no limit); past it the check is cancelled, has "
        "status error and the next one runs.",
    )
    lock_wait: float = Field(
        0.0,
        ge=0,
        le=86400,
        description="Seconds query, report and check wait for another process holding the DuckDB file "
        "(0: fail at once).",
    )
    redshift_connect_timeout: float = Field(30.0, gt=0, le=600, description="Seconds to open a Redshift connection.")
    redshift_statement_timeout: int = Field(
        0,
        ge=0,
        le=86400,
        description="Seconds one Redshift statement may run, waiting for a lock included (0: no limit).",
    )

    # --- AWS / Redshift -------------------------------------------------------------------
    aws_region: str | None = Field(None, description="AWS region (blank: AWS_REGION, then boto3's chain).")
    aws_profile: str | None = Field(None, description="AWS profile (blank: AWS_PROFILE, then boto3's chain).")
    cluster_identifier: str = Field(
        "sparkify", description="The Redshift cluster sparkify infra manages and sparkify connects to."
    )
    redshift_node_type: str = Field("ra3.large", description="Node type of the cluster sparkify infra up creates.")
    redshift_nodes: int = Field(
        1, ge=1, description="Number of nodes of the cluster sparkify infra up creates (1: a single-node cluster)."
    )
    redshift_host: str | None = Field(
        None, description="Redshift endpoint (blank: found from the cluster SPARKIFY_CLUSTER_IDENTIFIER)."
    )
    redshift_port: int = Field(5439, description="Redshift port.")
    redshift_database: str = Field("sparkify", description="Redshift database.")
    redshift_user: str = Field("sparkify_admin", description="Redshift user.")
    redshift_password: SecretStr | None = Field(
        None,
        description="Redshift password, a secret never printed; used when AWS credentials cannot get temporary "
        "IAM ones (blank: the OS keyring, where sparkify config set-password stores it).",
    )
    iam_role_name: str = Field(
        "sparkify-redshift-s3-read",
        description="The IAM role Redshift assumes for COPY (sparkify infra up creates it).",
    )
    redshift_copy_prefix: str | None = Field(
        None,
        description="S3 prefix where sparkify writes what Redshift's COPY reads (manifests, log lines as CSV), "
        "deleted after each COPY (blank: <source>/_sparkify/copy).",
    )

    # --- PostgreSQL -----------------------------------------------------------------------
    postgres_dsn: SecretStr | None = Field(
        None,
        description="PostgreSQL connection string, key=value pairs or a postgresql:// URI; a secret, never printed "
        "(blank: libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, ~/.pgpass).",
    )

    @field_validator("db_schema")
    @classmethod
    def _schema_is_identifier(cls, v: str) -> str:
        return check_schema_name(v)

    @field_validator("duckdb_path")
    @classmethod
    def _duckdb_is_a_file(cls, v: Path) -> Path:
        text = str(v)
        if text.startswith(":memory:"):
            raise ValueError(f"{text!r} keeps nothing: the warehouse must be a file, e.g. ./sparkify.duckdb")
        if re.match(r"[A-Za-z][A-Za-z0-9+.\-]+:", text):  # md:, s3://, http://: DuckDB would not open a local file
            raise ValueError(f"{text!r} is not a local file path")
        return v

    @field_validator("duckdb_memory_limit")
    @classmethod
    def _memory_size(cls, v: str) -> str:
        return check_memory_size(v)

    @field_validator("log_key_template")
    @classmethod
    def _log_key(cls, v: str) -> str:
        return check_log_key_template(v)

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

    @field_validator("redshift_copy_prefix")
    @classmethod
    def _copy_prefix_shape(cls, v: str | None) -> str | None:
        if v is not None and not S3_URI.match(v):
            raise ValueError(f"{v!r} is not an S3 URI like s3://bucket/prefix")
        return v

    @property
    def schema(self) -> str:  # type: ignore[override]  # shadows pydantic's deprecated BaseModel.schema()
        return self.db_schema


def env_name(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


def check_env_file(path: Path) -> None:
    """A settings file that is there must be readable UTF-8 text (absent is fine: defaults)."""
    if not path.exists():
        return
    if path.is_dir():
        raise ConfigError(f"env file {path} is a folder, not a file")
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"env file {path} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"cannot read env file {path}: {exc.strerror or exc}") from None


def load_settings(env_file: Path | None = None, **overrides: JSON) -> Settings:
    """Build settings, turning validation errors into one-line ConfigErrors."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    check_env_file(env_file or Path(".env"))
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


# --- the settings file `sparkify init` writes (and .env.example, the same text) -------------------

# The headings keys are grouped under: each names the first field of its group (fields follow in
# declaration order, so a new field joins the group it is declared in).
SECTIONS = {
    "warehouse": "pipeline",
    "checks_file": "data-quality checks (sparkify check)",
    "duckdb_memory_limit": "embedded engine (DuckDB)",
    "aws_connect_timeout": "time limits",
    "aws_region": "AWS and Redshift",
    "postgres_dsn": "PostgreSQL",
}

ENV_FILE_HEADER = """\
# sparkify settings, as `sparkify init` writes them (.env.example is this same file).
# Every key is commented out at its default: remove the leading # to set it. A blank value means
# the default too. Environment variables (SPARKIFY_*) win over this file, command-line options over
# both; `sparkify config show` prints what is in effect and where it came from.
# Never put AWS keys here: boto3 finds them in the environment, AWS_PROFILE, SSO or an instance role.
"""


@dataclass(frozen=True)
class Documented:
    """One key as the docs show it."""

    section: str
    key: str
    default: str  # as a .env value; "" when there is none, and always for a secret
    description: str
    secret: bool


def documented() -> list[Documented]:
    """Every setting, in declaration order, with its section, default and description."""
    rows = []
    section = ""
    for field, info in Settings.model_fields.items():
        section = SECTIONS.get(field, section)
        secret = SecretStr in (info.annotation, *get_args(info.annotation))
        default = "" if secret else _shown(info.get_default(call_default_factory=True))
        rows.append(Documented(section, env_name(field), default, info.description or "", secret))
    return rows


def _shown(value: object) -> str:
    """A default as one writes it in a .env file, the same on every machine."""
    if value is None:
        return ""
    if isinstance(value, Path):
        home = Path.home()
        if value.is_absolute() and home != Path("/") and value.is_relative_to(home):
            return "~/" + value.relative_to(home).as_posix()  # SPARKIFY_CACHE_DIR: expanded where it is used
        return value.as_posix()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def env_template() -> str:
    """The commented settings file: each key under its section, its description above it, commented
    out at its default. Secrets are never filled in."""
    blocks = [ENV_FILE_HEADER.rstrip("\n")]
    section = None
    for row in documented():
        if row.section != section:
            section = row.section
            blocks.append(f"# --- {section} ".ljust(100, "-"))
        described = textwrap.wrap(row.description, 100, initial_indent="# ", subsequent_indent="# ")
        blocks.append("\n".join([*described, f"#{row.key}={row.default}"]))
    return "\n\n".join(blocks) + "\n"
