"""The only module that imports boto3: sessions, clients, and AWS errors as one-line AwsErrors.

Credentials come from boto3's standard chain (environment, AWS_PROFILE, SSO, instance role); the
project never stores keys. boto3 itself honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>),
which is how tests and S3-compatible stores are reached, so nothing here overrides the endpoint.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from sparkify_cli import extras
from sparkify_cli.documents import JSON, Document
from sparkify_cli.errors import AwsError, ConfigError

try:  # the [aws] extra (also in [redshift]): without it, importing this module is a one-line usage error
    import boto3
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError
    from botocore.loaders import Loader, create_loader
except ModuleNotFoundError as exc:
    if (missing := extras.missing(exc)) is None:
        raise
    raise missing from None

if TYPE_CHECKING:
    from sparkify_cli.settings import Settings

# The real boundaries with boto3: its clients are built at run time from service models (no static
# types), and every answer is a JSON-like document.
Client = Any

# Standard retries (throttling and transient errors, with jittered backoff of at most 1 s then 2 s),
# three attempts in all: a silent endpoint costs at most 3 x SPARKIFY_AWS_READ_TIMEOUT (+ 3 s) per call,
# an unreachable one 3 x SPARKIFY_AWS_CONNECT_TIMEOUT (+ 3 s), instead of six times the wait.
ATTEMPTS = 3
CHUNK = 64 * 1024  # a download notices a stop request between chunks this big


def _config(connect_timeout: float, read_timeout: float) -> Config:
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
    )


# Error codes (AWS's, or botocore's exception names) that say "try again later", not "fix something".
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "RequestTimeout",
        "InternalError",
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    }
)


class AwsCallError(AwsError):
    """An AWS call failed; `code` is AWS's error code (e.g. "NoSuchEntity") for callers that branch on it."""

    def __init__(self, message: str, code: str = "", *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.transient = code in TRANSIENT_CODES


@functools.cache
def _loader() -> Loader:
    """One botocore data loader per process: parsing service models (EC2's is megabytes) happens once."""
    return create_loader()


def _environment() -> tuple[tuple[str, str], ...]:
    """What the credential and endpoint chain reads from the environment: part of every cache key."""
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))


# Sessions and clients are cached per (profile, region, AWS_* environment): building a botocore session
# registers hundreds of handlers, and plan + apply + wait would otherwise build dozens of them.
@functools.lru_cache(maxsize=8)
def _session(profile: str | None, region_name: str | None, _env: tuple[tuple[str, str], ...]) -> boto3.Session:
    core = botocore.session.Session(profile=profile)
    core.register_component("data_loader", _loader())
    made = boto3.Session(botocore_session=core, region_name=region_name)
    paths = _loader().search_paths  # boto3 appends its data folder on every session: keep one copy
    paths[:] = list(dict.fromkeys(paths))
    return made


@functools.lru_cache(maxsize=32)
def _client(
    profile: str | None, region_name: str, name: str, env: tuple[tuple[str, str], ...], timeouts: tuple[float, float]
) -> Client:
    return _session(profile, region_name, env).client(name, config=_config(*timeouts))


def _timeouts(settings: Settings) -> tuple[float, float]:
    return (settings.aws_connect_timeout, settings.aws_read_timeout)


def session(settings: Settings) -> boto3.Session:
    """A session on boto3's credential chain; SPARKIFY_AWS_PROFILE / --profile pick a named profile.

    Region: SPARKIFY_AWS_REGION, then AWS_REGION (which botocore itself ignores), then boto3's chain
    (AWS_DEFAULT_REGION, the profile's region).
    """
    try:
        made = _session(settings.aws_profile, settings.aws_region or os.environ.get("AWS_REGION"), _environment())
        if not made.region_name:
            raise ConfigError("no AWS region: set SPARKIFY_AWS_REGION or AWS_REGION (e.g. us-west-2)")
        if settings.aws_profile and settings.aws_profile not in made.available_profiles:
            raise ConfigError(f"AWS profile {settings.aws_profile!r} is not in your AWS config files")
    except BotoCoreError as exc:  # e.g. ProfileNotFound
        raise _mapped(exc, "AWS session") from None
    return made


def region(settings: Settings) -> str:
    return str(session(settings).region_name)


def client(settings: Settings, name: str) -> Client:
    """A boto3 client for service `name` in the configured region."""
    region_name = region(settings)
    try:
        return _client(settings.aws_profile, region_name, name, _environment(), _timeouts(settings))
    except BotoCoreError as exc:
        raise _mapped(exc, f"{name} client") from None


def partition(settings: Settings) -> str:
    """ARN partition of the region ("aws", "aws-cn", "aws-us-gov")."""
    current = session(settings)
    try:
        return current.get_partition_for_region(str(current.region_name)) or "aws"
    except BotoCoreError:  # a region botocore does not know yet (or a test endpoint's name)
        return "aws"


def call(aws_client: Client, operation: str, **params: JSON) -> Document:
    """Run one boto3 operation; any failure becomes an AwsCallError with a one-line message."""
    service = aws_client.meta.service_model.service_name
    try:
        result: Document = getattr(aws_client, operation)(**params)
    except (ClientError, BotoCoreError) as exc:
        raise _mapped(exc, f"{service} {operation}") from None
    result.pop("ResponseMetadata", None)
    return result


