"""The AWS side of the warehouse: IAM role, security group, SSL parameter group, Redshift cluster.

`plan_up` / `plan_down` only describe (read-only calls) and return the AWS calls that would bring
the account to the wanted state; `apply` runs them. Resources are found by name on every run, so
there is no state file, a second `up` plans nothing, and the next `up` completes one that failed
half-way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sparkify_cli import aws
from sparkify_cli.aws import AwsCallError, ClusterInfo
from sparkify_cli.documents import JSON, Document
from sparkify_cli.errors import AwsError, ConfigError
from sparkify_cli.services.infra.policy import (
    cidrs_on_port,
    ingress_cidr,
    ingress_permission,
    public_ip,
    s3_source,
    source_read_policy,
    trust_policy,
)
from sparkify_cli.services.infra.prices import RETIRED_FAMILIES, Estimate, estimate, hourly_cost
from sparkify_cli.services.infra.steps import Action, Call, Clients, Plan, Ref, Resource, WaitFor, Waiting, apply
from sparkify_cli.settings import Settings

__all__ = ["Plan", "Status", "Waiting", "apply", "plan_down", "plan_up", "status"]

TAG_KEY, TAG_VALUE = "project", "sparkify"
TAGS = [{"Key": TAG_KEY, "Value": TAG_VALUE}]
POLICY_NAME = "sparkify-s3-source-read"
PARAMETER_GROUP_FAMILY = "redshift-1.0"
CLUSTER_ID = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$")


def security_group_name(settings: Settings) -> str:
    return f"{settings.cluster_identifier}-redshift"


def parameter_group_name(settings: Settings) -> str:
    return f"{settings.cluster_identifier}-require-ssl"


# --- reading the account (describe calls only) ------------------------------------------------


def _optional(codes: set[str], client: aws.Client, operation: str, **params: JSON) -> Document | None:
    """The call's result, or None when AWS answers that the thing does not exist."""
    try:
        return aws.call(client, operation, **params)
    except AwsCallError as exc:
        if exc.code in codes:
            return None
        raise


def _ours(tags: list[dict[str, str]] | dict[str, str] | None) -> bool:
    pairs = tags if isinstance(tags, dict) else {t["Key"]: t.get("Value", "") for t in tags or []}
    return pairs.get(TAG_KEY) == TAG_VALUE


def _role(clients: Clients, name: str) -> Document | None:
    found = _optional({"NoSuchEntity"}, clients("iam"), "get_role", RoleName=name)
    return found["Role"] if found else None


def _role_policy(clients: Clients, role: str) -> Document | None:
    found = _optional({"NoSuchEntity"}, clients("iam"), "get_role_policy", RoleName=role, PolicyName=POLICY_NAME)
    document = found["PolicyDocument"] if found else None
    return json.loads(document) if isinstance(document, str) else document


def _default_vpc(clients: Clients) -> str | None:
    filters = [{"Name": "isDefault", "Values": ["true"]}]
    vpcs = aws.call(clients("ec2"), "describe_vpcs", Filters=filters)["Vpcs"]
    return vpcs[0]["VpcId"] if vpcs else None


def _security_group(clients: Clients, name: str, vpc_id: str | None) -> Document | None:
    filters = [{"Name": "group-name", "Values": [name]}]
    if vpc_id:
        filters.append({"Name": "vpc-id", "Values": [vpc_id]})
    groups = aws.call(clients("ec2"), "describe_security_groups", Filters=filters)["SecurityGroups"]
    return groups[0] if groups else None


def _parameter_group(clients: Clients, name: str) -> Document | None:
    codes = {"ClusterParameterGroupNotFound"}
    found = _optional(codes, clients("redshift"), "describe_cluster_parameter_groups", ParameterGroupName=name)
    return found["ParameterGroups"][0] if found and found["ParameterGroups"] else None


def _require_ssl(clients: Clients, group: str) -> bool:
    found = aws.call(clients("redshift"), "describe_cluster_parameters", ParameterGroupName=group)
    values = {p["ParameterName"]: p.get("ParameterValue") for p in found.get("Parameters", [])}
    return str(values.get("require_ssl", "false")).lower() == "true"


