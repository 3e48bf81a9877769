"""Staging on Redshift: COPY the source's S3 objects into session temp tables, validate, then replace
the staged rows in the caller's transaction.

Log files are COPYed one per statement because a day's rows must be known by file (a reload of that
file replaces exactly its rows, and songplay_sources points at it); COPY itself has no file-name
column. The song catalog, replaced whole, is one COPY of the song_data/ prefix, so Redshift spreads
its many small files over every slice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sparkify_cli import aws
from sparkify_cli.documents import Document
from sparkify_cli.errors import ConfigError, MissingRelation, RejectedDataError, SourceError, WarehouseError
from sparkify_cli.sources.formats import EVENT_FIELDS, SourceFormat
from sparkify_cli.warehouse.base import Batch, Warehouse

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources import Source, SourceFile
    from sparkify_cli.sources.base import Remote

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
class CopyBatch(Batch):
    """A batch COPYed into temp tables, not yet applied."""

    copy_failed: bool = False  # a COPY hit MAXERROR: the batch can only be rejected

    @property
    def copy(self) -> str:
        return f"copy_{self.kind}s"

    @property
    def context(self) -> Document:
        return {
            "kind": self.kind,
            "fmt": self.fmt,
            "copy": self.copy,
            "table": self.table,
            "fields": self.fields,
            "rejects": f"copy_{self.kind}_rejects",
            "files": f"copy_{self.kind}_files",
        }


def _own(batch: Batch) -> CopyBatch:
    if not isinstance(batch, CopyBatch):
        raise TypeError(f"Redshift staging cannot apply a {type(batch).__name__}")
    return batch


class RedshiftStager:
    def __init__(self, wh: Warehouse, settings: Settings, source: Source) -> None:
        if source.remote is None:
            raise SourceError(
                f"Redshift COPYs from S3, not from {source.where()}",
                hint="pass --source s3://bucket/prefix (or set SPARKIFY_SOURCE)",
            )
        self.wh = wh
        self.settings = settings
        self.remote: Remote = source.remote
        self._options: CopyOptions | None = None

    @property
    def options(self) -> CopyOptions:
        if self._options is None:
            self._options = copy_options(self.settings, self.remote)
        return self._options

    def prepare(self, files: list[SourceFile], fmt: SourceFormat, *, max_errors: int) -> CopyBatch:
        """COPY the batch into temp tables and validate it; the warehouse's own tables are unchanged.
        COPY's MAXERROR is `max_errors`."""
        wh, options = self.wh, self.options
        maxerror = min(max(max_errors, 0), MAXERROR_LIMIT)
        batch = CopyBatch(fmt, files, 0, 0)
        ctx = batch.context
        wh.run_template("stage/redshift/prepare.sql", **ctx)
        listing = [(f.key, f.size, f.modified) for f in files]
        wh.insert_rows(ctx["files"], ["source_file", "size_bytes", "modified"], listing)
        if fmt.replaced_whole:
            gzip = {f.key.endswith(".gz") for f in files}
            if len(gzip) > 1:
                raise SourceError("song_data/ mixes gzip and plain JSON files; COPY reads one or the other")
            copies = [("the song catalog", "song_data/", gzip == {True})]
        else:
            copies = [(f"log file {f.key}", f.key, f.key.endswith(".gz")) for f in files]
        for what, key, gzip_on in copies:
            json_format = options.json_format if fmt.one_object_per_line else "auto ignorecase"
            try:
                wh.run_template(
                    "stage/redshift/copy.sql",
                    [key],
                    what=what,
                    uri=self.remote.uri(key),
                    iam_role=options.iam_role,
                    json_format=json_format,
                    gzip=gzip_on,
                    region=options.region,
                    max_errors=maxerror,
                    **ctx,
                )
            except WarehouseError:
                if not self._load_errors(ctx):
                    raise  # not a data problem (access denied, bad role, ...): the driver's message says what
                batch.copy_failed = True
                break
            self._load_errors(ctx)
        if not batch.copy_failed:
            wh.run_template("stage/redshift/validate.sql", **ctx)
        _, rows = wh.query(
            f"SELECT (SELECT COUNT(*) FROM {batch.copy} WHERE reject_reason IS NULL), "
            f"(SELECT COUNT(*) FROM {ctx['rejects']})"
        )
        if rows:
            batch.staged, batch.rejected = int(rows[0][0] or 0), int(rows[0][1] or 0)
        return batch

    def _load_errors(self, ctx: Document) -> int:
        """Copy the last COPY's load errors into the batch's rejects; how many there are now."""
        wh = self.wh
        strip = len(self.remote.uri("x"))  # SUBSTRING is 1-based: start right after "s3://bucket/prefix/"
        try:
            wh.run_template("stage/redshift/load_errors.sql", view="stl", strip=strip, **ctx)
        except MissingRelation:  # no STL views (Redshift Serverless): the SYS views have the same facts
            wh.run_template("stage/redshift/load_errors.sql", view="sys", strip=strip, **ctx)
        return int(wh.scalar(f"SELECT COUNT(*) FROM {ctx['rejects']}") or 0)

    def check_rejects(self, batches: Sequence[Batch], max_errors: int) -> None:
        wh = self.wh
        own = [_own(b) for b in batches]
        rejected = sum(b.rejected for b in own)
        if rejected <= max_errors and not any(b.copy_failed for b in own):
            return
        with wh.transaction():
            for batch in own:
                wh.run_template("stage/redshift/apply.sql", rejects_only=True, **batch.context)
        first = next((b for b in own if b.rejected), own[0])
        _, rows = wh.query(
            f"SELECT source_file, line_no, reason FROM {first.context['rejects']} ORDER BY source_file, line_no LIMIT 1"
        )
        where = f"{rows[0][0]}:{rows[0][1] if rows[0][1] is not None else '?'}: {rows[0][2]}" if rows else "COPY failed"
        raise RejectedDataError(
            f"{where} ({rejected} rejected row(s), --max-errors {max(max_errors, 0)})",
            hint="see `sparkify rejects`; fix the source or raise --max-errors",
        )

    def apply(self, batch: Batch) -> None:
        self.wh.run_template("stage/redshift/apply.sql", rejects_only=False, **_own(batch).context)


def copy_options(settings: Settings, remote: Remote) -> CopyOptions:
    region = remote.region() or aws.region(settings)
    if not _REGION.match(region):
        raise ConfigError(f"{region!r} is not an AWS region name")
    paths = remote.read(JSONPATHS_FILE)
    use_paths = paths is not None and jsonpaths_match(paths)
    return CopyOptions(copy_role(settings), region, remote.uri(JSONPATHS_FILE) if use_paths else "auto ignorecase")


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
