"""`sparkify infra up | down | status`: the AWS side (IAM role, network access, Redshift cluster)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from sparkify_cli.cli import console
from sparkify_cli.cli import options as opt
from sparkify_cli.cli.app import settings
from sparkify_cli.cli.confirm import confirm
from sparkify_cli.progress import Progress

if TYPE_CHECKING:
    from sparkify_cli.progress import OnProgress
    from sparkify_cli.services.infra.steps import Plan

infra_app = typer.Typer(
    help="Create, inspect and delete the AWS side: IAM role, network access, Redshift cluster.\n\n"
    "Example: sparkify infra up --dry-run",
    no_args_is_help=True,
)

Region = Annotated[str | None, typer.Option("--region", help="AWS region. Example: --region us-west-2")]
Profile = Annotated[str | None, typer.Option("--profile", help="AWS profile. Example: --profile sparkify")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print every AWS call with its parameters and change nothing.")]
Timeout = Annotated[
    int, typer.Option("--timeout", min=1, help="Seconds to wait for the cluster. Example: --timeout 2400")
]

MARKS = {"create": "+", "update": "~", "delete": "-", "exists": "=", "keep": "="}


Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (cron, CI).")]


@infra_app.command("up")
def up(
    ctx: typer.Context,
    cidr: Annotated[
        str | None,
        typer.Option(
            "--cidr",
            help="Network allowed to reach the cluster port (default: your public IP /32). "
            "Example: --cidr 203.0.113.7/32",
        ),
    ] = None,
    yes: Yes = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print every AWS call with its parameters and the cost, offline: no AWS call, no credentials "
            "needed; assumes nothing exists yet. Changes nothing.",
        ),
    ] = False,
    timeout: Timeout = 1800,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Create the IAM role, security group, SSL parameter group and encrypted Redshift cluster, then wait
    until it is available. Existing pieces are kept; a failed run is completed by the next one.

    Before creating the cluster it shows what it costs per hour, day and 30 days and asks; without a
    terminal it needs --yes. An existing cluster is never changed, so nothing is asked then.

    Example: sparkify infra up --dry-run
    Example: sparkify infra up --cidr 203.0.113.7/32
    Example (CI): sparkify infra up --yes --timeout 2400
    """
    from sparkify_cli.services.infra import manage as infra

    cfg = settings(ctx, aws_region=region, aws_profile=profile)
    plan = infra.plan_up(cfg, cidr=cidr, offline=dry_run)
    for warning in plan.warnings:
        console.warn(warning)
    _show_resources(plan)
    if plan.cost is not None:
        console.info(f"cost of the cluster while it exists: {plan.cost.describe()}")
        console.info(f"  ({plan.cost.basis()}; `sparkify infra down` stops it)")
    if dry_run:
        _print_plan(plan)
        return
    if not plan.steps:
        console.summary("everything exists; nothing changed")
    if plan.cost is not None:  # creating the cluster is what costs money: the one thing to confirm
        confirm(
            f"Create cluster {cfg.cluster_identifier} ({plan.cost.nodes} x {plan.cost.node_type}) at "
            f"{plan.cost.describe()}?",
            yes=yes,
            unasked=f"infra up would create a Redshift cluster billed {plan.cost.describe()}",
            hint="pass --yes to create it",
            cancelled="nothing was created",
        )
    with _reporter() as report:
        cluster = infra.apply(cfg, plan, on_progress=report, waiting=infra.Waiting(timeout=timeout))
    if cluster is not None:
        typer.echo(
            f"endpoint: {cluster.endpoint}\nport: {cluster.port}\ndatabase: {cluster.database}\n"
            f"user: {cluster.user}\nrole_arn: {cluster.role_arn}"
        )


