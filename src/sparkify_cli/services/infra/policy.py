"""What `infra up` asks AWS for: least-privilege policy documents and the one network let in."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from sparkify_cli.documents import Document
from sparkify_cli.errors import ConfigError
from sparkify_cli.settings import S3_URI

CHECKIP_URL = "https://checkip.amazonaws.com"


def s3_source(source: str) -> tuple[str, str]:
    """(bucket, prefix without surrounding slashes) of an s3:// source; Redshift COPY reads only S3."""
    match = S3_URI.match(source)
    if not match:
        raise ConfigError(
            f"source {source!r} is not on S3; Redshift loads with COPY from S3",
            hint="set SPARKIFY_SOURCE=s3://bucket/prefix",
        )
    return match.group(1), (match.group(2) or "").strip("/")


def trust_policy() -> Document:
    """Only the Redshift service may assume the role."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "redshift.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def source_read_policy(partition: str, bucket: str, prefix: str) -> Document:
    """Read the source and nothing else: list the bucket under the prefix, get the objects under it."""
    list_bucket: Document = {
        "Sid": "ListSourcePrefix",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": f"arn:{partition}:s3:::{bucket}",
    }
    if prefix:
        list_bucket["Condition"] = {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}}
    get_objects = {
        "Sid": "ReadSourceObjects",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": f"arn:{partition}:s3:::{bucket}/{prefix + '/*' if prefix else '*'}",
    }
    return {"Version": "2012-10-17", "Statement": [list_bucket, get_objects]}


def public_ip(timeout: float = 3.0) -> str:
    """The caller's public IPv4 address as AWS sees it."""
    import urllib.request

    try:
        with urllib.request.urlopen(CHECKIP_URL, timeout=timeout) as response:  # noqa: S310 (fixed https URL)
            text = response.read(64).decode("ascii", "replace").strip()
        return str(ipaddress.ip_address(text))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"could not find your public IP address at {CHECKIP_URL} ({type(exc).__name__})",
            hint="pass --cidr <your-address>/32",
        ) from None


def ingress_cidr(cidr: str | None, lookup_ip: Callable[[], str]) -> tuple[str, list[str]]:
    """The one network allowed in (default: the caller's address /32), and warnings about it."""
    given = cidr if cidr is not None else lookup_ip()
    try:
        network = ipaddress.ip_network(given, strict=True)
    except ValueError as exc:
        raise ConfigError(f"--cidr {given!r} is not a network: {exc}", hint="e.g. --cidr 203.0.113.7/32") from None
    warnings = []
    if network.prefixlen == 0:
        warnings.append(f"--cidr {network} opens the Redshift port to the whole internet")
    return str(network), warnings


def ingress_permission(port: int, cidr: str) -> Document:
    """An EC2 IpPermissions entry letting `cidr` reach `port` over TCP."""
    description = "sparkify: Redshift clients"
    ranges = (
        {"Ipv6Ranges": [{"CidrIpv6": cidr, "Description": description}]}
        if ":" in cidr
        else {"IpRanges": [{"CidrIp": cidr, "Description": description}]}
    )
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}


def cidrs_on_port(group: Document, port: int) -> list[str]:
    """Networks a security group lets reach `port`."""
    found = []
    for perm in group.get("IpPermissions", []):
        protocol = perm.get("IpProtocol")
        in_range = perm.get("FromPort", 0) <= port <= perm.get("ToPort", 0)
        if protocol == "-1" or (protocol == "tcp" and in_range):
            found += [r["CidrIp"] for r in perm.get("IpRanges", [])]
            found += [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
    return found
