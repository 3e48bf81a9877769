"""The `--format json` documents as pydantic models: the one source of truth for their shapes.

Every document a command prints goes through its model here (`emit`): the data is validated against
it and written as the model says, so what a script reads is what the published JSON Schema
(`schemas/<command>.schema.json`, written from these models: `SPARKIFY_UPDATE_DOCS=1 pytest
tests/cli/test_json_schemas.py`) describes. Each document carries `schema_version`
(documents.SCHEMA_VERSION); a change that could break a reader raises it.

Conventions, the same in every document: timestamps are ISO 8601 in UTC with `Z`; days are
`YYYY-MM-DD`; a choice of days is data, `{"start", "end"}` (one day: both the same) or null for
every day; counts and seconds are numbers. Imported inside commands only (pydantic is not needed
for `sparkify --help`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from sparkify_cli.cli.help import schema_file
from sparkify_cli.documents import JSON, SCHEMA_VERSION, Document, dumps


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`; a naive timestamp is UTC already (the ledger stores it so)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


Timestamp = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": "Z$"}),
]
Day = Annotated[date, WithJsonSchema({"type": "string", "format": "date"})]
Value = Annotated[JSON, WithJsonSchema({})]  # any JSON value: a query's cell, a failing row's column


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        ser_json_inf_nan="strings",
        json_schema_serialization_defaults_required=True,
    )


class Versioned(Model):
    """What every document has."""

    schema_version: Annotated[
        int,
        Field(
            ge=SCHEMA_VERSION,
            le=SCHEMA_VERSION,
            json_schema_extra={"const": SCHEMA_VERSION},
            description="The version of this document's shape; raised on a change that could break a reader.",
        ),
    ] = SCHEMA_VERSION


# --- a failure, of any command ----------------------------------------------------------------------


class Failure(Versioned):
    """Under --format json a command that fails prints this instead of its result."""

    status: Literal["failed", "interrupted"]
    exit_code: int = Field(description="The process's exit code (see errors.py): 2 usage, 3 AWS, 4 warehouse, 130.")
    error: str = Field(description="The one-line error, as on stderr.")
    transient: bool = Field(description="True when running the same command again may work.")
    run_id: str | None = Field(description="The run ledger's id of the run that failed, when there is one.")


# --- run, stage, load -------------------------------------------------------------------------------


class DaySpan(Model):
    start: Day
    end: Day


Days = Annotated[DaySpan | None, Field(description="The chosen days; null: every day of the source.")]


class Batch(Model):
    files: int
    staged: int
    rejected: int


class SongBatch(Batch):
    skipped: bool = Field(description="The song catalog was unchanged and not staged again.")


class CheckCounts(Model):
    ok: bool
    pass_: int = Field(alias="pass")
    warn: int
    fail: int
    error: int


class Pipeline(Versioned):
    run_id: str | None
    days: Days
    missing_days: list[Day]
    ignored_files: list[str]
    events: Batch
    songs: SongBatch
    loaded_files: int
    rows: dict[str, int] = Field(description="Rows per star table after the run.")
    checks: CheckCounts | None = Field(description="null for stage and load, which run no checks.")
    seconds: dict[str, float] = Field(description="Wall time per phase.")


# --- check ------------------------------------------------------------------------------------------


class CheckSummary(Model):
    pass_: int = Field(alias="pass")
    warn: int
    fail: int
    error: int
    total: int


class CheckItem(Model):
    name: str
    table: str | None
    severity: Literal["error", "warn"]
    description: str
    status: Literal["pass", "warn", "fail", "error"]
    failing_rows: int | None
    samples: list[dict[str, Value]]
    metrics: dict[str, Value]
    error: str | None
    sql: str
    duration_s: float | None


class Check(Versioned):
    ok: bool
    warehouse: str
    schema_: str = Field(alias="schema")
    day: Day | None
    checked_at: Timestamp
    summary: CheckSummary
    checks: list[CheckItem]


# --- runs, status, prune ----------------------------------------------------------------------------


class RunBatch(Model):
    staged: int
    rejected: int


class RunItem(Model):
    """One run of the ledger, with the names of the run's own document."""

    run_id: str
    command: str
    days: Days
    source: str | None = Field(description="The source the run read (null: none, or a run before version 4).")
    started_at: Timestamp
    finished_at: Timestamp | None
    status: Literal["running", "ok", "failed", "checks_failed", "interrupted"]
    error: str | None = Field(description="The first line of the error, at most 1,000 bytes of UTF-8.")
    events: RunBatch
    songs: RunBatch
    loaded_files: int
    pruned_files: int
    rows: dict[str, int] = Field(description="Rows per star table after the run (none when it loaded nothing).")
    seconds: dict[str, float] = Field(description="Wall time per phase.")


class Runs(Versioned):
    runs: list[RunItem] = Field(description="Newest first.")


class RunFile(Model):
    source_file: str
    kind: Literal["event", "song"]
    size_bytes: int | None
    modified: str | None = Field(description="The file's mtime (local) or ETag (S3) when it was read.")


class RunShown(RunItem, Versioned):
    files: list[RunFile] = Field(description="The source files the run read (staged), by kind and name.")


class Status(Versioned):
    source: str | None = Field(description="The source the warehouse is compared with.")
    source_from: Literal["option", "last run", "setting"] = Field(
        description="Where that source came from: --source, the ledger's last run, or SPARKIFY_SOURCE."
    )
    source_listed: bool = Field(description="The source was listed (a local folder that could be read).")
    loaded_days: list[str]
    staged_not_loaded: list[str]
    gaps: list[str] | None = Field(description="Days the source has that are not loaded; null: not listed.")
    missing_from_source: list[str] | None
    last_success: Timestamp | None
    unfinished_runs: list[str]


