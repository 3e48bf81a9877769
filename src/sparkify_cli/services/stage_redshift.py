"""stage on Redshift: COPY the source's S3 objects into session temp tables, validate, then replace
the staged rows in one transaction. Mirrors stage.py's plan / prepare / check_rejects / apply.

Log files are COPYed one per statement because a day's rows must be known by file (a reload of that
file replaces exactly its rows, and songplay_sources points at it); COPY itself has no file-name
column. The song catalog, replaced whole, is one COPY of the song_data/ prefix, so Redshift spreads
its many small files over every slice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sparkify_cli import aws
from sparkify_cli.dates import Days
from sparkify_cli.errors import ConfigError, RejectedDataError, SourceError, WarehouseError
from sparkify_cli.formats import EVENT_FIELDS
from sparkify_cli.progress import OnProgress, silent
from sparkify_cli.s3source import S3Source
from sparkify_cli.services.stage import Batch, StagePlan, StageResult, catalog_changed
from sparkify_cli.settings import Settings
from sparkify_cli.sources import SourceFile
from sparkify_cli.warehouse import Warehouse

JSONPATHS_FILE = "log_json_path.json"  # the name the original data set ships its JSONPaths under
MAXERROR_LIMIT = 100_000  # Redshift's own ceiling for MAXERROR
_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/\-]{1,512}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_JSONPATH = re.compile(r"""^\$(?:\[['"](?P<quoted>[^'"]+)['"]\]|\.(?P<dotted>\w+))$""")


@dataclass(frozen=True)
class CopyOptions:
    iam_role: str
    region: str
    json_format: str  # s3:// URI of a JSONPaths file, or 'auto ignorecase'


@dataclass
class Prepared(Batch):
    """A batch COPYed into temp tables, not yet applied."""

    copy_failed: bool = False  # a COPY hit MAXERROR: the batch can only be rejected

    @property
    def copy(self) -> str:
        return f"copy_{self.kind}s"

    @property
    def context(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "copy": self.copy,
            "table": self.table,
            "fields": self.fields,
            "rejects": f"copy_{self.kind}_rejects",
            "files": f"copy_{self.kind}_files",
        }


def stage(
    wh: Warehouse,
    source: Any,
    days: Days,
    *,
    max_errors: int = 0,
    songs: bool | None = None,
    strict: bool = False,
    on_progress: OnProgress = silent,
) -> StageResult:
    """Stage the days' log files (all when days.everything) and, when it changed or `songs` is
    True, the song catalog: COPY, validate, then apply everything in one transaction."""
    work = plan(wh, source, days, songs=songs, strict=strict)
    source = require_s3(source)
    result = StageResult(days, songs_skipped=not work.songs, missing_days=work.missing_days)
    options = copy_options(wh, source)
    batches = []
    for kind, files in (("song", work.songs), ("event", work.logs)):
        if files:
            batches.append(
                prepare(wh, source, files, kind, options=options, max_errors=max_errors, on_progress=on_progress)
            )
    check_rejects(wh, batches, max_errors)
    with wh.transaction():
        for batch in batches:
            apply(wh, batch)
    for batch in batches:
        setattr(result, f"{batch.kind}s", batch.result)
    return result


def require_s3(source: Any) -> S3Source:
    if not isinstance(source, S3Source):
        raise SourceError(
            f"Redshift COPYs from S3, not from {getattr(source, 'root', source)}",
            hint="pass --source s3://bucket/prefix (or set SPARKIFY_SOURCE)",
        )
    return source


def plan(wh: Warehouse, source: Any, days: Days, *, songs: bool | None, strict: bool) -> StagePlan:
    """Which objects a step COPYs: the days' log files, and the catalog when it changed or is asked for."""
    source = require_s3(source)
    logs, missing = source.log_files(days.days)
    if missing and (strict or len(days.days or ()) == 1):
        listed = ", ".join(d.isoformat() for d in missing[:5])
        raise SourceError(
            f"no log file for {listed} in {source.root}",
            hint=f"expected {source.location.uri(source.log_key(missing[0]))}",
        )
    if not logs and days.everything:
        raise SourceError(f"no log files under {source.location.uri('log_data/')}")
    if songs is False:
        return StagePlan(logs, [], missing)
    song_files = source.song_files()
    if not song_files:
        raise SourceError(f"no song files under {source.location.uri('song_data/')}")
    if songs is None and not catalog_changed(wh, song_files):
        song_files = []
    return StagePlan(logs, song_files, missing)


def copy_options(wh: Warehouse, source: S3Source) -> CopyOptions:
    settings: Settings | None = getattr(wh, "settings", None) or source.settings
    if settings is None:
        raise ConfigError("Redshift staging needs the settings (IAM role, region)")
    region = source.region() or aws.region(settings)
    if not _REGION.match(region):
        raise ConfigError(f"{region!r} is not an AWS region name")
    paths = source.read(JSONPATHS_FILE)
    use_paths = paths is not None and jsonpaths_match(paths)
    return CopyOptions(
        copy_role(settings), region, source.location.uri(JSONPATHS_FILE) if use_paths else "auto ignorecase"
    )


def jsonpaths_match(document: bytes) -> bool:
    """Does a JSONPaths file name exactly the event keys, in the staging columns' order? A broken
    copy (a key twice, one missing) would shift or drop columns, so it is not used."""
    try:
        paths = json.loads(document)["jsonpaths"]
    except (ValueError, KeyError, TypeError):
        return False
    keys = []
    for path in paths if isinstance(paths, list) else []:
        found = _JSONPATH.match(str(path).strip())
        keys.append(found and (found.group("quoted") or found.group("dotted")))
    return keys == [f.key for f in EVENT_FIELDS]


