"""Capacity budgets shared by every instance of the app: one ledger row per service endpoint.

| Table | PartitionKey | RowKey | Holds |
|---|---|---|---|
| `<p>Budgets` | `budget` | service key (`purview|<url>`) | the app-wide rate found so far, each instance's slice |

A service's capacity (Purview: 25 operations/s per capacity unit) is the app's, not an instance's. Each instance
that calls the service holds a *claim* in the ledger — a slice of the rate, valid until a time a few seconds
ahead — and renews it while it keeps calling. The ledger is read and written whole, guarded by its ETag, so two
instances can never both take the same free capacity. The policy (who gets how much, how the rate adapts to
429s) is the caller's (`sync/services/budget.py`); this module only stores it. Design and cost:
docs/decisions/0902-shared-capacity-budget.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

from sync.core.azure_errors import STORAGE_SETTINGS, typed_azure_errors
from sync.core.errors import ContentionError
from sync.core.state.rows import encode_key, get_json, put_json

PARTITION = "budget"
typed = typed_azure_errors("state storage", STORAGE_SETTINGS)


@dataclass
class Claim:
    """One instance's slice of a service's rate."""

    share: float
    """Operations per second the instance may send until `until`."""
    until: datetime
    """When the slice ends unless renewed (the instance's own clock; others allow for skew)."""
    want: float | None = None
    """What the instance can use (operations/s); None = as much as it can get."""

    def to_json(self) -> dict[str, Any]:
        """JSON form inside the ledger row."""
        return {"share": round(self.share, 4), "until": self.until.isoformat(), "want": self.want}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Claim:
        """Parse the JSON form."""
        want = value.get("want")
        return cls(
            share=float(value.get("share") or 0.0),
            until=datetime.fromisoformat(str(value["until"])),
            want=None if want is None else float(want),
        )


@dataclass
class BudgetLedger:
    """The shared state of one service's budget."""

    service: str
    start: float
    """The configured rate the ledger's rate started from (a new setting restarts it)."""
    rate: float
    """Operations per second the whole app may send now."""
    claims: dict[str, Claim] = field(default_factory=dict)
    decreased_at: datetime | None = None
    """Last multiplicative decrease (after a 429)."""
    increased_at: datetime | None = None
    """Last additive increase."""
    etag: str | None = None

    def to_entity(self) -> dict[str, Any]:
        """Table entity form."""
        entity: dict[str, Any] = {
            "PartitionKey": PARTITION,
            "RowKey": encode_key(self.service),
            "Service": self.service,
            "Start": float(self.start),
            "Rate": float(self.rate),
            "DecreasedAt": self.decreased_at.isoformat() if self.decreased_at else "",
            "IncreasedAt": self.increased_at.isoformat() if self.increased_at else "",
        }
        put_json(entity, "Claims", {owner: claim.to_json() for owner, claim in sorted(self.claims.items())})
        return entity

    @classmethod
    def from_entity(cls, entity: dict[str, Any]) -> BudgetLedger:
        """Parse a Table entity."""
        decreased = str(entity.get("DecreasedAt") or "")
        increased = str(entity.get("IncreasedAt") or "")
        claims = get_json(entity, "Claims", {})
        return cls(
            service=str(entity.get("Service") or entity["RowKey"]),
            start=float(entity.get("Start") or 0.0),
            rate=float(entity.get("Rate") or 0.0),
            claims={str(owner): Claim.from_json(value) for owner, value in claims.items()},
            decreased_at=datetime.fromisoformat(decreased) if decreased else None,
            increased_at=datetime.fromisoformat(increased) if increased else None,
            etag=entity.metadata.get("etag") if hasattr(entity, "metadata") else None,
        )


class BudgetTable:
    """The budget ledgers: read one, swap it for a new version guarded by the ETag it was read with."""

    def __init__(self, service: TableServiceClient, prefix: str) -> None:
        self.service = service
        self.table: TableClient = service.get_table_client(f"{prefix}Budgets")
        self.reads = 0
        self.writes = 0
        """Table calls made (what the budget costs; printed by `bench scale_out`)."""

    @typed
    def ensure_table(self) -> None:
        """Create the table if it does not exist yet."""
        self.service.create_table_if_not_exists(self.table.table_name)

    @typed
    def read(self, service: str) -> BudgetLedger | None:
        """The ledger of a service, or None when no instance has written one yet (or the table is missing)."""
        self.reads += 1
        try:
            entity = self.table.get_entity(PARTITION, encode_key(service))
        except ResourceNotFoundError:
            return None
        return BudgetLedger.from_entity(entity)

    @typed
    def swap(self, ledger: BudgetLedger) -> BudgetLedger:
        """Write a new version of a ledger, guarded by its ETag (None = it must not exist yet); the new ETag is set.

        Raises:
            ContentionError: another instance wrote the ledger since it was read.
        """
        entity = ledger.to_entity()
        self.writes += 1
        try:
            if ledger.etag is None:
                metadata = self._create(entity)
            else:
                metadata = self.table.update_entity(
                    entity, mode=UpdateMode.REPLACE, etag=ledger.etag, match_condition=MatchConditions.IfNotModified
                )
        except (ResourceExistsError, ResourceModifiedError) as exc:
            raise ContentionError(f"budget {ledger.service} changed concurrently") from exc
        except ResourceNotFoundError as exc:  # deleted meanwhile: read again
            raise ContentionError(f"budget {ledger.service} disappeared") from exc
        ledger.etag = metadata.get("etag")
        return ledger

    def _create(self, entity: dict[str, Any]) -> dict[str, Any]:
        """Insert the first version; a deployment that predates the table gets it now."""
        try:
            return dict(self.table.create_entity(entity))
        except ResourceNotFoundError:
            self.service.create_table_if_not_exists(self.table.table_name)
            return dict(self.table.create_entity(entity))
