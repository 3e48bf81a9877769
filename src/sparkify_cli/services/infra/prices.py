"""What a Redshift cluster costs while it runs: on-demand list prices per node-hour, and the
estimate `infra up` shows before it creates a cluster and `infra status` shows for one that runs.

The prices are AWS's on-demand list prices in US East (N. Virginia) from
https://aws.amazon.com/redshift/pricing/, written down from memory and last checked against that
page in 2024 (PRICES_CHECKED; not re-checked since: sparkify works offline and has no price API
call). Other regions cost up to ~30% more; RA3 managed storage (about $0.024 per GB-month),
snapshots and data transfer are billed apart. A provisioned cluster bills every hour it exists,
busy or idle; a paused one bills only its storage. An estimate, not a bill.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICING_URL = "https://aws.amazon.com/redshift/pricing/"
PRICES_REGION = "us-east-1"
PRICES_CHECKED = "2024"
HOURS_PER_DAY = 24
DAYS_PER_MONTH = 30

HOURLY_USD_PER_NODE = {
    "ra3.large": 0.543,
    "ra3.xlplus": 1.086,
    "ra3.4xlarge": 3.26,
    "ra3.16xlarge": 13.04,
    # No new cluster of these since 2025 (AWS retired DC2); kept to price clusters that still run.
    "dc2.large": 0.25,
    "dc2.8xlarge": 4.80,
}
RETIRED_FAMILIES = ("dc1.", "dc2.", "ds1.", "ds2.")  # node types AWS no longer creates clusters of


@dataclass(frozen=True)
class Estimate:
    node_type: str
    nodes: int
    node_hour_usd: float | None  # None: the node type is not in the table

    @property
    def hourly_usd(self) -> float | None:
        return None if self.node_hour_usd is None else self.node_hour_usd * self.nodes

    def describe(self) -> str:
        """ "~$0.54/hour, ~$13.03/day, ~$390.96 per 30 days", or why there is no figure."""
        hourly = self.hourly_usd
        if hourly is None:
            return f"unknown (sparkify has no price for {self.node_type}; see {PRICING_URL})"
        daily = hourly * HOURS_PER_DAY
        return f"~${hourly:,.2f}/hour, ~${daily:,.2f}/day, ~${daily * DAYS_PER_MONTH:,.2f} per {DAYS_PER_MONTH} days"

    def basis(self) -> str:
        """Where the figure comes from, in one line."""
        if self.node_hour_usd is None:
            return f"{self.nodes} x {self.node_type}"
        return (
            f"{self.nodes} x {self.node_type} at ${self.node_hour_usd} per node-hour: on-demand list price in "
            f"{PRICES_REGION} as of {PRICES_CHECKED}; other regions cost more; storage and snapshots extra"
        )


def estimate(node_type: str, nodes: int) -> Estimate:
    return Estimate(node_type, nodes, HOURLY_USD_PER_NODE.get(node_type))


def hourly_cost(node_type: str, nodes: int) -> float | None:
    """Estimated USD per hour; None for a node type missing from the table."""
    hourly = estimate(node_type, nodes).hourly_usd
    return None if hourly is None else round(hourly, 3)
