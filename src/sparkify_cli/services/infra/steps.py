"""Plans of AWS calls and the loop that runs them: a plan can be printed (--dry-run) or applied."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sparkify_cli import aws
from sparkify_cli.aws import AwsCallError, ClusterInfo
from sparkify_cli.documents import JSON, Document
from sparkify_cli.errors import AwsError
from sparkify_cli.progress import OnProgress, Progress, silent
from sparkify_cli.services.infra.prices import Estimate
from sparkify_cli.settings import Settings

SECRET_KEY = re.compile(r"password|secret|token", re.IGNORECASE)
FAILED_STATES = {
    "hardware-failure",
    "incompatible-hsm",
    "incompatible-network",
    "incompatible-parameters",
    "incompatible-restore",
    "storage-full",
}


@dataclass(frozen=True)
class Ref:
    """A value only an earlier call of the same plan returns (a new security group's id)."""

    name: str


@dataclass(frozen=True)
class Call:
    """One mutating AWS call: `service.operation(**params)`."""

    service: str
    operation: str
    params: Document
    saves: dict[str, str] = field(default_factory=dict)  # Ref name -> key of the response
    retry_on: tuple[str, ...] = ()  # AWS error codes that mean "not yet": retried until the timeout

    def render(self) -> str:
        lines = [f"{self.service}.{self.operation}("]
        lines += [f"    {key}={_shown(key, value)}," for key, value in self.params.items()]
        return "\n".join(lines) + "\n)"


@dataclass(frozen=True)
class WaitFor:
    """Poll the cluster until it is available (after create) or gone (after delete)."""

    cluster: str
    until: Literal["available", "deleted"]

    def render(self) -> str:
        return f'redshift.describe_clusters(ClusterIdentifier="{self.cluster}") until {self.until}'


Step = Call | WaitFor


Action = Literal["exists", "create", "update", "delete", "keep"]


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    action: Action
    detail: str = ""


@dataclass
class Plan:
    verb: Literal["up", "down"]
    region: str
    steps: list[Step] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    offline: bool = False  # made without asking AWS what exists: shown, never applied
    cost: Estimate | None = None  # of the cluster the plan creates; None: it creates none

    def call(self, service: str, operation: str, **params: JSON) -> None:
        self.steps.append(Call(service, operation, params))

    @property
    def changes(self) -> bool:
        return any(isinstance(step, Call) for step in self.steps)

    def render(self) -> str:
        return "\n".join(f"{n}. {step.render()}" for n, step in enumerate(self.steps, 1))


@dataclass(frozen=True)
class Waiting:
    """How long and how often to poll; tests pass a fake sleep and clock."""

    timeout: float = 1800.0
    interval: float = 15.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def _shown(key: str, value: JSON) -> str:
    if isinstance(value, str) and value.startswith("{"):
        return value  # a JSON policy document, shown as AWS receives it
    return json.dumps(_masked(key, value))


def _masked(key: str, value: JSON) -> JSON:
    """The value with secrets replaced by stars and later-known values by a placeholder."""
    if isinstance(value, dict):
        return {k: _masked(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(key, v) for v in value]
    if isinstance(value, Ref):
        return f"<{value.name} from an earlier step>"
    if SECRET_KEY.search(key) and not isinstance(value, bool):
        return "********"
    return value


class Clients:
    """One boto3 client per service, made on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._made: Document = {}

    def __call__(self, name: str) -> aws.Client:
        if name not in self._made:
            self._made[name] = aws.client(self.settings, name)
        return self._made[name]


def apply(
    settings: Settings, plan: Plan, *, on_progress: OnProgress = silent, waiting: Waiting | None = None
) -> ClusterInfo | None:
    """Run the plan's steps in order; for `up`, return the cluster once it is available."""
    if plan.offline:
        raise ValueError("an offline plan assumes what exists instead of reading it: plan again with AWS")
    waiting = waiting or Waiting()
    clients = Clients(settings)
    refs: Document = {}
    for step in plan.steps:
        if isinstance(step, WaitFor):
            _wait(settings, clients, step, waiting, on_progress)
            continue
        task = f"{step.service}.{step.operation}"
        on_progress(Progress(task, 0, 1))
        params = {key: _resolve(value, refs) for key, value in step.params.items()}
        result = _call_until(clients(step.service), step, params, waiting)
        for name, key in step.saves.items():
            refs[name] = result[key]
        on_progress(Progress(task, 1, 1))
    return aws.describe_cluster(settings, clients("redshift")) if plan.verb == "up" else None


def _resolve(value: JSON, refs: Document) -> JSON:
    if isinstance(value, Ref):
        return refs[value.name]
    if isinstance(value, list):
        return [_resolve(item, refs) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, refs) for key, item in value.items()}
    return value


def _call_until(client: aws.Client, step: Call, params: Document, waiting: Waiting) -> Document:
    deadline = waiting.clock() + waiting.timeout
    while True:
        try:
            return aws.call(client, step.operation, **params)
        except AwsCallError as exc:
            if exc.code not in step.retry_on or waiting.clock() >= deadline:
                raise
        waiting.sleep(waiting.interval)


def _wait(settings: Settings, clients: Clients, step: WaitFor, waiting: Waiting, on_progress: OnProgress) -> None:
    """Poll with a live status (task "cluster <id>: <state>", done/total = seconds) until done or timeout."""
    start = waiting.clock()
    total = int(waiting.timeout)
    verb = "up" if step.until == "available" else "down"
    while True:
        cluster = aws.describe_cluster(settings, clients("redshift"))
        state = cluster.status if cluster else "deleted"
        elapsed = waiting.clock() - start
        task = f"cluster {step.cluster}: {state}"
        if state == step.until:
            on_progress(Progress(task, total, total))
            return
        if cluster is None:
            raise AwsError(f"cluster {step.cluster} disappeared while waiting for it to become available")
        if state in FAILED_STATES:
            raise AwsError(f"cluster {step.cluster} is {state}", hint="see the events in the Redshift console")
        if elapsed >= waiting.timeout:
            raise AwsError(
                f"cluster {step.cluster} is still {state} after {total}s",
                hint=f"AWS carries on; run `sparkify infra {verb}` again to keep waiting",
            )
        on_progress(Progress(task, min(int(elapsed), total - 1), total))
        waiting.sleep(min(waiting.interval, max(waiting.timeout - elapsed, 0.0)))
