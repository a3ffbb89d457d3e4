"""The qualifiedName scheme of everything the app writes to Purview for CluedIn.

A qualifiedName is Purview's identity of an entity within its type: bulk upserts match on it. Names are built
only from CluedIn ids that never change (the organization, a data set's GUID, an entity type's path), never from
display names, so renaming a data set in CluedIn updates the existing entities instead of creating new ones,
and the same input always yields the same names (safe re-runs, no duplicates).

Scheme (docs/purview-types.md has the full table):

    cluedin://<org>/dataset/<dataSetId>                 Cluedin Dataset
    cluedin://<org>/dataset/<dataSetId>#<field>         its columns (original fields)
    cluedin://<org>/dataset/<dataSetId>/ingest          Cluedin Ingest Process
    cluedin://<org>/dataset/<dataSetId>/map             Cluedin Map Process
    cluedin://<org>/entity/<EntityType path>            Cluedin Entity (one per entity type)
    cluedin://<org>/entity/<EntityType path>#<key>      its columns (vocabulary keys)

    cluedin://<org>/stream/<streamId>                   Cluedin Stream Process (F8)
    cluedin://<org>/export-target/<exportTargetId>      Cluedin Connector Entity (F8), columns `#<column>`
    cluedin://<org>/provider/<providerDefinitionId>     Cluedin Organization Provider (F9), columns `#<key>`
    cluedin://<org>/provider/<id>/crawl/<EntityType>    Cluedin Crawl Process (F9)
    cluedin://<org>/provider/<id>/enrich/<EntityType>   Cluedin Enrich Process (F9)

Later features add their own kinds under the same root.

Every free-text part is percent-encoded (RFC 3986 unreserved characters stay as they are, and `/` stays in
entity type paths), so `#` only ever separates a column and spaces are `%20`, never `+` (Purview does not
decode `+` in unique-attribute lookups).
"""

from __future__ import annotations

from urllib.parse import quote

SCHEME = "cluedin://"
COLUMN_SEPARATOR = "#"


def _part(value: str, *, keep_slashes: bool = False) -> str:
    """Percent-encode one name part (lower-level ids keep their case: qualifiedNames are case-sensitive)."""
    return quote(value.strip(), safe="/" if keep_slashes else "")


def organization_root(organization: str) -> str:
    """`cluedin://<org>`: the CluedIn organization namespaces every name (one Purview can serve several orgs)."""
    org = organization.strip().lower()
    if not org:
        raise ValueError("the CluedIn organization name is empty")
    return f"{SCHEME}{_part(org)}"


def dataset_name(organization: str, data_set_id: str) -> str:
    """The qualifiedName of a Cluedin Dataset (a CluedIn data set, keyed by its GUID)."""
    return f"{organization_root(organization)}/dataset/{_part(data_set_id.lower())}"


def ingest_process_name(organization: str, data_set_id: str) -> str:
    """The qualifiedName of the Ingest Data process feeding one data set."""
    return f"{dataset_name(organization, data_set_id)}/ingest"


def map_process_name(organization: str, data_set_id: str) -> str:
    """The qualifiedName of the Map to Entity process of one data set (one mapping per data set in CluedIn)."""
    return f"{dataset_name(organization, data_set_id)}/map"


def entity_type_path(entity_type: str) -> str:
    """CluedIn's entity type as a path without the leading slash (`/Infrastructure/User` → `Infrastructure/User`)."""
    path = entity_type.strip().strip("/")
    if not path:
        raise ValueError(f"not a CluedIn entity type: {entity_type!r}")
    return path


def entity_name(organization: str, entity_type: str) -> str:
    """The qualifiedName of the Cluedin Entity of one entity type, shared by every data set mapped to it."""
    return f"{organization_root(organization)}/entity/{_part(entity_type_path(entity_type), keep_slashes=True)}"


def object_name(organization: str, kind: str, ident: str, *, keep_slashes: bool = False) -> str:
    """`cluedin://<org>/<kind>/<id>`: a CluedIn object of a later feature (a rule, a project, a stream...)."""
    if not ident.strip():
        raise ValueError(f"empty {kind} id")
    return f"{organization_root(organization)}/{kind}/{_part(ident, keep_slashes=keep_slashes)}"


def column_name(parent_qualified_name: str, column: str) -> str:
    """The qualifiedName of a column of a Cluedin Dataset or Cluedin Entity."""
    if not column.strip():
        raise ValueError(f"empty column name under {parent_qualified_name}")
    return f"{parent_qualified_name}{COLUMN_SEPARATOR}{_part(column)}"


def display_entity_type(entity_type: str) -> str:
    """How CluedIn shows an entity type (and how the Cluedin Entity is named): `/Customer`."""
    return "/" + entity_type_path(entity_type)


def _guid(value: str) -> str:
    """A CluedIn GUID as a name part (lower case: CluedIn's APIs differ in the case they answer with)."""
    return _part(value.lower())


def stream_process_name(organization: str, stream_id: str) -> str:
    """The qualifiedName of a stream's Cluedin Stream Process (keyed by the stream's GUID, not its name)."""
    return f"{organization_root(organization)}/stream/{_guid(stream_id)}"


def export_target_name(organization: str, export_target_id: str) -> str:
    """The qualifiedName of an export target's Cluedin Connector Entity (its connector configuration id)."""
    return f"{organization_root(organization)}/export-target/{_guid(export_target_id)}"


def provider_name(organization: str, provider_definition_id: str) -> str:
    """The qualifiedName of a crawler's or enricher's Cluedin Organization Provider (its provider definition id)."""
    return f"{organization_root(organization)}/provider/{_guid(provider_definition_id)}"


def provider_process_name(organization: str, provider_definition_id: str, verb: str, entity_type: str) -> str:
    """The qualifiedName of a Crawl or Enrich process from one provider to one entity type (`verb`: crawl, enrich)."""
    path = _part(entity_type_path(entity_type), keep_slashes=True)
    return f"{provider_name(organization, provider_definition_id)}/{_part(verb.lower())}/{path}"