_roles: dict[tuple[str, str], str] = {}


def copy_role(settings: Settings) -> str:
    """The IAM role COPY assumes: the cluster's default (or first) role, else SPARKIFY_IAM_ROLE_NAME's ARN."""
    memo = (settings.cluster_identifier, settings.iam_role_name)
    if memo in _roles:
        return _roles[memo]
    arn = None
    try:
        cluster = aws.describe_cluster(settings)
        arn = cluster.role_arn if cluster else None
    except aws.AwsCallError:
        arn = None  # e.g. no redshift:DescribeClusters permission: the role may still be found
    if arn is None:
        try:
            arn = aws.call(aws.client(settings, "iam"), "get_role", RoleName=settings.iam_role_name)["Role"]["Arn"]
        except aws.AwsCallError as exc:
            raise ConfigError(
                f"no IAM role for COPY: {exc.message}",
                hint="run `sparkify infra up`, or set SPARKIFY_IAM_ROLE_NAME to a role the cluster can assume",
            ) from None
    if not _ROLE_ARN.match(str(arn)):
        raise ConfigError(f"{arn!r} is not an IAM role ARN")
    _roles[memo] = str(arn)
    return str(arn)


def prepare(
    wh: Warehouse,
    source: Any,
    files: list[SourceFile],
    kind: str,
    *,
    options: CopyOptions | None = None,
    max_errors: int | None = None,
    on_progress: OnProgress = silent,
) -> Prepared:
    """COPY the batch into temp tables and validate it; the warehouse's own tables are unchanged.
    COPY's MAXERROR is `max_errors`; without it COPY keeps going (up to Redshift's limit) and
    check_rejects alone decides, with every reject recorded."""
    source = require_s3(source)
    options = options or copy_options(wh, source)
    maxerror = MAXERROR_LIMIT if max_errors is None else min(max(max_errors, 0), MAXERROR_LIMIT)
    batch = Prepared(kind, files, 0, 0)
    ctx = batch.context
    wh.run_template("stage/redshift_prepare.sql", **ctx)
    listing = [(f.key, f.size, f.modified) for f in files]
    wh.insert_rows(ctx["files"], ["source_file", "size_bytes", "modified"], listing)
    if kind == "song":
        gzip = {f.key.endswith(".gz") for f in files}
        if len(gzip) > 1:
            raise SourceError("song_data/ mixes gzip and plain JSON files; COPY reads one or the other")
        copies = [("the song catalog", "song_data/", gzip == {True})]
    else:
        copies = [(f"log file {f.key}", f.key, f.key.endswith(".gz")) for f in files]
    task = f"copy {kind}s"
    on_progress(task, 0, len(copies))
    for done, (what, key, gzip_on) in enumerate(copies, start=1):
        json_format = options.json_format if kind == "event" else "auto ignorecase"
        try:
            wh.run_template(
                "stage/redshift_copy.sql",
                [key],
                what=what,
                uri=source.location.uri(key),
                iam_role=options.iam_role,
                json_format=json_format,
                gzip=gzip_on,
                region=options.region,
                max_errors=maxerror,
                **ctx,
            )
        except WarehouseError:
            if not _load_errors(wh, source, ctx):
                raise  # not a data problem (access denied, bad role, ...): the driver's message says what
            batch.copy_failed = True
            break
        _load_errors(wh, source, ctx)
        on_progress(task, done, len(copies))
    if not batch.copy_failed:
        wh.run_template("stage/redshift_validate.sql", **ctx)
    _, rows = wh.query(
        f"SELECT (SELECT COUNT(*) FROM {batch.copy} WHERE reject_reason IS NULL), "
        f"(SELECT COUNT(*) FROM {ctx['rejects']})"
    )
    if rows:
        batch.staged, batch.rejected = int(rows[0][0] or 0), int(rows[0][1] or 0)
    return batch


def _load_errors(wh: Warehouse, source: S3Source, ctx: dict[str, Any]) -> int:
    """Copy the last COPY's load errors into the batch's rejects; how many there are now."""
    strip = len(source.location.uri("x"))  # SUBSTRING is 1-based: start right after "s3://bucket/prefix/"
    try:
        wh.run_template("stage/redshift_load_errors.sql", view="stl", strip=strip, **ctx)
    except WarehouseError:
        wh.run_template("stage/redshift_load_errors.sql", view="sys", strip=strip, **ctx)
    return int(wh.scalar(f"SELECT COUNT(*) FROM {ctx['rejects']}") or 0)


def check_rejects(wh: Warehouse, batches: list[Prepared], max_errors: int) -> None:
    """More rejects than allowed: record them (so `sparkify rejects` shows them), stage nothing, fail."""
    rejected = sum(b.rejected for b in batches)
    if rejected <= max_errors and not any(b.copy_failed for b in batches):
        return
    with wh.transaction():
        for batch in batches:
            wh.run_template("stage/redshift_apply.sql", rejects_only=True, **batch.context)
    first = next((b for b in batches if b.rejected), batches[0])
    _, rows = wh.query(
        f"SELECT source_file, line_no, reason FROM {first.context['rejects']} ORDER BY source_file, line_no LIMIT 1"
    )
    where = f"{rows[0][0]}:{rows[0][1] if rows[0][1] is not None else '?'}: {rows[0][2]}" if rows else "COPY failed"
    raise RejectedDataError(
        f"{where} ({rejected} rejected row(s), --max-errors {max(max_errors, 0)})",
        hint="see `sparkify rejects`; fix the source or raise --max-errors",
    )


def apply(wh: Warehouse, batch: Prepared) -> None:
    """Replace the staged rows of the batch's files (inside the caller's transaction)."""
    wh.run_template("stage/redshift_apply.sql", rejects_only=False, **batch.context)