@infra_app.command("down")
def down(
    ctx: typer.Context,
    yes: Yes = False,
    snapshot: Annotated[
        bool, typer.Option("--snapshot", help="Keep a final snapshot of the cluster (it costs storage).")
    ] = False,
    dry_run: DryRun = False,
    timeout: Timeout = 1800,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Delete everything `infra up` created: cluster, security group, parameter group, role. Nothing to
    delete is not an error. Asks first; without a terminal it needs --yes.

    Example: sparkify infra down --yes
    """
    from sparkify_cli.services.infra import manage as infra

    cfg = settings(ctx, aws_region=region, aws_profile=profile)
    plan = infra.plan_down(cfg, snapshot=snapshot)
    for warning in plan.warnings:
        console.warn(warning)
    if not plan.steps:
        console.summary(f"nothing to delete in {plan.region}")
        return
    _show_resources(plan)
    if dry_run:
        _print_plan(plan)
        return
    deleting = sum(1 for r in plan.resources if r.action == "delete")
    confirm(
        "Delete these resources?",
        yes=yes,
        unasked=f"infra down would delete {console.count(deleting, 'resource')} in {plan.region}",
        hint="pass --yes to delete them",
        cancelled="nothing was deleted",
    )
    with _reporter() as report:
        infra.apply(cfg, plan, on_progress=report, waiting=infra.Waiting(timeout=timeout))
    console.summary(f"deleted {console.count(deleting, 'resource')} in {plan.region}")


@infra_app.command("status")
def status(
    ctx: typer.Context,
    fmt: Annotated[
        opt.Output, typer.Option("--format", help="table or json. Example: --format json")
    ] = opt.Output.table,
    region: Region = None,
    profile: Profile = None,
) -> None:
    """Show the cluster's state, endpoint, size, role, allowed networks and estimated hourly cost.

    Example: sparkify infra status --format json
    """
    from sparkify_cli.services.infra import manage as infra

    found = infra.status(settings(ctx, aws_region=region, aws_profile=profile))
    if fmt is opt.Output.json:
        from sparkify_cli.cli.contract import InfraStatus, emit

        emit(InfraStatus, found.as_dict())
        return
    from rich.table import Table

    c = found.cluster
    cost = "none (no cluster)" if found.cost is None else found.cost.describe()
    if found.cost is not None and found.cost.hourly_usd is not None:
        cost += " (on-demand list price)"
    rows: list[tuple[str, object]] = [
        ("region", found.region),
        ("cluster", "absent" if c is None else f"{c.identifier}: {c.status}"),
        ("endpoint", "" if c is None or not c.endpoint else f"{c.endpoint}:{c.port}"),
        ("database / user", "" if c is None else f"{c.database} / {c.user}"),
        ("nodes", "" if c is None else f"{c.nodes} x {c.node_type}"),
        ("encrypted", "" if c is None else "yes" if c.encrypted else "NO"),
        ("attached roles", "" if c is None else ", ".join(c.role_arns) or "none"),
        ("IAM role", found.role_arn or "absent"),
        ("security group", found.security_group_id or "absent"),
        ("ingress", ", ".join(found.ingress) or "none"),
        (
            "parameter group",
            "absent"
            if found.parameter_group is None
            else f"{found.parameter_group} (require_ssl={'true' if found.require_ssl else 'false'})",
        ),
        ("estimated cost", cost),
    ]
    table = Table(show_header=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")  # endpoints and ARNs are long: wrap them, never cut them
    for key, value in rows:
        table.add_row(key, console.escape(str(value)))
    console.out().print(table)


def _show_resources(plan: Plan) -> None:
    for resource in plan.resources:
        detail = f" ({resource.detail})" if resource.detail else ""
        console.info(f"{MARKS[resource.action]} {resource.kind} {resource.name}: {resource.action}{detail}")


def _print_plan(plan: Plan) -> None:
    if plan.offline:
        console.info(
            f"dry run in {plan.region}, offline: nothing was read from or changed in AWS, and the plan assumes "
            "none of it exists yet (`infra up` looks first and creates only what is missing; `infra status` "
            "shows what exists). These calls would run:"
        )
    else:
        console.info(f"dry run in {plan.region}: nothing was changed. These calls would run:")
    typer.echo(plan.render() if plan.steps else "(none)")


@contextmanager
def _reporter() -> Iterator[OnProgress]:
    """A live status line on a terminal; one line per finished step (and per cluster state) otherwise."""
    if not console.is_interactive():
        last: list[str] = [""]

        def plain(p: Progress) -> None:
            if p.total == 1:  # one AWS call
                if p.done == 1:
                    console.info(f"done {p.task}")
            elif p.task != last[0]:  # a cluster state: print each new one once
                console.info(p.task)
                last[0] = p.task

        yield plain
        return
    with console.err().status("starting") as live:

        def live_report(p: Progress) -> None:
            if p.total == 1:  # one AWS call
                if p.done == p.total:
                    console.err().print(f"done {console.escape(p.task)}")
                else:
                    live.update(console.escape(p.task))
            elif p.done == p.total:
                console.err().print(console.escape(p.task))
            else:
                live.update(f"{console.escape(p.task)} ({p.done}s of at most {p.total}s)")

        yield live_report
