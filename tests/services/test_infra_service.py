"""services.infra against moto in-process: least privilege, network, encryption, idempotency, recovery."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from sparkify_cli import aws
from sparkify_cli.errors import AwsError, ConfigError
from sparkify_cli.services.infra import manage as infra
from sparkify_cli.services.infra import policy as infra_policy
from sparkify_cli.services.infra import prices
from sparkify_cli.services.infra.steps import Call, Waiting
from sparkify_cli.settings import load_settings
from support.aws_fixtures import (  # noqa: F401  (fixtures)
    CIDR,
    REGION,
    add_parameter_group_calls,
    as_json,
    aws_env,
    backend,
    expected_policy,
    moto_aws,
)

pytestmark = pytest.mark.usefixtures("moto_aws")
NO_WAIT = Waiting(timeout=60, interval=1, sleep=lambda _s: None)
READ_ONLY = ("describe_", "get_", "list_")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every AWS call sparkify makes, as (operation, params)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    real = aws.call

    def spy(client: Any, operation: str, **params: Any) -> dict[str, Any]:
        seen.append((operation, params))
        return real(client, operation, **params)

    monkeypatch.setattr(aws, "call", spy)
    return seen


def fail_once(monkeypatch: pytest.MonkeyPatch, operation: str) -> None:
    """The first `operation` call fails the way AWS fails (an error response), later ones go through."""
    real = aws.call
    failed: list[str] = []

    def flaky(client: Any, op: str, **params: Any) -> dict[str, Any]:
        if op == operation and not failed:
            failed.append(op)
            raise aws.AwsCallError(f"{op} failed: InternalFailure: injected", "InternalFailure")
        return real(client, op, **params)

    monkeypatch.setattr(aws, "call", flaky)


def up(cidr: str | None = CIDR, **kw: Any) -> infra.Plan:
    settings = load_settings()
    plan = infra.plan_up(settings, cidr=cidr, **kw)
    infra.apply(settings, plan, waiting=NO_WAIT)
    return plan


def operations(plan: infra.Plan) -> list[str]:
    return [step.operation for step in plan.steps if isinstance(step, Call)]


def client(name: str) -> Any:
    return boto3.client(name, region_name=REGION)


def our_group() -> dict[str, Any]:
    groups = client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["sparkify-redshift"]}])
    (group,) = groups["SecurityGroups"]
    return group  # type: ignore[no-any-return]


FULL_UP = [
    "create_role",
    "put_role_policy",
    "create_security_group",
    "authorize_security_group_ingress",
    "create_cluster_parameter_group",
    "modify_cluster_parameter_group",
    "create_cluster",
]


def test_role_is_trusted_by_redshift_with_an_inline_policy_scoped_to_the_source() -> None:
    up()
    iam = client("iam")
    role = iam.get_role(RoleName="sparkify-redshift-s3-read")["Role"]
    assert as_json(role["AssumeRolePolicyDocument"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "redshift.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == ["sparkify-s3-source-read"]
    policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="sparkify-s3-source-read")
    assert as_json(policy["PolicyDocument"]) == expected_policy()
    assert iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"] == []  # no S3ReadOnly
    assert {"Key": "project", "Value": "sparkify"} in role["Tags"]


def test_bucket_root_source_gets_the_whole_bucket_and_no_condition() -> None:
    policy = infra_policy.source_read_policy("aws", "b", "")
    assert policy["Statement"][0] == {
        "Sid": "ListSourcePrefix",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::b",
    }
    assert policy["Statement"][1]["Resource"] == "arn:aws:s3:::b/*"


def test_cluster_is_encrypted_tagged_sized_and_wired_to_role_network_and_ssl(calls: list[Any]) -> None:
    up()
    cluster = client("redshift").describe_clusters(ClusterIdentifier="sparkify")["Clusters"][0]
    assert cluster["Encrypted"] is True
    assert {"Key": "project", "Value": "sparkify"} in cluster["Tags"]
    assert (cluster["NodeType"], cluster["NumberOfNodes"]) == ("ra3.xlplus", 2)
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [
        "arn:aws:iam::123456789012:role/sparkify-redshift-s3-read"
    ]
    assert [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]] == [our_group()["GroupId"]]
    assert [g["ParameterGroupName"] for g in cluster["ClusterParameterGroups"]] == ["sparkify-require-ssl"]
    parameters = client("redshift").describe_cluster_parameters(ParameterGroupName="sparkify-require-ssl")
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters["Parameters"]}["require_ssl"] == "true"
    # The password is AWS-managed: sparkify never sends one (moto does not model ManageMasterPassword).
    (create,) = [params for op, params in calls if op == "create_cluster"]
    assert create["ManageMasterPassword"] is True
    assert not [key for key in create if "Password" in key and key != "ManageMasterPassword"]


def test_ingress_is_only_the_given_network_on_the_cluster_port() -> None:
    up()
    permissions = our_group()["IpPermissions"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in permissions] == [("tcp", 5439, 5439)]
    assert [r["CidrIp"] for r in permissions[0]["IpRanges"]] == [CIDR]
    assert permissions[0].get("Ipv6Ranges", []) == []


def test_default_network_is_the_callers_address_slash_32() -> None:
    up(cidr=None, lookup_ip=lambda: "198.51.100.23")
    assert [r["CidrIp"] for r in our_group()["IpPermissions"][0]["IpRanges"]] == ["198.51.100.23/32"]


def test_whole_internet_only_when_asked_and_with_a_warning() -> None:
    plan = infra.plan_up(load_settings(), cidr="0.0.0.0/0", lookup_ip=pytest.fail)
    assert any("whole internet" in w for w in plan.warnings)
    assert infra.plan_up(load_settings(), cidr=CIDR).warnings == []


@pytest.mark.parametrize("bad", ["203.0.113.7/24", "not-an-ip", "300.1.1.1/32"])
def test_a_bad_cidr_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="--cidr"):
        infra.plan_up(load_settings(), cidr=bad)


def test_public_ip_lookup_failure_tells_the_user_to_pass_cidr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(infra_policy, "CHECKIP_URL", "http://127.0.0.1:9/")  # discard port: refused at once
    with pytest.raises(ConfigError) as error:
        infra.plan_up(load_settings())
    assert "--cidr" in str(error.value)


def test_local_source_cannot_be_loaded_by_redshift(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARKIFY_SOURCE", "./data")
    with pytest.raises(ConfigError, match="not on S3"):
        infra.plan_up(load_settings(), cidr=CIDR)


def test_plans_are_read_only(calls: list[tuple[str, dict[str, Any]]]) -> None:
    plan = infra.plan_up(load_settings(), cidr=CIDR)
    assert operations(plan) == FULL_UP
    infra.plan_down(load_settings())
    assert calls and all(op.startswith(READ_ONLY) for op, _ in calls), calls
    assert backend("iam").roles == {}
    assert backend("redshift").clusters == {}
    assert list(backend("redshift").parameter_groups) == ["default.redshift-1.0"]


def test_an_offline_plan_asks_aws_nothing_and_cannot_be_applied(calls: list[tuple[str, dict[str, Any]]]) -> None:
    plan = infra.plan_up(load_settings(), offline=True, lookup_ip=pytest.fail)
    assert calls == []  # not even a describe call
    assert operations(plan) == FULL_UP
    assert {r.action for r in plan.resources} == {"create"}
    (create,) = [s.params for s in plan.steps if isinstance(s, Call) and s.operation == "create_cluster"]
    assert create["IamRoles"] == ["arn:aws:iam::<account id>:role/sparkify-redshift-s3-read"]
    with pytest.raises(ValueError, match="offline"):
        infra.apply(load_settings(), plan, waiting=NO_WAIT)
    assert backend("iam").roles == {} and backend("redshift").clusters == {}


def test_the_plan_prices_the_cluster_it_creates_and_only_that() -> None:
    first = up()
    assert first.cost is not None
    assert (first.cost.nodes, first.cost.node_type, first.cost.hourly_usd) == (2, "ra3.xlplus", pytest.approx(2.172))
    assert first.cost.describe() == "~$2.17/hour, ~$52.13/day, ~$1,563.84 per 30 days"
    assert infra.plan_up(load_settings(), cidr=CIDR).cost is None  # it exists: nothing new is billed


def test_an_unknown_node_type_has_no_made_up_price() -> None:
    unknown = prices.estimate("ra9.huge", 3)
    assert unknown.hourly_usd is None and "no price for ra9.huge" in unknown.describe()


def test_a_retired_node_type_is_warned_about(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARKIFY_REDSHIFT_NODE_TYPE", "dc2.large")
    plan = infra.plan_up(load_settings(), cidr=CIDR, offline=True)
    assert any("no longer creates dc2.large" in w for w in plan.warnings)


def test_second_up_plans_nothing_and_changes_nothing(calls: list[tuple[str, dict[str, Any]]]) -> None:
    up()
    before = infra.status(load_settings()).as_dict()
    calls.clear()
    again = up()
    assert again.steps == []
    assert {r.action for r in again.resources} == {"exists"}
    assert all(op.startswith(READ_ONLY) for op, _ in calls)
    assert infra.status(load_settings()).as_dict() == before


@pytest.mark.parametrize(
    "failing",
    ["put_role_policy", "authorize_security_group_ingress", "modify_cluster_parameter_group", "create_cluster"],
)
def test_up_after_a_half_way_failure_completes_only_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    fail_once(monkeypatch, failing)
    with pytest.raises(AwsError, match="InternalFailure"):
        up()
    assert backend("redshift").clusters == {}
    resumed = up()
    assert operations(resumed) == FULL_UP[FULL_UP.index(failing) :]
    complete = infra.status(load_settings())
    assert complete.cluster is not None and complete.cluster.status == "available"
    assert complete.require_ssl is True and complete.ingress == [CIDR]
    assert complete.role_policy == expected_policy()
    assert up().steps == []


def test_a_changed_source_updates_only_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    up()
    monkeypatch.setenv("SPARKIFY_SOURCE", "s3://other-bucket/events")
    plan = up()
    assert operations(plan) == ["put_role_policy"]
    statements = infra.status(load_settings()).role_policy["Statement"]  # type: ignore[index]
    assert statements[1]["Resource"] == "arn:aws:s3:::other-bucket/events/*"


def test_down_deletes_everything_up_created_then_is_a_no_op() -> None:
    up()
    settings = load_settings()
    plan = infra.plan_down(settings)
    assert operations(plan) == [
        "delete_cluster",
        "delete_security_group",
        "delete_cluster_parameter_group",
        "delete_role_policy",
        "delete_role",
    ]
    infra.apply(settings, plan, waiting=NO_WAIT)
    gone = infra.status(settings)
    assert (gone.cluster, gone.role_arn, gone.security_group_id, gone.parameter_group) == (None, None, None, None)
    assert backend("redshift").snapshots == {}  # no final snapshot unless asked
    assert infra.plan_down(settings).steps == []


def test_down_with_snapshot_keeps_a_final_snapshot() -> None:
    up()
    settings = load_settings()
    infra.apply(settings, infra.plan_down(settings, snapshot=True), waiting=NO_WAIT)
    snapshots = client("redshift").describe_cluster_snapshots()["Snapshots"]
    assert [s["SnapshotIdentifier"].startswith("sparkify-final-") for s in snapshots] == [True]


def test_down_leaves_resources_sparkify_did_not_create() -> None:
    trust = json.dumps(infra_policy.trust_policy())
    client("iam").create_role(RoleName="sparkify-redshift-s3-read", AssumeRolePolicyDocument=trust)
    plan = infra.plan_down(load_settings())
    assert plan.steps == []
    assert any("not tagged project=sparkify" in w for w in plan.warnings)


def fake_time(on_sleep: Callable[[int], None] = lambda n: None) -> Waiting:
    now = [0.0]
    sleeps = [0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        sleeps[0] += 1
        on_sleep(sleeps[0])

    return Waiting(timeout=100, interval=30, sleep=sleep, clock=lambda: now[0])


def test_waits_with_progress_until_the_cluster_is_available(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.redshift.models import RedshiftBackend

    redshift = backend("redshift")
    real_create = RedshiftBackend.create_cluster

    def creating(self: RedshiftBackend, **kwargs: Any) -> Any:  # moto: available at once; AWS: minutes
        made = real_create(self, **kwargs)
        made.status = "creating"
        return made

    def available_after_two_polls(sleeps: int) -> None:
        if sleeps == 2:
            redshift.clusters["sparkify"].status = "available"

    monkeypatch.setattr(RedshiftBackend, "create_cluster", creating)
    settings = load_settings()
    events: list[tuple[str, int, int | None]] = []
    found = infra.apply(
        settings,
        infra.plan_up(settings, cidr=CIDR),
        on_progress=lambda p: events.append((p.task, p.done, p.total)),
        waiting=fake_time(available_after_two_polls),
    )
    assert found is not None and found.status == "available"
    assert [e for e in events if e[0].startswith("cluster ")] == [
        ("cluster sparkify: creating", 0, 100),
        ("cluster sparkify: creating", 30, 100),
        ("cluster sparkify: available", 100, 100),
    ]


def test_wait_gives_up_after_the_timeout_with_a_hint() -> None:
    up()
    backend("redshift").clusters["sparkify"].status = "modifying"
    settings = load_settings()
    plan = infra.plan_up(settings, cidr=CIDR)
    assert [type(s).__name__ for s in plan.steps] == ["WaitFor"]
    with pytest.raises(AwsError, match="still modifying after 100s") as error:
        infra.apply(settings, plan, waiting=fake_time())
    assert "infra up" in str(error.value)


def test_status_reports_everything_and_an_hourly_cost() -> None:
    assert infra.status(load_settings()).as_dict()["cluster"] is None
    up()
    found = infra.status(load_settings()).as_dict()
    assert found["cluster"]["status"] == "available"
    assert found["cluster"]["encrypted"] is True
    assert found["ingress"] == [CIDR]
    assert found["require_ssl"] is True
    assert found["estimated_hourly_usd"] == pytest.approx(2 * 1.086)  # 2 x ra3.xlplus, us-east-1 list price


def test_describe_cluster_is_none_when_absent_and_typed_when_present() -> None:
    settings = load_settings()
    assert aws.describe_cluster(settings) is None
    up()
    found = aws.describe_cluster(settings)
    assert found is not None
    assert (found.database, found.user, found.port) == ("sparkify", "sparkify_admin", 5439)
    assert found.endpoint and found.endpoint.startswith("sparkify.")
    assert found.role_arn == "arn:aws:iam::123456789012:role/sparkify-redshift-s3-read"


def test_aws_errors_become_one_line_aws_errors_with_the_code() -> None:
    with pytest.raises(aws.AwsCallError) as error:
        aws.call(client("redshift"), "describe_clusters", ClusterIdentifier="nope")
    assert error.value.code == "ClusterNotFound"
    assert error.value.exit_code == 3
    assert "\n" not in str(error.value)


def test_region_comes_from_settings_then_aws_region(monkeypatch: pytest.MonkeyPatch) -> None:
    assert aws.region(load_settings()) == REGION  # AWS_REGION, which botocore alone ignores
    monkeypatch.setenv("SPARKIFY_AWS_REGION", "eu-west-1")
    assert aws.client(load_settings(), "redshift").meta.region_name == "eu-west-1"
    monkeypatch.delenv("SPARKIFY_AWS_REGION")
    monkeypatch.delenv("AWS_REGION")
    with pytest.raises(ConfigError, match="no AWS region"):
        aws.client(load_settings(), "redshift")


def test_endpoint_url_from_the_environment_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert aws.client(load_settings(), "iam").meta.endpoint_url == "http://127.0.0.1:4566"


def test_moto_patch_rejects_unknown_parameters_like_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    add_parameter_group_calls(monkeypatch)
    redshift = client("redshift")
    redshift.create_cluster_parameter_group(
        ParameterGroupName="g", ParameterGroupFamily="redshift-1.0", Description="d"
    )
    with pytest.raises(redshift.exceptions.ClientError, match="InvalidParameterValue"):
        redshift.modify_cluster_parameter_group(
            ParameterGroupName="g", Parameters=[{"ParameterName": "no_such", "ParameterValue": "1"}]
        )
