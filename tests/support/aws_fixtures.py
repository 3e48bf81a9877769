"""AWS test doubles for the infra tests: fake credentials, moto in-process and as a local server.

moto has no ModifyClusterParameterGroup (which `require_ssl=true` needs), so `add_parameter_group_calls`
adds it, with DescribeClusterParameters reporting the modified values, to the moto these tests start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from support.moto_server import serve

REGION = "us-west-2"
BUCKET, PREFIX = "sparkify-raw", "data/v1"
# Distinctive fakes: tests assert neither ever appears in any output.
FAKE_SECRET_KEY = "FAKEsecretKEY/never+printed/7f3a9c2e51d04b86"
FAKE_PASSWORD = "Pw-never-printed-4b1e9d"
CIDR = "203.0.113.7/32"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Fake credentials and region; nothing from the developer's ~/.aws or environment leaks in."""
    for key in (
        "AWS_PROFILE",
        "AWS_DEFAULT_REGION",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_REDSHIFT",
        "AWS_ENDPOINT_URL_IAM",
        "AWS_ENDPOINT_URL_EC2",
        "AWS_ENDPOINT_URL_STS",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-role probing of 169.254.169.254
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # thousands of fake AMIs per region: seconds each
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFORTESTS0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", REGION)  # botocore ignores AWS_REGION; sparkify must not
    monkeypatch.setenv("SPARKIFY_SOURCE", f"s3://{BUCKET}/{PREFIX}/")
    monkeypatch.setenv("SPARKIFY_REDSHIFT_PASSWORD", FAKE_PASSWORD)
    monkeypatch.setenv("SPARKIFY_REDSHIFT_NODES", "2")
    monkeypatch.setenv("SPARKIFY_REDSHIFT_NODE_TYPE", "ra3.xlplus")


def add_parameter_group_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Teach moto's Redshift ModifyClusterParameterGroup, the way AWS behaves for it."""
    from moto.core.responses import ActionResult
    from moto.redshift.exceptions import ClusterParameterGroupNotFoundError, InvalidParameterValueError
    from moto.redshift.models import RedshiftBackend
    from moto.redshift.responses import RedshiftResponse

    def backend_modify(self: RedshiftBackend, name: str, parameters: list[dict[str, str]]) -> None:
        if name not in self.parameter_groups:
            raise ClusterParameterGroupNotFoundError(name)
        group = self.parameter_groups[name]
        values = dict(getattr(group, "user_values", {}))
        for parameter in parameters:
            if parameter["ParameterName"] not in self.default_params:
                raise InvalidParameterValueError(f"Could not find parameter with name: {parameter['ParameterName']}")
            values[parameter["ParameterName"]] = parameter["ParameterValue"]
        group.user_values = values  # type: ignore[attr-defined]

    def backend_describe(self: RedshiftBackend, parameter_group_name: str) -> list[dict[str, Any]]:
        if parameter_group_name not in self.parameter_groups:
            raise ClusterParameterGroupNotFoundError(parameter_group_name)
        values = getattr(self.parameter_groups[parameter_group_name], "user_values", {})
        parameters = self.describe_default_cluster_parameters()
        for parameter in parameters:
            if parameter["ParameterName"] in values:
                parameter.update(ParameterValue=values[parameter["ParameterName"]], Source="user")
        return parameters

    def response_modify(self: RedshiftResponse) -> ActionResult:
        name = self._get_param("ParameterGroupName")
        self.redshift_backend.modify_cluster_parameter_group(name, self._get_param("Parameters", []))
        return ActionResult(
            {"ParameterGroupName": name, "ParameterGroupStatus": "Your parameter group has been updated."}
        )

    monkeypatch.setattr(RedshiftBackend, "modify_cluster_parameter_group", backend_modify, raising=False)
    monkeypatch.setattr(RedshiftBackend, "describe_cluster_parameters", backend_describe)
    monkeypatch.setattr(RedshiftResponse, "modify_cluster_parameter_group", response_modify, raising=False)


@pytest.fixture
def moto_aws(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in-process: fast, every boto3 call intercepted."""
    from moto import mock_aws

    add_parameter_group_calls(monkeypatch)
    with mock_aws():
        yield


@pytest.fixture
def moto_server(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto as a real HTTP server on 127.0.0.1, reached only through AWS_ENDPOINT_URL."""
    add_parameter_group_calls(monkeypatch)  # the server thread shares this process's moto classes
    with serve(monkeypatch) as url:
        yield url


def backend(service: str) -> Any:
    """moto's in-memory state for `service` in the test region (inspect or break it directly)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends
    from moto.iam.models import iam_backends
    from moto.redshift.models import redshift_backends

    backends = {"redshift": redshift_backends, "ec2": ec2_backends}
    if service == "iam":
        return iam_backends[DEFAULT_ACCOUNT_ID]["global"]
    return backends[service][DEFAULT_ACCOUNT_ID][REGION]


def expected_policy() -> dict[str, Any]:
    """The exact inline policy: list under the prefix, read objects under it, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListSourcePrefix",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{BUCKET}",
                "Condition": {"StringLike": {"s3:prefix": [PREFIX, f"{PREFIX}/*"]}},
            },
            {
                "Sid": "ReadSourceObjects",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/{PREFIX}/*",
            },
        ],
    }


def as_json(document: Any) -> Any:
    return json.loads(document) if isinstance(document, str) else document
