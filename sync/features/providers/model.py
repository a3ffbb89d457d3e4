"""What crawler and enricher lineage should look like in Purview: desired records and the entities they make.

- `provider|<providerDefinitionId>`: the Cluedin Organization Provider, named by the provider's account display;
  columns: every vocabulary key its data parts changed on the sampled golden records.
- `crawl|<providerDefinitionId>|/<EntityType>` (a crawler) or `enrich|…` (an enricher): the Crawl / Enrich process
  from the provider to the Cluedin Entity of an entity type it contributed to; column mapping key → same key.
- `entity|/<EntityType>`: this feature's hold on the shared Cluedin Entity, the contributed keys as columns.

A process carries stubs of the provider and the Cluedin Entity it links, so messages apply in any order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.features.lineage.api import Node, Ref, column_nodes, entity_node
from sync.features.providers.types import CRAWL_PROCESS_TYPE, ENRICH_PROCESS_TYPE, PROVIDER_TYPE
from sync.features.streams.api import ENTITY, RecordKind, column_mappings, entity_record, fit, record_key
from sync.services.cluedin.providers import ProviderFacts
from sync.services.purview import qualified_names as names

PROVIDER, CRAWL, ENRICH = "provider", "crawl", "enrich"
VERBS = {"Crawler": CRAWL, "Enricher": ENRICH}
PROCESS_TYPES = {CRAWL: CRAWL_PROCESS_TYPE, ENRICH: ENRICH_PROCESS_TYPE}
PROCESS_NAMES = {CRAWL: "Crawl", ENRICH: "Enrich"}


def desired_records(
    providers: list[ProviderFacts],
    contributions: Mapping[str, Mapping[str, list[str]]],
    organization: str,
    collection: str | None,
) -> dict[str, dict[str, Any]]:
    """Records of every crawler and enricher, their processes, and the entity types they contributed to (pure)."""
    base = {"org": organization, "collection": collection}
    records: dict[str, dict[str, Any]] = {}
    held: dict[str, set[str]] = {}
    for provider in sorted(providers, key=lambda p: p.id):
        mine = contributions.get(provider.id) or {}
        keys = sorted({k for ks in mine.values() for k in ks})
        record, note = fit(
            {
                **base,
                "id": provider.id,
                "name": provider.display,
                "kind": provider.kind,
                "providerTypeId": provider.provider_type,
                "active": provider.active,
                "columns": [[k, ""] for k in keys],
            }
        )
        records[record_key(PROVIDER, provider.id)] = {**record, **({"note": note} if note else {})}
        verb = VERBS[provider.kind]
        for entity_type, type_keys in sorted(mine.items()):
            display = names.display_entity_type(entity_type)
            held.setdefault(display, set()).update(type_keys)
            record, note = fit(
                {
                    **base,
                    "providerId": provider.id,
                    "providerName": provider.display,
                    "entityType": display,
                    "mapping": [[k, k] for k in type_keys],
                }
            )
            records[record_key(verb, f"{provider.id}|{display}")] = {**record, **({"note": note} if note else {})}
    for entity_type, held_keys in sorted(held.items()):
        record, note = fit(entity_record(organization, collection, entity_type, sorted(held_keys)))
        records[record_key(ENTITY, entity_type)] = {**record, **({"note": note} if note else {})}
    return records


def provider_ref(org: str, provider_id: str) -> Ref:
    """The Cluedin Organization Provider of a provider definition."""
    return PROVIDER_TYPE.name, names.provider_name(org, provider_id)


def provider_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """The provider with the keys it contributed as columns."""
    org = str(desired["org"])
    ref = provider_ref(org, str(desired["id"]))
    attributes = {
        "name": desired["name"],
        "description": f"CluedIn {str(desired.get('kind') or 'provider').lower()} '{desired['name']}'",
        "organization": org,
        "providerDefinitionId": desired["id"],
        "providerKind": desired.get("kind") or "",
        "providerTypeId": desired.get("providerTypeId") or "",
        "active": bool(desired.get("active", True)),
    }
    columns = column_nodes(ref, PROVIDER_TYPE.columns_parent_attribute, desired.get("columns") or [], org)
    return [Node(ref[0], ref[1], attributes), *columns]


def _process_kind(verb: str) -> RecordKind:
    process_type = PROCESS_TYPES[verb]

    def main(org: str, ident: str) -> Ref:
        provider_id, _, entity_type = ident.partition("|")
        return process_type.name, names.provider_process_name(org, provider_id, verb, entity_type)

    def build(desired: Mapping[str, Any]) -> list[Node]:
        org, provider_id, entity_type = str(desired["org"]), str(desired["providerId"]), str(desired["entityType"])
        provider = provider_ref(org, provider_id)
        entity = entity_node(org, entity_type, stub=True)
        pairs = desired.get("mapping") or []
        mapping, kept, total = column_mappings([(provider[1], entity.qualified_name, pairs)])
        ref = main(org, f"{provider_id}|{entity_type}")
        attributes = {
            "name": PROCESS_NAMES[verb],
            "description": f"{PROCESS_NAMES[verb]}: CluedIn {desired['providerName']} → {entity_type}",
            "organization": org,
            "providerDefinitionId": provider_id,
            "entityType": entity_type,
            "columnMapping": mapping,
        }
        process = Node(ref[0], ref[1], attributes, inputs=[provider], outputs=[entity.ref])
        if kept < total:
            process.notes = [f"column mapping keeps {kept} of {total} pairs (Purview's 32 KB limit)"]
        stub = Node(provider[0], provider[1], {"name": str(desired["providerName"])}, stub=True)
        return [process, stub, entity]

    return RecordKind(main=main, build=build)


PROVIDER_KINDS = {
    PROVIDER: RecordKind(main=provider_ref, build=provider_nodes),
    CRAWL: _process_kind(CRAWL),
    ENRICH: _process_kind(ENRICH),
}
