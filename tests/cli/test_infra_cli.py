"""`sparkify infra ...` through the real CLI: a moto server scenario, dry runs, failures, prompts, secrets."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from sparkify_cli.cli.app import app
from sparkify_cli.services.infra import policy as infra_policy
from support.aws_fixtures import (  # noqa: F401  (fixtures)
    CIDR,
    FAKE_PASSWORD,
    FAKE_SECRET_KEY,
    aws_env,
    backend,
    moto_aws,
    moto_server,
)
from support.terminal import terminal  # noqa: F401  (fixture)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        import json

        return json.loads(self.stdout)


def sparkify(*args: str, input: str | None = None) -> Run:
    """The real CLI in-process; no secret may appear in anything it prints."""
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    run = Run(result.exit_code, result.stdout, result.stderr)
    for secret in (FAKE_SECRET_KEY, FAKE_PASSWORD):
        assert secret not in run.stdout + run.stderr
    return run


def one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.usefixtures("moto_server")
def test_full_lifecycle_through_a_moto_server_reached_only_via_aws_endpoint_url() -> None:
    # No mock is active in this process: without AWS_ENDPOINT_URL these calls would go to AWS and fail.
    assert sparkify("infra", "status", "--format", "json").json()["cluster"] is None

    first = sparkify("infra", "up", "--cidr", CIDR, "--yes")
    assert first.exit_code == 0, first.stderr
    assert "+ Redshift cluster sparkify: create" in first.stderr
    assert "done redshift.modify_cluster_parameter_group" in first.stderr
    assert "endpoint: sparkify." in first.stdout
    assert "role_arn: arn:aws:iam::123456789012:role/sparkify-redshift-s3-read" in first.stdout
    assert "sparkify" in backend("redshift").clusters  # the server's state, in this process

    status = sparkify("infra", "status", "--format", "json").json()
    assert status["cluster"]["status"] == "available"
    assert status["cluster"]["encrypted"] is True
    assert (status["cluster"]["nodes"], status["cluster"]["node_type"]) == (2, "ra3.xlplus")
    assert status["ingress"] == [CIDR]
    assert status["require_ssl"] is True
    assert status["estimated_hourly_usd"] == pytest.approx(2.172)
    table = sparkify("infra", "status")
    assert "~$2.17/hour" in table.stdout and CIDR in table.stdout

    again = sparkify("infra", "up", "--cidr", CIDR)  # nothing to create: nothing to confirm
    assert again.exit_code == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert "done " not in again.stderr
    assert sparkify("infra", "status", "--format", "json").json() == status

    down = sparkify("infra", "down", "--yes")
    assert down.exit_code == 0, down.stderr
    assert "deleted 5 resources" in down.stdout
    gone = sparkify("infra", "status", "--format", "json").json()
    assert (gone["cluster"], gone["role_arn"], gone["security_group_id"], gone["parameter_group"]) == (None,) * 4

    down_again = sparkify("infra", "down", "--yes")
    assert down_again.exit_code == 0
    assert "nothing to delete" in down_again.stdout


@pytest.mark.usefixtures("moto_aws")
def test_dry_run_up_prints_every_call_and_mutates_nothing() -> None:
    result = sparkify("infra", "up", "--dry-run", "--cidr", CIDR)
    assert result.exit_code == 0, result.stderr
    for call in ("iam.create_role(", "iam.put_role_policy(", "ec2.create_security_group(",
                 "ec2.authorize_security_group_ingress(", "redshift.create_cluster_parameter_group(",
                 "redshift.modify_cluster_parameter_group(", "redshift.create_cluster("):  # fmt: skip
        assert call in result.stdout
    assert '"ParameterName": "require_ssl", "ParameterValue": "true"' in result.stdout
    assert "ManageMasterPassword=true" in result.stdout and "Encrypted=true" in result.stdout
    assert f'"CidrIp": "{CIDR}"' in result.stdout
    assert backend("iam").roles == {} and backend("redshift").clusters == {}
    assert list(backend("redshift").parameter_groups) == ["default.redshift-1.0"]


@pytest.mark.usefixtures("moto_aws")
def test_dry_run_down_lists_the_deletes_and_keeps_everything() -> None:
    assert sparkify("infra", "up", "--cidr", CIDR, "--yes").exit_code == 0
    result = sparkify("infra", "down", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "redshift.delete_cluster(" in result.stdout and "iam.delete_role(" in result.stdout
    assert "SkipFinalClusterSnapshot=true" in result.stdout
    assert "sparkify" in backend("redshift").clusters
    assert "sparkify-redshift-s3-read" in {r.name for r in backend("iam").roles.values()}


@pytest.mark.usefixtures("moto_aws")
def test_up_failing_half_way_exits_3_in_one_line_and_the_next_up_finishes(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.redshift.exceptions import InvalidParameterValueError
    from moto.redshift.responses import RedshiftResponse

    real_create = RedshiftResponse.create_cluster
    failures = [InvalidParameterValueError("injected: insufficient capacity")]

    def create_cluster_once_failing(self: RedshiftResponse) -> Any:
        if failures:
            raise failures.pop()
        return real_create(self)

    monkeypatch.setattr(RedshiftResponse, "create_cluster", create_cluster_once_failing)
    failed = sparkify("infra", "up", "--cidr", CIDR, "--yes")
    assert failed.exit_code == 3
    assert "redshift create_cluster failed: InvalidParameterValue" in failed.stderr.splitlines()[-1]
    assert backend("redshift").clusters == {}

    resumed = sparkify("infra", "up", "--cidr", CIDR, "--yes")
    assert resumed.exit_code == 0, resumed.stderr
    assert "done redshift.create_cluster" in resumed.stderr
    assert "done iam.create_role" not in resumed.stderr
    assert "done ec2.create_security_group" not in resumed.stderr


@pytest.mark.usefixtures("moto_aws", "terminal")
def test_down_asks_first_and_no_keeps_everything() -> None:
    assert sparkify("infra", "up", "--cidr", CIDR, "--yes").exit_code == 0
    declined = sparkify("infra", "down", input="n\n")
    assert "Delete these resources?" in declined.stderr
    assert "nothing was deleted" in declined.stderr
    assert declined.exit_code == 2
    assert "sparkify" in backend("redshift").clusters
    no_answer = sparkify("infra", "down", input="")  # end of input at the question is a no
    assert no_answer.exit_code == 2 and "sparkify" in backend("redshift").clusters
    accepted = sparkify("infra", "down", input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert backend("redshift").clusters == {}


@pytest.mark.usefixtures("moto_aws")
def test_down_without_a_terminal_needs_yes() -> None:
    assert sparkify("infra", "up", "--cidr", CIDR, "--yes").exit_code == 0
    refused = sparkify("infra", "down", input="y\n")  # cron: stdin is not a person, whatever it holds
    assert refused.exit_code == 2
    assert "no terminal to ask" in one_line(error_lines(refused.stderr)) and "--yes" in refused.stderr
    assert "sparkify" in backend("redshift").clusters


# The cost of the fixture's 2 x ra3.xlplus at $1.086 a node-hour (us-east-1 on-demand list price).
HOURLY, DAILY, MONTHLY = "$2.17/hour", "$52.13/day", "$1,563.84 per 30 days"


def error_lines(stderr: str) -> str:
    return "\n".join(line for line in stderr.splitlines() if line.startswith("error:"))


def nothing_created() -> bool:
    return backend("redshift").clusters == {} and backend("iam").roles == {}


@pytest.mark.usefixtures("moto_aws", "terminal")
@pytest.mark.parametrize("answer", ["n\n", "\n", ""])  # no, the default (no), end of input
def test_up_shows_the_cost_and_asks_before_creating_a_cluster(answer: str) -> None:
    declined = sparkify("infra", "up", "--cidr", CIDR, input=answer)
    assert declined.exit_code == 2, declined.stderr
    assert HOURLY in declined.stderr and DAILY in declined.stderr and MONTHLY in declined.stderr
    assert "Create" in declined.stderr and "?" in declined.stderr
    assert "nothing was created" in declined.stderr
    assert nothing_created()  # no role, group or parameter group either: the question comes first


@pytest.mark.usefixtures("moto_aws", "terminal")
def test_up_creates_once_the_cost_is_accepted() -> None:
    accepted = sparkify("infra", "up", "--cidr", CIDR, input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert HOURLY in accepted.stderr
    assert backend("redshift").clusters["sparkify"].status == "available"


@pytest.mark.usefixtures("moto_aws")
def test_up_without_a_terminal_needs_yes_and_creates_nothing() -> None:
    refused = sparkify("infra", "up", "--cidr", CIDR, input="y\n")
    assert refused.exit_code == 2
    line = one_line(error_lines(refused.stderr))
    assert "no terminal to ask" in line and "--yes" in line and HOURLY in line
    assert nothing_created()
    done = sparkify("infra", "up", "--cidr", CIDR, "--yes")
    assert done.exit_code == 0, done.stderr
    assert HOURLY in done.stderr and "Create" not in done.stderr


@pytest.mark.usefixtures("moto_aws")
def test_up_with_the_cluster_already_there_asks_nothing() -> None:
    assert sparkify("infra", "up", "--cidr", CIDR, "--yes").exit_code == 0
    again = sparkify("infra", "up", "--cidr", "198.51.100.0/24")  # adds a network: free, so no question
    assert again.exit_code == 0, again.stderr
    assert "done ec2.authorize_security_group_ingress" in again.stderr
    assert "/hour" not in again.stderr


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every socket connection and name lookup fails, and the endpoints point at nothing: a plane."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setattr(infra_policy, "CHECKIP_URL", f"http://127.0.0.1:{closed_port()}/")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def closed_port() -> int:
    with socket.socket() as probe:  # bound, never listening: connections to it are refused
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.usefixtures("aws_env", "no_network")
@pytest.mark.parametrize("cidr", [(), ("--cidr", CIDR)])
def test_dry_run_up_is_offline_and_shows_the_whole_plan_with_its_cost(cidr: tuple[str, ...]) -> None:
    result = sparkify("infra", "up", "--dry-run", *cidr)
    assert result.exit_code == 0, result.stderr
    for call in ("iam.create_role(", "iam.put_role_policy(", "ec2.create_security_group(",
                 "ec2.authorize_security_group_ingress(", "redshift.create_cluster_parameter_group(",
                 "redshift.modify_cluster_parameter_group(", "redshift.create_cluster("):  # fmt: skip
        assert call in result.stdout
    assert HOURLY in result.stderr and DAILY in result.stderr and MONTHLY in result.stderr
    assert "assumes none of it exists yet" in result.stderr
    expected = CIDR if cidr else "<your public IP address>/32"
    assert f'"CidrIp": "{expected}"' in result.stdout


@pytest.mark.usefixtures("aws_env", "no_network")
def test_dry_run_up_needs_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = sparkify("infra", "up", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "redshift.create_cluster(" in result.stdout


@pytest.mark.usefixtures("aws_env", "no_network")
def test_the_default_size_is_one_ra3_large_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARKIFY_REDSHIFT_NODES")
    monkeypatch.delenv("SPARKIFY_REDSHIFT_NODE_TYPE")
    result = sparkify("infra", "up", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'NodeType="ra3.large"' in result.stdout and 'ClusterType="single-node"' in result.stdout
    assert "NumberOfNodes" not in result.stdout  # AWS refuses it on a single-node cluster
    assert "$0.54/hour" in result.stderr and "$13.03/day" in result.stderr and "$390.96 per 30 days" in result.stderr


@pytest.mark.usefixtures("moto_aws")
def test_whole_internet_is_allowed_only_explicitly_and_with_a_warning() -> None:
    result = sparkify("infra", "up", "--dry-run", "--cidr", "0.0.0.0/0")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "whole internet" in result.stderr


@pytest.fixture
def checkip(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local stand-in for checkip.amazonaws.com (the tests have no internet)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"198.51.100.23\n")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(infra_policy, "CHECKIP_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    yield
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("moto_aws", "checkip")
def test_without_cidr_the_callers_public_address_slash_32_is_let_in() -> None:
    result = sparkify("infra", "up", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "+ ingress rule tcp/5439 from 198.51.100.23/32: create" in result.stderr
    assert sparkify("infra", "status", "--format", "json").json()["ingress"] == ["198.51.100.23/32"]


@pytest.mark.usefixtures("moto_aws")
def test_when_the_address_lookup_fails_the_user_is_told_to_pass_cidr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(infra_policy, "CHECKIP_URL", "http://127.0.0.1:9/")
    result = sparkify("infra", "up")
    assert result.exit_code == 2
    assert "--cidr" in one_line(result.stderr)


@pytest.mark.usefixtures("moto_aws")
def test_missing_region_and_credentials_are_one_line_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    no_region = sparkify("infra", "status")
    assert no_region.exit_code == 2 and "no AWS region" in one_line(no_region.stderr)
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    no_credentials = sparkify("infra", "status")
    assert no_credentials.exit_code == 3 and "no AWS credentials" in one_line(no_credentials.stderr)


@pytest.mark.usefixtures("moto_aws")
def test_debug_tracebacks_hold_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(infra_policy, "CHECKIP_URL", "http://127.0.0.1:9/")
    result = sparkify("--debug", "infra", "up")  # sparkify() asserts the secrets are absent
    assert result.exit_code == 2 and "Traceback" in result.stderr


@pytest.mark.usefixtures("moto_aws")
def test_status_rejects_an_unknown_format() -> None:
    result = sparkify("infra", "status", "--format", "yaml")
    assert result.exit_code == 2
