"""Staging on Redshift: COPY the batch from S3 into session temp tables of cells (each field's JSON
type and text), check them with the source format's rules, then replace the staged rows in the
caller's transaction.

Every COPY reads a manifest naming exactly the batch's objects (scratch.py); a FROM prefix would
also load `...events.json.gz`, `.bak` and any other object whose key starts with it. Log files are
read by sparkify and handed to COPY as CSV lines (lines.py), so each row knows its file and line
and gets the verdict DuckDB gives it; the song catalog -- many small files, objects of any shape --
is COPYed as JSON by Redshift itself, with a JSONPaths file naming each key exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sparkify_cli import aws
from sparkify_cli.documents import Document, TemplateValue, count
from sparkify_cli.errors import (
    ConfigError,
    MissingRelation,
    SourceError,
    WarehouseError,
    WarehouseFailure,
)
from sparkify_cli.sources.formats import SourceFormat
from sparkify_cli.warehouse.base import Batch, Value, Warehouse, too_many_rejects
from sparkify_cli.warehouse.redshift import lines
from sparkify_cli.warehouse.redshift.scratch import SETTING, Scratch, copy_prefix, jsonpaths, manifest, s3_literal

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings
    from sparkify_cli.sources import Source, SourceFile
    from sparkify_cli.sources.base import Remote

MAXERROR_LIMIT = 100_000  # Redshift's ceiling for MAXERROR
_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/\-]{1,512}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def maxerror(max_errors: int) -> int:
    """COPY's MAXERROR for --max-errors N. COPY fails once it *reaches* MAXERROR errors, while N means
    "up to N rejects are accepted" (DuckDB's meaning), so N + 1 -- within Redshift's ceiling."""
    return min(max(max_errors, 0) + 1, MAXERROR_LIMIT)


@dataclass(frozen=True)
class CopyOptions:
    iam_role: str
    region: str


@dataclass
class CopyBatch(Batch):
    """A batch COPYed into temp tables, not yet applied."""

    copy_failed: bool = False  # a COPY reached MAXERROR: the batch can only be rejected

    @property
    def copy(self) -> str:
        return f"copy_{self.kind}s"

    @property
    def context(self) -> Document:
        # Rows whose file COPY does not name (the catalog's) are recorded against the catalog's folder.
        folder = self.files[0].key.split("/", 1)[0] + "/" if self.files else f"{self.kind}/"
        return {
            "kind": self.kind,
            "fmt": self.fmt,
            "copy": self.copy,
            "json": f"copy_{self.kind}_json",
            "table": self.table,
            "fields": self.fields,
            "rejects": f"copy_{self.kind}_rejects",
            "files": f"copy_{self.kind}_files",
            "unknown_file": folder,
            # characters and bytes each field's text cell keeps (lines.py decides, for both COPY paths)
            "cell_chars": {f.column: lines.cell_chars(f) for f in self.fields},
            "cell_bytes": {f.column: lines.cell_bytes(f) for f in self.fields},
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
        # Every URI a statement names starts with the source's root or the copy prefix: refused here
        # if it could break one.
        self.root = s3_literal(self.remote.uri()) + "/"
        self.copy_prefix = copy_prefix(settings, self.root)
        if getattr(source, "unsigned", False):  # --no-sign-request: no credentials to write with
            raise ConfigError(
                f"--no-sign-request cannot stage into Redshift: COPY reads manifests and log lines that sparkify "
                f"writes under {SETTING} ({self.copy_prefix}), which takes AWS credentials",
                hint="drop --no-sign-request and use AWS credentials that may write there",
            )
        self._options: CopyOptions | None = None
        self._view = "stl"  # where load errors are read: stl_load_errors, else sys_load_error_detail
        self._checked_region = False

    @property
    def options(self) -> CopyOptions:
        if self._options is None:
            self._options = copy_options(self.settings, self.remote)
        return self._options

    # --- the Stager protocol -------------------------------------------------------------------
    def prepare(self, files: list[SourceFile], fmt: SourceFormat, *, max_errors: int) -> CopyBatch:
        """COPY the batch into temp tables and check it; the warehouse's own tables are unchanged."""
        wh = self.wh
        batch = CopyBatch(fmt, files, 0, 0)
        ctx = batch.context
        wh.run_template("stage/redshift/prepare.sql", **ctx)
        listing = [(f.key, f.size, f.modified) for f in files]
        wh.insert_rows(ctx["files"], ["source_file", "size_bytes", "modified"], listing)
        # A dry run's script must replay on its own: it writes nothing to S3 and reads no log file.
        with Scratch(self.settings, self.copy_prefix, write=wh.may_use_temp_files) as scratch:
            self._same_region(scratch)
            if fmt.one_object_per_line:
                copy = self._lines_copy(scratch, files, fmt)
            else:
                copy = self._json_copy(scratch, files, fmt)
            batch.copy_failed = self._copy(ctx, copy, from_lines=fmt.one_object_per_line, max_errors=max_errors)
        if not batch.copy_failed:
            if not fmt.one_object_per_line:
                wh.run_template("stage/redshift/cells.sql", **ctx)
            wh.run_template("stage/redshift/validate.sql", **ctx)
        _, rows = wh.query(
            f"SELECT (SELECT COUNT(*) FROM {batch.copy} WHERE reason IS NULL), (SELECT COUNT(*) FROM {ctx['rejects']})"
        )
        if rows:
            batch.staged, batch.rejected = int(rows[0][0] or 0), int(rows[0][1] or 0)
        return batch

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
        raise too_many_rejects(where, rejected, max_errors, unit="row")

    def apply(self, batch: Batch) -> None:
        self.wh.run_template("stage/redshift/apply.sql", rejects_only=False, **_own(batch).context)

    # --- COPY ----------------------------------------------------------------------------------
    def _lines_copy(self, scratch: Scratch, files: list[SourceFile], fmt: SourceFormat) -> Document:
        """The log files' lines as gzipped CSV parts (read here: lines.py), COPYed through a manifest."""
        urls, n_lines = [], 0
        if scratch.write:
            for number, (part, records) in enumerate(lines.csv_parts(self._read(files), fmt)):
                urls.append(scratch.put(f"{fmt.name}-{number:04d}.csv.gz", part))
                n_lines += records
        else:
            urls.append(scratch.uri(f"{fmt.name}-0000.csv.gz"))
            _note(self.wh, f"{urls[0]}: the lines of {_listed(files)}, a CSV row each (written by a real run)")
        lines_read = count(n_lines, "line") if scratch.write else "the lines"
        return {
            "what": f"{lines_read} of {count(len(files), 'log file')}, as CSV rows that name their file and line",
            "target": f"copy_{fmt.kind}s",
            "columns": lines.columns(fmt),
            "manifest": scratch.put(f"{fmt.name}.manifest", manifest(urls)),
            "jsonpaths": None,
            "gzip": True,
        }

    def _same_region(self, scratch: Scratch) -> None:
        """One COPY reads the manifest (copy prefix) and the files it names (source) with one REGION."""
        if self._checked_region or scratch.location.bucket == self.root.removeprefix("s3://").split("/")[0]:
            return
        found = scratch.region()
        if found is not None and found != self.options.region:
            raise ConfigError(
                f"{SETTING} {self.copy_prefix} is in {found}, the source in {self.options.region}: "
                "one COPY reads both, with one REGION",
                hint=f"choose a {SETTING} in {self.options.region}",
            )
        self._checked_region = True

    def _read(self, files: list[SourceFile]) -> Iterator[tuple[str, bytes]]:
        for f in files:
            data = self.remote.read(f.key)
            if data is None:
                raise SourceError(f"cannot read {self.remote.uri(f.key)}", hint="is it still there, and readable?")
            yield f.key, data

    def _json_copy(self, scratch: Scratch, files: list[SourceFile], fmt: SourceFormat) -> Document:
        """The catalog's files COPYed as JSON by Redshift, each key mapped exactly (JSONPaths)."""
        gzip = {f.key.endswith(".gz") for f in files}
        if len(gzip) > 1:
            raise SourceError(
                f"{files[0].key.split('/')[0]}/ mixes gzip and plain JSON files; COPY reads one or the other"
            )
        urls = [s3_literal(self.remote.uri(f.key)) for f in files]
        if not scratch.write:
            _note(self.wh, f"{scratch.uri(fmt.name + '.manifest')}: names {_listed(files)} (written by a real run)")
        return {
            "what": f"{count(len(files), 'file')} of {files[0].key.split('/')[0]}/, read as JSON by Redshift",
            "target": f"copy_{fmt.kind}_json",
            "columns": [f.column for f in fmt.fields],
            "manifest": scratch.put(f"{fmt.name}.manifest", manifest(urls)),
            "jsonpaths": scratch.put(f"{fmt.name}.jsonpaths", jsonpaths([f.key for f in fmt.fields])),
            "gzip": gzip == {True},
        }

    def _copy(self, ctx: Document, copy: Document, *, from_lines: bool, max_errors: int) -> bool:
        """Run one COPY and record its load errors as rejects; True when it failed on its data.
        A COPY that fails without a load error of its own (access denied, a bad role, a missing
        object) is not a data problem: the driver's message is raised as it is."""
        wh, options = self.wh, self.options
        since = self._since()
        context: dict[str, TemplateValue] = {**ctx, **copy}
        try:
            wh.run_template(
                "stage/redshift/copy.sql",
                iam_role=options.iam_role,
                region=options.region,
                max_errors=maxerror(max_errors),
                **context,
            )
        except WarehouseFailure:
            raise  # the connection is gone, and the session's temp tables with it
        except WarehouseError:
            if not self._load_errors(ctx, since, from_lines=from_lines):
                raise
            return True
        self._load_errors(ctx, since, from_lines=from_lines)
        return False

    def _since(self) -> int:
        """The newest load-error query id of this session before a COPY (0 when there is none)."""
        try:
            return int(self._scalar("stage/redshift/load_errors.sql", view=self._view, since=None) or 0)
        except MissingRelation:  # no STL views (Redshift Serverless): the SYS view has the same facts
            if self._view == "sys":
                raise
            self._view = "sys"
            return self._since()

    def _load_errors(self, ctx: Document, since: int, *, from_lines: bool) -> int:
        """The COPY's load errors into the batch's rejects; how many there are."""
        wh = self.wh
        wh.run_template(
            "stage/redshift/load_errors.sql", view=self._view, since=since, lines=from_lines, root=self.root, **ctx
        )
        return int(wh.scalar(f"SELECT COUNT(*) FROM {ctx['rejects']}") or 0)

    def _scalar(self, template: str, **context: TemplateValue) -> Value:
        statements = self.wh.render(template, **context)
        return self.wh.scalar(statements[0])


def _listed(files: list[SourceFile]) -> str:
    shown = ", ".join(f.key for f in files[:3])
    return shown + (f" and {len(files) - 3} more" if len(files) > 3 else "")


def _note(wh: Warehouse, text: str) -> None:
    """An annotation in a dry run's script (a real warehouse has nowhere to put it)."""
    note = getattr(wh, "note", None)
    if callable(note):
        note(text)


def copy_options(settings: Settings, remote: Remote) -> CopyOptions:
    region = remote.region() or aws.region(settings)
    if not _REGION.match(region):
        raise ConfigError(f"{region!r} is not an AWS region name")
    return CopyOptions(copy_role(settings), region)


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