def _mapped(exc: Exception, what: str) -> AwsCallError:
    if isinstance(exc, NoCredentialsError):
        return AwsCallError(
            f"{what}: no AWS credentials found",
            "NoCredentials",
            hint="set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        )
    if isinstance(exc, NoRegionError):
        return AwsCallError(f"{what}: no AWS region", "NoRegion", hint="set SPARKIFY_AWS_REGION or AWS_REGION")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = " ".join(str(error.get("Message", "")).split())  # AWS messages may span lines
        return AwsCallError(f"{what} failed: {code}: {message}".rstrip(": "), code)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return AwsCallError(f"{what} failed: {first}", type(exc).__name__)


@dataclass(frozen=True)
class ClusterInfo:
    """What later commands need to reach a cluster, found by its identifier (no state file)."""

    identifier: str
    status: str
    endpoint: str | None
    port: int | None
    database: str
    user: str
    node_type: str
    nodes: int
    encrypted: bool
    role_arns: list[str] = field(default_factory=list)
    default_role_arn: str | None = None
    security_group_ids: list[str] = field(default_factory=list)
    parameter_groups: list[str] = field(default_factory=list)
    master_password_secret_arn: str | None = None
    publicly_accessible: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def role_arn(self) -> str | None:
        """The role COPY should use: the cluster's default role, else its first attached role."""
        return self.default_role_arn or (self.role_arns[0] if self.role_arns else None)


def cluster_info(raw: Document) -> ClusterInfo:
    endpoint = raw.get("Endpoint") or {}
    return ClusterInfo(
        identifier=raw["ClusterIdentifier"],
        status=raw.get("ClusterStatus", "unknown"),
        endpoint=endpoint.get("Address"),
        port=endpoint.get("Port"),
        database=raw.get("DBName", ""),
        user=raw.get("MasterUsername", ""),
        node_type=raw.get("NodeType", ""),
        nodes=int(raw.get("NumberOfNodes", 1)),
        encrypted=bool(raw.get("Encrypted", False)),
        role_arns=[r["IamRoleArn"] for r in raw.get("IamRoles", [])],
        default_role_arn=raw.get("DefaultIamRoleArn"),
        security_group_ids=[g["VpcSecurityGroupId"] for g in raw.get("VpcSecurityGroups", [])],
        parameter_groups=[g["ParameterGroupName"] for g in raw.get("ClusterParameterGroups", [])],
        master_password_secret_arn=raw.get("MasterPasswordSecretArn"),
        publicly_accessible=bool(raw.get("PubliclyAccessible", False)),
        tags={t["Key"]: t.get("Value", "") for t in raw.get("Tags", [])},
    )


def describe_cluster(settings: Settings, redshift: Client = None) -> ClusterInfo | None:
    """The configured cluster (settings.cluster_identifier), or None when it does not exist."""
    redshift = redshift or client(settings, "redshift")
    try:
        found = call(redshift, "describe_clusters", ClusterIdentifier=settings.cluster_identifier)
    except AwsCallError as exc:
        if exc.code == "ClusterNotFound":
            return None
        raise
    clusters = found.get("Clusters", [])
    return cluster_info(clusters[0]) if clusters else None


# --- S3 sources and Redshift credentials (issue 4) -------------------------------------------------


def has_credentials(settings: Settings) -> bool:
    """Does boto3's chain find AWS credentials (without calling AWS)?"""
    try:
        return session(settings).get_credentials() is not None
    except (BotoCoreError, ConfigError):
        return False


def s3_client(settings: Settings, *, unsigned: bool = False) -> Client:
    """An S3 client; `unsigned` reads public buckets anonymously (the CLI's --no-sign-request)."""
    if not unsigned:
        return client(settings, "s3")
    from botocore import UNSIGNED

    try:
        config = _config(*_timeouts(settings)).merge(Config(signature_version=UNSIGNED))
        return session(settings).client("s3", config=config)
    except BotoCoreError as exc:
        raise _mapped(exc, "s3 client") from None


def list_objects(s3: Client, bucket: str, prefix: str) -> list[Document]:
    """Every object under `prefix` (Key, Size, ETag), all pages."""
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [obj for page in pages for obj in page.get("Contents", [])]
    except (ClientError, BotoCoreError) as exc:
        raise _mapped(exc, f"s3 list s3://{bucket}/{prefix}") from None


def download_file(s3: Client, bucket: str, key: str, out: BinaryIO, stop: Callable[[], bool] = lambda: False) -> bool:
    """One GET streamed into `out` (source files are small: no multipart machinery needed). False when
    `stop` said so between two chunks: `out` then holds part of the object."""
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            for chunk in body.iter_chunks(CHUNK):
                if stop():
                    return False
                out.write(chunk)
        finally:
            body.close()
    except (ClientError, BotoCoreError) as exc:
        raise _mapped(exc, f"s3 download s3://{bucket}/{key}") from None
    return not stop()
