"""What lineage owns in Purview and the attributes it last wrote there, from state alone (the drift report).

State keeps, per data set, each record's fingerprint and the guids Purview assigned, not the attributes; the
facts cache keeps the CluedIn data sets as last read. A record whose fingerprint equals that of the record derived
from the cached facts was written exactly like that, so its entities' attributes are known without reading
CluedIn or Purview. Records whose fingerprints differ are still to be applied (pending), not drift.
"""

from __future__ import annotations

from typing import Any

from sync.core.feature import OwnedEntity, SyncContext
from sync.core.state import SyncObject, fingerprint
from sync.features.datasources.api import linked_assets
from sync.features.lineage.api import LINEAGE_KIND
from sync.features.lineage.detect import read_facts
from sync.features.lineage.graph import nodes_for
from sync.features.lineage.model import DATASET, AssetLink, Context, desired_rows, group_records
from sync.features.lineage.payloads import PAYLOAD_KEY
from sync.features.lineage.plan import part_state
from sync.features.lineage.shape import LineageShape
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.typedefs import COLUMN_TYPE


def _reference(desired: dict[str, Any]) -> dict[str, Any]:
    """The claim-check reference a record too large for a message travelled as (payloads.offload)."""
    label: dict[str, Any] = {k: desired[k] for k in ("org", "name", "entityType", "collection") if k in desired}
    return {PAYLOAD_KEY: fingerprint(desired), **label}


def _guids(row: SyncObject, kind: str) -> tuple[str, dict[str, str]]:
    """(main guid, column name → guid) the row knows for one of its records."""
    if kind == DATASET:
        return str(row.target.get("guid") or ""), {str(k): str(v) for k, v in (row.target.get("columns") or {}).items()}
    part = (row.target.get("parts") or {}).get(kind) or {}
    return str(part.get("guid") or ""), {}


def owned_entities(
    ctx: SyncContext, collection: str | None, links: dict[str, AssetLink], shape: LineageShape
) -> list[OwnedEntity]:
    """Every entity of an applied lineage record, with the attributes written (shared entities by qualifiedName).

    The records are derived in the deployment's lineage shape: derived in another, no fingerprint would match and
    the report would call everything pending.
    """
    cluedin: CluedInClient = ctx.client("cluedin")
    context = Context(
        organization=cluedin.organization, collection=collection, cluedin_url=cluedin.base_url, shape=shape
    )
    records = group_records(desired_rows(read_facts(ctx.state).values(), links, context))
    owned: list[OwnedEntity] = []
    for row in ctx.state.iter_objects(LINEAGE_KIND):
        record = records.get(row.key)
        if not row.active or record is None:
            continue
        for kind, desired in record.items():
            known = part_state(row, kind)
            written = known.get("fingerprint") in (fingerprint(desired), fingerprint(_reference(desired)))
            if known.get("status") != "active" or not written:
                continue
            main, columns = _guids(row, kind)
            for index, node in enumerate(n for n in nodes_for(kind, desired) if not n.stub):
                name = str(node.attributes.get("name") or "")
                guid = columns.get(name, "") if node.type_name == COLUMN_TYPE.name else (main if index == 0 else "")
                owned.append(OwnedEntity(row.key, node.type_name, node.qualified_name, guid, dict(node.attributes)))
    return owned


def linked(ctx: SyncContext, to_link: Any) -> dict[str, AssetLink]:
    """F1's links as the lineage model sees them."""
    return {source_id: to_link(link) for source_id, link in linked_assets(ctx.state).items()}