# --- up ---------------------------------------------------------------------------------------

# What an offline plan writes where only AWS knows the value.
YOUR_IP = "<your public IP address>/32"
ACCOUNT_ID = "<account id>"
DEFAULT_VPC = "<default VPC id>"
UNKNOWN_REGION = "<region>"


@dataclass(frozen=True)
class Found:
    """What `up` manages, as it is in the account (describe calls), or as an offline plan assumes
    it: nothing there yet."""

    account_id: str  # for the new role's ARN; only read when the role is missing
    vpc_id: str | None  # the default VPC; None: there is none
    role: Document | None
    role_policy: Document | None
    security_group: Document | None
    parameter_group: Document | None
    require_ssl: bool
    cluster: ClusterInfo | None


NOTHING_YET = Found(ACCOUNT_ID, DEFAULT_VPC, None, None, None, None, False, None)


def _read_account(settings: Settings, clients: Clients) -> Found:
    role = _role(clients, settings.iam_role_name)
    vpc_id = _default_vpc(clients)
    group = _parameter_group(clients, parameter_group_name(settings))
    return Found(
        account_id=aws.call(clients("sts"), "get_caller_identity")["Account"] if role is None else "",
        vpc_id=vpc_id,
        role=role,
        role_policy=_role_policy(clients, settings.iam_role_name) if role else None,
        security_group=_security_group(clients, security_group_name(settings), vpc_id) if vpc_id else None,
        parameter_group=group,
        require_ssl=group is not None and _require_ssl(clients, parameter_group_name(settings)),
        cluster=aws.describe_cluster(settings, clients("redshift")),
    )


def plan_up(
    settings: Settings,
    *,
    cidr: str | None = None,
    lookup_ip: Callable[[], str] | None = None,
    offline: bool = False,
) -> Plan:
    """Describe what exists and list the calls that create or fix the rest. Mutates nothing.

    Without `cidr`, the caller's public address (`lookup_ip`, default: checkip.amazonaws.com) /32.
    `offline`: no network at all (no address lookup, no AWS call, no credentials needed): the plan
    assumes nothing exists yet and shows placeholders for what only AWS knows; it cannot be applied.
    """
    if not CLUSTER_ID.match(settings.cluster_identifier):
        raise ConfigError(
            f"cluster identifier {settings.cluster_identifier!r} is not valid for Redshift",
            hint="lowercase letters, digits and single hyphens, starting with a letter",
        )
    bucket, prefix = s3_source(settings.source)
    if offline:
        # Only checked, never looked up: the address is AWS's view of the caller at apply time.
        allowed, warnings = (YOUR_IP, []) if cidr is None else ingress_cidr(cidr, lambda: YOUR_IP)
        region, partition = _offline_region(settings, warnings)
        found = NOTHING_YET
    else:
        allowed, warnings = ingress_cidr(cidr, lookup_ip or public_ip)
        region, partition = aws.region(settings), aws.partition(settings)
        found = _read_account(settings, Clients(settings))
    plan = Plan("up", region, warnings=warnings, offline=offline)
    role_arn = _plan_role(settings, found, plan, partition, bucket, prefix)
    group_id = _plan_network(settings, found, plan, allowed)
    pg_name = _plan_parameter_group(settings, found, plan)
    _plan_cluster(settings, found, plan, role_arn, group_id, pg_name)
    return plan


def _offline_region(settings: Settings, warnings: list[str]) -> tuple[str, str]:
    """The region and ARN partition from the settings and AWS config files alone (no network)."""
    try:
        return aws.region(settings), aws.partition(settings)
    except ConfigError as exc:
        warnings.append(f"{exc}; `infra up` needs it")
        return UNKNOWN_REGION, "aws"