class Prune(Versioned):
    files: list[str]
    pruned: bool
    run_id: str | None
    rows: dict[str, int]


# --- query, rejects ---------------------------------------------------------------------------------


class Query(Versioned):
    columns: list[str]
    rows: list[dict[str, Value]] = Field(description="One object per row, column -> value.")


class Reject(Model):
    source_file: str
    line_no: int | None
    col: int | None = Field(description="The column of the line, when known (1-based).")
    reason: str
    raw_line: str | None
    rejected_at: Timestamp


class Rejects(Versioned):
    rejects: list[Reject] = Field(description="Newest first.")


# --- report, report matches -------------------------------------------------------------------------


class SongPlays(Model):
    song_id: str
    title: str | None
    artist: str | None
    plays: int


class ArtistPlays(Model):
    artist_id: str
    name: str | None
    plays: int


class HourPlays(Model):
    hour: int
    plays: int


class WeekdayPlays(Model):
    weekday: int = Field(description="Sunday = 0.")
    name: str
    plays: int
    days: int = Field(description="How many of the report's days fall on this weekday.")


class LevelShare(Model):
    level: str
    plays: int
    play_share: float
    users_with_plays: int
    user_share: float


class UserActivity(Model):
    user_id: str
    first_name: str | None
    last_name: str | None
    level: str | None
    plays: int
    sessions: int


class DayActivity(Model):
    day: Day
    plays: int
    sessions: int
    users_with_plays: int


class ProvenanceDays(Model):
    first: Day
    last: Day
    count: int


class Provenance(Model):
    generated_at: Timestamp
    sparkify_version: str
    warehouse: str
    location: str
    schema_: str = Field(alias="schema")
    source: str | None = Field(description="The source the last run read, as the run ledger names it.")
    days: ProvenanceDays | None


class Report(Versioned):
    scope: str = Field(description="The chosen days in words; `days` has them as data.")
    days: Days
    first_day: Day | None
    last_day: Day | None
    plays: int
    matched: int
    users_with_plays: int
    sessions: int
    first_play: Timestamp | None
    last_play: Timestamp | None
    top_songs: list[SongPlays]
    top_artists: list[ArtistPlays]
    plays_by_hour: list[HourPlays]
    plays_by_weekday: list[WeekdayPlays]
    levels: list[LevelShare]
    top_users: list[UserActivity]
    per_day: list[DayActivity]
    provenance: Provenance | None
    match_rate: float
    notices: list[str]


class NearMatch(Model):
    songplay_id: str
    start_time: Timestamp
    user_id: str
    song: str
    artist: str
    length: float
    song_repaired: str
    artist_repaired: str
    song_id: str
    artist_id: str
    title: str
    artist_name: str
    duration: float
    reasons: list[str]


class Matches(Versioned):
    scope: str = Field(description="The chosen days in words; `days` has them as data.")
    days: Days
    plays: int
    matched: int
    tolerance: float
    near: list[NearMatch]
    match_rate: float
    normalized_rate: float
    reasons: dict[str, int]


# --- config show, infra status ----------------------------------------------------------------------


class Setting(Model):
    key: str
    value: Value
    origin: str


class SettingsShown(Versioned):
    settings: list[Setting]


class Cluster(Model):
    identifier: str
    status: str
    endpoint: str | None
    port: int | None
    database: str | None
    user: str | None
    node_type: str
    nodes: int
    encrypted: bool
    role_arns: list[str]
    security_groups: list[str]
    parameter_groups: list[str]


class InfraStatus(Versioned):
    region: str
    cluster: Cluster | None
    role_arn: str | None
    role_policy: dict[str, Value] | None
    security_group_id: str | None
    ingress: list[str]
    parameter_group: str | None
    require_ssl: bool | None
    estimated_hourly_usd: float | None


# --- the published schemas --------------------------------------------------------------------------

# command -> its document; `schemas/<file>.schema.json` holds the JSON Schema of each.
COMMANDS: dict[str, type[Versioned]] = {
    "run": Pipeline,
    "stage": Pipeline,
    "load": Pipeline,
    "check": Check,
    "status": Status,
    "prune": Prune,
    "runs": Runs,
    "runs show": RunShown,
    "rejects": Rejects,
    "query": Query,
    "report": Report,
    "report matches": Matches,
    "config show": SettingsShown,
    "infra status": InfraStatus,
}
FAILURE = "failure"


def json_schema(command: str) -> Document:
    model = Failure if command == FAILURE else COMMANDS[command]
    found: Document = model.model_json_schema(mode="serialization")
    title = "a failed command" if command == FAILURE else f"sparkify {command} --format json"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **found,
        "title": title,
    }


def published() -> dict[str, str]:
    """Every schema file's path (relative to the repository) and its text."""
    return {schema_file(c): dumps(json_schema(c)) + "\n" for c in [*COMMANDS, FAILURE]}


# --- writing a document -----------------------------------------------------------------------------


def document(model: type[Versioned], data: Mapping[str, JSON]) -> Document:
    """`data` as `model` has it: validated (a field too many or of the wrong type is a bug here,
    not a document a reader cannot trust), then written with every convention applied."""
    found: Document = model.model_validate(dict(data)).model_dump(mode="json", by_alias=True)
    return found


def emit(model: type[Versioned], data: Mapping[str, JSON]) -> None:
    """The command's one document on stdout."""
    import typer

    typer.echo(dumps(document(model, data), ensure_ascii=False))
