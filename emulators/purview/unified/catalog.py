"""The emulated Unified Catalog of one Purview account: domains, data products, terms, data assets, relationships.

Owned by `PurviewStore` next to the Data Map, so snapshots, `/_emulator/reset` and seeds cover both and a
data asset can resolve its Data Map entity in the same process. Handlers run on the event-loop thread, like
the Data Map's, so nothing here locks. Ids are stored in lower case; lookups are case-insensitive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulators.purview.model.entities import EntityStore
from emulators.purview.unified import assets, records, values
from emulators.purview.unified.errors import conflict, invalid, not_found
from emulators.purview.unified.relationships import End, RelationshipStore, render

CATEGORY = {"businessDomain": "DOMAIN", "dataProduct": "DATAPRODUCT", "term": "TERM", "dataAsset": "DATAASSET"}
LABEL = {"businessDomain": "business domain", "dataProduct": "data product", "term": "term", "dataAsset": "data asset"}
STATE_FORMAT = "unified-catalog-state/1"


class UnifiedCatalog:
    """All catalog records, keyed by kind then lower-case id, in creation order."""

    def __init__(self, entities: EntityStore, account_name: str) -> None:
        self.entities = entities
        self.account_name = account_name
        self.tables: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in CATEGORY}
        self.by_source: dict[str, str] = {}  # Data Map guid -> data asset id
        self.relationships = RelationshipStore()

    # ----- generic records ---------------------------------------------------------------------------

    def get(self, kind: str, identifier: str) -> dict[str, Any]:
        """A stored record (404 when missing)."""
        found = self.tables[kind].get(identifier.lower())
        if found is None:
            raise not_found(LABEL[kind], identifier)
        return found

    def exists(self, kind: str, identifier: str) -> bool:
        """Whether a record of that kind exists."""
        return identifier.lower() in self.tables[kind]

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every record of a kind, in creation order."""
        return list(self.tables[kind].values())

    def create(self, kind: str, body: Any, principal: str) -> dict[str, Any]:
        """Create a domain, data product or term from a request body."""
        spec = records.KINDS[kind]
        identifier = records.identifier_from(body, lambda i: self.exists(kind, i), spec.label)
        record = records.new_record(spec, body, identifier, principal)
        self._check_references(kind, record)
        self.tables[kind][identifier] = record
        return record

    def update(self, kind: str, identifier: str, body: Any, principal: str) -> dict[str, Any]:
        """PUT a domain, data product or term (see `records` for the merge rule)."""
        existing = self.get(kind, identifier)
        if (
            isinstance(body, dict)
            and body.get("id") not in (None, "")
            and values.guid(body["id"], "id") != existing["id"]
        ):
            raise invalid("the id in the body does not match the id in the path", target="id")
        record = records.merged_record(records.KINDS[kind], existing, body, principal)
        self._check_references(kind, record)
        self.tables[kind][existing["id"]] = record
        return record

    def delete(self, kind: str, identifier: str) -> None:
        """Delete a record and every relationship touching it; domains and parent terms must be empty first.

        GUESS: the service's rules for deleting non-empty domains and parent terms are not documented;
        refusing (409) keeps references from dangling.
        """
        record = self.get(kind, identifier)
        rid = record["id"]
        if kind == "businessDomain":
            used = [k for k in ("dataProduct", "term") if any(r.get("domain") == rid for r in self.all(k))]
            children = any(d.get("parentId") == rid for d in self.all("businessDomain"))
            if used or children:
                raise conflict(f"The business domain '{rid}' still has data products, terms or child domains.")
        if kind == "term" and any(t.get("parentId") == rid for t in self.all("term")):
            raise conflict(f"The term '{rid}' has child terms.")
        if kind == "dataAsset":
            self.by_source.pop(record["source"]["assetId"], None)
        self.relationships.remove_end((CATEGORY[kind], rid))
        del self.tables[kind][rid]

    def _check_references(self, kind: str, record: dict[str, Any]) -> None:
        """Referenced domains and parents must exist; hierarchies must not loop (400 otherwise, GUESS)."""
        if kind in ("dataProduct", "term") and not self.exists("businessDomain", record["domain"]):
            raise invalid(f"the business domain '{record['domain']}' does not exist", target="domain")
        parent = record.get("parentId")
        if parent is None or kind == "dataProduct":
            return
        table = "businessDomain" if kind == "businessDomain" else "term"
        if not self.exists(table, parent):
            raise invalid(f"the parent {LABEL[table]} '{parent}' does not exist", target="parentId")
        if kind == "term" and self.tables["term"][parent]["domain"] != record["domain"]:
            raise invalid("a term's parent must be in the same business domain", target="parentId")
        seen = {record["id"]}
        while parent is not None:
            if parent in seen:
                raise invalid(f"parentId would make a cycle through '{parent}'", target="parentId")
            seen.add(parent)
            parent = self.tables[table].get(parent, {}).get("parentId")

    def render(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """The record as the API returns it, with the computed read-only fields."""
        out = dict(record)
        if kind == "dataProduct":
            count = self.relationships.count(("DATAPRODUCT", record["id"]), "DATAASSET")
            out.setdefault("activeSubscriberCount", 0)
            out["additionalProperties"] = {"assetCount": count}
        elif kind == "term":
            out["isLeaf"] = not any(t.get("parentId") == record["id"] for t in self.all("term"))
        elif kind == "businessDomain":
            out.setdefault("thumbnail", {})
            out.setdefault("domains", [])
            out.setdefault("managedAttributes", [])
        return out

    # ----- data assets ------------------------------------------------------------------------------

    def create_asset(self, body: Any, principal: str) -> dict[str, Any]:
        """Register a Data Map entity as a catalog data asset (one catalog asset per Data Map guid).

        GUESS: a second create for the same Data Map guid is a 409; clients look the asset up first with
        `dataAssets/query {"sourceAssetIds": [guid]}` (pvw-cli's `find_data_asset_by_entity_guid`).
        """
        entity = assets.resolve_source(self.entities, body)
        if entity.guid in self.by_source:
            existing = self.by_source[entity.guid]
            raise conflict(f"The Data Map asset '{entity.guid}' is already the data asset '{existing}'.")
        identifier = records.identifier_from(body, lambda i: self.exists("dataAsset", i), LABEL["dataAsset"])
        record = assets.new_asset(
            self.entities, entity, body, identifier=identifier, principal=principal, account=self.account_name
        )
        self.tables["dataAsset"][identifier] = record
        self.by_source[entity.guid] = identifier
        return record

    def update_asset(self, identifier: str, body: Any, principal: str) -> dict[str, Any]:
        """PUT (SDK) or PATCH (pvw-cli) a data asset: name, type, typeProperties, description, contacts, openInUrl."""
        record = self.get("dataAsset", identifier)
        if not isinstance(body, dict):
            raise invalid("the data asset must be a JSON object")
        source = body.get("source")
        given = source.get("assetId") if isinstance(source, dict) else None
        if given not in (None, "") and values.guid(given, "source.assetId") != record["source"]["assetId"]:
            raise invalid("a data asset's source.assetId cannot change", target="source.assetId")
        updated = {**record, "systemData": dict(record["systemData"])}
        assets.apply_overrides(updated, body)
        updated["systemData"].update(lastModifiedAt=values.now_iso(), lastModifiedBy=principal)
        self.tables["dataAsset"][record["id"]] = updated
        return updated

    # ----- relationships ----------------------------------------------------------------------------

    def relate(
        self, kind: str, identifier: str, entity_type: str, body: Any, principal: str, *, strict: bool
    ) -> dict[str, Any]:
        """Create a relationship from a data product, data asset or term (the body is read at its root).

        Observed (pvw-cli's regression test): a body without a root `entityId` is accepted and stored with
        the zero GUID, and unknown ids are not checked. `strict` (fault-setting
        `extra.unified_strict_relationships`) turns both into 404s instead.
        """
        owner = self._end(kind, identifier)
        if not isinstance(body, dict):
            raise invalid("the relationship must be a JSON object")
        raw_id = body.get("entityId")
        target: End = (entity_type, values.ZERO_GUID if raw_id in (None, "") else values.guid(raw_id, "entityId"))
        if target == owner:
            raise invalid("an entity cannot be related to itself", target="entityId")
        if strict:
            self._require_target(target)
        relationship_type = values.relationship_type(body.get("relationshipType"))
        if self.relationships.find(owner, target, relationship_type) is not None:
            raise conflict(f"The relationship to '{target[1]}' ({relationship_type}) already exists.")
        description = values.text(body, "description") or ""
        fields: dict[str, Any] = {"relationshipType": relationship_type, "description": description}
        asset_id = body.get("assetId")
        if asset_id not in (None, ""):
            fields["assetId"] = values.guid(asset_id, "assetId")
        edge = self.relationships.add(owner, target, fields, principal)
        return render(target, edge)

    def related(self, kind: str, identifier: str, entity_type: str | None) -> list[dict[str, Any]]:
        """The relationships of one entity, optionally only to entities of one category."""
        owner = self._end(kind, identifier)
        return [render(other, edge) for other, edge in self.relationships.of(owner, entity_type)]

    def unrelate(
        self, kind: str, identifier: str, entity_type: str | None, entity_id: str, relationship_type: str | None
    ) -> None:
        """Delete the matching relationships (both delete forms end here); 404 when none match."""
        owner = self._end(kind, identifier)
        target_id = values.guid(entity_id, "entityId")
        wanted = None if relationship_type is None else relationship_type.lower()
        keys = [
            self.relationships.key(owner, other, edge["relationshipType"])
            for other, edge in self.relationships.of(owner, entity_type)
            if other[1] == target_id and wanted in (None, edge["relationshipType"].lower())
        ]
        if not keys:
            raise not_found("relationship to", entity_id)
        for key in keys:
            self.relationships.remove(key)

    def _end(self, kind: str, identifier: str) -> End:
        return CATEGORY[kind], self.get(kind, identifier)["id"]

    def _require_target(self, target: End) -> None:
        kinds = {category: kind for kind, category in CATEGORY.items()}
        kind = kinds.get(target[0])
        if kind is None or not self.exists(kind, target[1]):
            raise not_found(LABEL.get(kind or "", target[0].lower()), target[1])

    # ----- state --------------------------------------------------------------------------------------

    def iter_records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, record) for everything stored."""
        for kind, table in self.tables.items():
            for record in table.values():
                yield kind, record

    def snapshot(self) -> dict[str, Any]:
        """Everything, restorable exactly (ids and timestamps included)."""
        return {
            "format": STATE_FORMAT,
            **{kind: list(table.values()) for kind, table in self.tables.items()},
            "relationships": self.relationships.snapshot(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace the catalog with a `snapshot` (an empty dict empties it)."""
        self.tables = {kind: {str(r["id"]): dict(r) for r in data.get(kind) or []} for kind in CATEGORY}
        self.by_source = {r["source"]["assetId"]: r["id"] for r in self.tables["dataAsset"].values()}
        self.relationships.restore(list(data.get("relationships") or []))