def _plan_role(settings: Settings, found: Found, plan: Plan, partition: str, bucket: str, prefix: str) -> str:
    name = settings.iam_role_name
    role = found.role
    if role is None:
        role_arn = f"arn:{partition}:iam::{found.account_id}:role/{name}"
        plan.call(
            "iam",
            "create_role",
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust_policy()),
            Description="Lets Redshift read the sparkify source for COPY",
            Tags=TAGS,
        )
        plan.resources.append(Resource("IAM role", name, "create", role_arn))
    else:
        role_arn = role["Arn"]
        plan.resources.append(Resource("IAM role", name, "exists", role_arn))

    wanted = source_read_policy(partition, bucket, prefix)
    current = found.role_policy
    if current != wanted:
        plan.call("iam", "put_role_policy", RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(wanted))
    action: Action = "exists" if current == wanted else "create" if current is None else "update"
    plan.resources.append(Resource("role policy", POLICY_NAME, action, f"read s3://{bucket}/{prefix}"))
    return role_arn


def _plan_network(settings: Settings, found: Found, plan: Plan, allowed: str) -> str | Ref:
    vpc_id = found.vpc_id
    if vpc_id is None:
        raise ConfigError(f"no default VPC in {plan.region}", hint="create one: aws ec2 create-default-vpc")
    name = security_group_name(settings)
    port = settings.redshift_port
    group = found.security_group
    group_id: str | Ref
    present: list[str] = []
    if group is None:
        group_id = Ref("security group id")
        params = {
            "GroupName": name,
            "VpcId": vpc_id,
            "Description": f"Redshift clients of {settings.cluster_identifier} (sparkify)",
            "TagSpecifications": [{"ResourceType": "security-group", "Tags": TAGS}],
        }
        plan.steps.append(Call("ec2", "create_security_group", params, saves={group_id.name: "GroupId"}))
        plan.resources.append(Resource("security group", name, "create", vpc_id))
    else:
        group_id = group["GroupId"]
        present = cidrs_on_port(group, port)
        plan.resources.append(Resource("security group", name, "exists", str(group["GroupId"])))
    if allowed not in present:
        permission = ingress_permission(port, allowed)
        plan.call("ec2", "authorize_security_group_ingress", GroupId=group_id, IpPermissions=[permission])
    looked_up = "looked up at checkip.amazonaws.com when `infra up` runs, or --cidr" if allowed == YOUR_IP else ""
    plan.resources.append(
        Resource("ingress rule", f"tcp/{port} from {allowed}", "exists" if allowed in present else "create", looked_up)
    )
    for other in sorted(set(present) - {allowed}):
        plan.resources.append(Resource("ingress rule", f"tcp/{port} from {other}", "keep"))
    return group_id


def _plan_parameter_group(settings: Settings, found: Found, plan: Plan) -> str:
    name = parameter_group_name(settings)
    group = found.parameter_group
    if group is None:
        plan.call(
            "redshift",
            "create_cluster_parameter_group",
            ParameterGroupName=name,
            ParameterGroupFamily=PARAMETER_GROUP_FAMILY,
            Description="sparkify: SSL required",
            Tags=TAGS,
        )
    ssl_on = found.require_ssl
    if not ssl_on:
        ssl = [{"ParameterName": "require_ssl", "ParameterValue": "true"}]
        plan.call("redshift", "modify_cluster_parameter_group", ParameterGroupName=name, Parameters=ssl)
    action: Action = "create" if group is None else "exists" if ssl_on else "update"
    plan.resources.append(Resource("parameter group", name, action, "require_ssl=true"))
    return name


def _plan_cluster(
    settings: Settings, found: Found, plan: Plan, role_arn: str, group_id: str | Ref, pg_name: str
) -> None:
    ident = settings.cluster_identifier
    cluster = found.cluster
    if cluster is None:
        nodes, node_type = settings.redshift_nodes, settings.redshift_node_type
        plan.call(
            "redshift",
            "create_cluster",
            ClusterIdentifier=ident,
            NodeType=node_type,
            ClusterType="multi-node" if nodes > 1 else "single-node",
            **({"NumberOfNodes": nodes} if nodes > 1 else {}),
            DBName=settings.redshift_database,
            MasterUsername=settings.redshift_user,
            # AWS keeps the password in Secrets Manager: it never passes through sparkify or a file.
            ManageMasterPassword=True,
            Port=settings.redshift_port,
            Encrypted=True,
            PubliclyAccessible=True,  # reachable only from the ingress rule's network
            IamRoles=[role_arn],
            DefaultIamRoleArn=role_arn,
            VpcSecurityGroupIds=[group_id],
            ClusterParameterGroupName=pg_name,
            Tags=TAGS,
        )
        plan.steps.append(WaitFor(ident, "available"))
        plan.resources.append(Resource("Redshift cluster", ident, "create", f"{nodes} x {node_type}, encrypted"))
        plan.cost = estimate(node_type, nodes)
        if node_type.startswith(RETIRED_FAMILIES):
            plan.warnings.append(
                f"AWS no longer creates {node_type} clusters (DC2 and DS2 are retired): "
                "set SPARKIFY_REDSHIFT_NODE_TYPE=ra3.large"
            )
        return
    detail = f"{cluster.status}, {cluster.nodes} x {cluster.node_type}"
    plan.resources.append(Resource("Redshift cluster", ident, "exists", detail))
    if cluster.status == "deleting":
        raise AwsError(f"cluster {ident} is being deleted", hint="let `infra down` finish, then run up again")
    if cluster.status == "paused":
        plan.warnings.append(f"cluster {ident} is paused: aws redshift resume-cluster --cluster-identifier {ident}")
    elif cluster.status != "available":
        plan.steps.append(WaitFor(ident, "available"))
    # An existing cluster is reported, never changed: drift is for a human to decide on.
    if not cluster.encrypted:
        plan.warnings.append(f"cluster {ident} is not encrypted (recreate it: infra down, then infra up)")
    if role_arn not in cluster.role_arns:
        plan.warnings.append(f"cluster {ident} does not have role {role_arn} attached")
    if isinstance(group_id, str) and group_id not in cluster.security_group_ids:
        plan.warnings.append(f"cluster {ident} does not use security group {group_id}")
    if pg_name not in cluster.parameter_groups:
        plan.warnings.append(f"cluster {ident} does not use parameter group {pg_name}: SSL may be optional")


# --- down -------------------------------------------------------------------------------------


def plan_down(settings: Settings, *, snapshot: bool = False, now: datetime | None = None) -> Plan:
    """The calls deleting what `up` created; anything not tagged project=sparkify is left alone."""
    clients = Clients(settings)
    plan = Plan("down", aws.region(settings))
    ident = settings.cluster_identifier
    not_ours = f"is not tagged {TAG_KEY}={TAG_VALUE}, so sparkify leaves it alone"

    cluster = aws.describe_cluster(settings, clients("redshift"))
    if cluster is not None and not _ours(cluster.tags):
        plan.warnings.append(f"cluster {ident} {not_ours}")
    elif cluster is not None:
        if cluster.status != "deleting":
            final = {}
            if snapshot:
                stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
                final = {"FinalClusterSnapshotIdentifier": f"{ident}-final-{stamp}"}
            plan.call(
                "redshift",
                "delete_cluster",
                ClusterIdentifier=ident,
                SkipFinalClusterSnapshot=not snapshot,
                **final,
            )
        plan.steps.append(WaitFor(ident, "deleted"))
        detail = f"{cluster.nodes} x {cluster.node_type}, " + ("final snapshot" if snapshot else "no snapshot")
        plan.resources.append(Resource("Redshift cluster", ident, "delete", detail))

    group = _security_group(clients, security_group_name(settings), _default_vpc(clients))
    if group is not None and _ours(group.get("Tags")):
        # Deleting the group removes its ingress rules. The cluster's network interfaces can
        # linger for a minute after the cluster is gone, hence the retry on DependencyViolation.
        retry = ("DependencyViolation",)
        plan.steps.append(Call("ec2", "delete_security_group", {"GroupId": group["GroupId"]}, retry_on=retry))
        rules = ", ".join(cidrs_on_port(group, settings.redshift_port)) or "none"
        plan.resources.append(Resource("security group", group["GroupName"], "delete", f"ingress from {rules}"))
    elif group is not None:
        plan.warnings.append(f"security group {group['GroupName']} {not_ours}")

    pg = _parameter_group(clients, parameter_group_name(settings))
    if pg is not None and _ours(pg.get("Tags")):
        name = pg["ParameterGroupName"]
        retry = ("InvalidClusterParameterGroupState",)
        plan.steps.append(
            Call("redshift", "delete_cluster_parameter_group", {"ParameterGroupName": name}, retry_on=retry)
        )
        plan.resources.append(Resource("parameter group", name, "delete"))
    elif pg is not None:
        plan.warnings.append(f"parameter group {pg['ParameterGroupName']} {not_ours}")

    role = _role(clients, settings.iam_role_name)
    if role is not None and _ours(role.get("Tags")):
        _plan_role_delete(clients, plan, settings.iam_role_name)
    elif role is not None:
        plan.warnings.append(f"IAM role {settings.iam_role_name} {not_ours}")
    return plan


def _plan_role_delete(clients: Clients, plan: Plan, name: str) -> None:
    iam = clients("iam")
    for policy in aws.call(iam, "list_role_policies", RoleName=name).get("PolicyNames", []):
        plan.call("iam", "delete_role_policy", RoleName=name, PolicyName=policy)
        plan.resources.append(Resource("role policy", policy, "delete"))
    for attached in aws.call(iam, "list_attached_role_policies", RoleName=name).get("AttachedPolicies", []):
        plan.call("iam", "detach_role_policy", RoleName=name, PolicyArn=attached["PolicyArn"])
        plan.resources.append(Resource("attached policy", attached["PolicyArn"], "delete"))
    plan.call("iam", "delete_role", RoleName=name)
    plan.resources.append(Resource("IAM role", name, "delete"))


# --- status -----------------------------------------------------------------------------------


@dataclass
class Status:
    region: str
    cluster: ClusterInfo | None
    role_arn: str | None
    role_policy: Document | None
    security_group_id: str | None
    ingress: list[str]
    parameter_group: str | None
    require_ssl: bool | None
    hourly_usd: float | None  # None: the node type is not in the price table
    cost: Estimate | None = None  # of the cluster while it exists; None: there is none

    def as_dict(self) -> Document:
        c = self.cluster
        cluster = None
        if c is not None:
            cluster = {
                "identifier": c.identifier,
                "status": c.status,
                "endpoint": c.endpoint,
                "port": c.port,
                "database": c.database,
                "user": c.user,
                "node_type": c.node_type,
                "nodes": c.nodes,
                "encrypted": c.encrypted,
                "role_arns": c.role_arns,
                "security_groups": c.security_group_ids,
                "parameter_groups": c.parameter_groups,
            }
        return {
            "region": self.region,
            "cluster": cluster,
            "role_arn": self.role_arn,
            "role_policy": self.role_policy,
            "security_group_id": self.security_group_id,
            "ingress": self.ingress,
            "parameter_group": self.parameter_group,
            "require_ssl": self.require_ssl,
            "estimated_hourly_usd": self.hourly_usd,
        }


def status(settings: Settings) -> Status:
    """Everything `up` manages, as it is now (describe calls only)."""
    clients = Clients(settings)
    cluster = aws.describe_cluster(settings, clients("redshift"))
    role = _role(clients, settings.iam_role_name)
    group = _security_group(clients, security_group_name(settings), _default_vpc(clients))
    pg_name = parameter_group_name(settings)
    pg = _parameter_group(clients, pg_name)
    return Status(
        region=aws.region(settings),
        cluster=cluster,
        role_arn=role["Arn"] if role else None,
        role_policy=_role_policy(clients, settings.iam_role_name) if role else None,
        security_group_id=group["GroupId"] if group else None,
        ingress=cidrs_on_port(group, settings.redshift_port) if group else [],
        parameter_group=pg_name if pg else None,
        require_ssl=_require_ssl(clients, pg_name) if pg else None,
        hourly_usd=0.0 if cluster is None else hourly_cost(cluster.node_type, cluster.nodes),
        cost=None if cluster is None else estimate(cluster.node_type, cluster.nodes),
    )
