"""Make a Purview asset's copy pipeline exist: CluedIn ingestion endpoint, linked services, datasets, pipeline.

Shared by the HTTP function (on request) and F12 (term automation), so both produce the same pipeline, recorded
in the same state row (kind `adf_pipeline`, key `<typeName>|<qualifiedName>`, as F1's rows):

- `source` = {guid, typeName, qualifiedName}
- `target` = {names: {pipeline, sourceDataset, sinkDataset, trigger}, linkedServices: {source, keyVault,
  cluedin}, data_set_id, data_source_id}
- `data`   = {entities: {"<kind>/<name>": fingerprint of the body last PUT}, name, store, requested/automated,
  schedule_override (absent = follow the F13 setting)}
- `fingerprint` = of `pipeline_desired()`: the asset's identity plus the settings that shape the bodies.

Re-sending the same request PUTs nothing: every body's fingerprint is compared with the one last written, after
one GET confirms the pipeline still exists (someone may have deleted it in the factory; then all is rewritten).

An asset not yet synced by F1 gets its data source group and data source here, through the operation "Sync data
sources" publishes (`ensure_data_source`), so the state row and the CluedIn objects are exactly those F1 would have
made (docs/decisions/0600-adf-automation.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.core.errors import FatalError, NotFoundError, ServiceError
from sync.core.feature import Notification, SyncContext
from sync.core.settings import Settings
from sync.core.state import SyncObject, fingerprint
from sync.features.datasources.api import ensure_data_source
from sync.features.pipelines import builders
from sync.features.pipelines.names import (
    PipelineNames,
    cluedin_linked_service_name,
    key_vault_linked_service_name,
    pipeline_names,
    short_hash,
    sql_linked_service_name,
    storage_linked_service_name,
)
from sync.features.pipelines.stores import SourceKind, SourceStore, resolve_source
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.connection import organization_of
from sync.services.cluedin.ingestion import create_ingestion_endpoint, find_ingestion_endpoint, get_ingestion_endpoint
from sync.services.cluedin.settings import CluedInSettings
from sync.services.datafactory.client import DataFactoryClient
from sync.services.datafactory.settings import DataFactorySettings
from sync.services.purview.assets import Asset, asset_key, read_asset
from sync.services.purview.client import PurviewClient

PIPELINE_KIND = "adf_pipeline"
UNSET: Any = object()
"""Sentinel: leave the pipeline's schedule override as it is."""


class AssetNotFoundError(FatalError):
    """The asset named in a request does not exist in Purview; `field` is the request field that named it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def find_asset(
    purview: PurviewClient, *, guid: str | None = None, type_name: str | None = None, qualified_name: str | None = None
) -> Asset:
    """Look an asset up by guid, or by typeName + qualifiedName; AssetNotFoundError names the field."""
    if guid:
        asset = read_asset(purview, guid)
        if asset is None:
            raise AssetNotFoundError(f"no active Purview asset has guid {guid}", "asset.guid")
        return asset
    assert type_name and qualified_name
    try:
        found = purview.get_entities_by_qualified_names(type_name, [qualified_name])
    except NotFoundError:
        raise AssetNotFoundError(f"Purview knows no type '{type_name}'", "asset.typeName") from None
    except ServiceError as exc:
        if exc.status == 400:
            raise AssetNotFoundError(f"Purview refused the lookup: {exc.detail}", "asset.typeName") from None
        raise
    entity = found.get(qualified_name)
    guid = str((entity or {}).get("guid") or "")
    asset = read_asset(purview, guid) if guid else None
    if asset is None:
        raise AssetNotFoundError(
            f"no active Purview asset of type '{type_name}' has that qualifiedName", "asset.qualifiedName"
        )
    return asset


def require_settings(settings: Settings) -> None:
    """Name every setting a pipeline needs (raised before anything is written)."""
    purpose = "Generating Data Factory pipelines"
    settings.get(DataFactorySettings).require("data_factory_base_url", "data_factory_key_vault_url", purpose=purpose)
    settings.get(CluedInSettings).require("cluedin_url", purpose=purpose)


def pipeline_desired(identity: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """What a pipeline depends on (for the state fingerprint).

    The asset, the settings that shape its bodies, and the CluedIn data source it loads into when another feature
    chose it (`dataSourceId`, a data product's).
    """
    factory = settings.get(DataFactorySettings)
    desired = {
        "guid": identity.get("guid"),
        "typeName": identity.get("typeName"),
        "qualifiedName": identity.get("qualifiedName"),
        "name": identity.get("name"),
        "factory": factory.data_factory_base_url,
        "keyVault": factory.data_factory_key_vault_url,
        "secret": factory.data_factory_cluedin_token_secret_name,
        "cluedin": settings.get(CluedInSettings).cluedin_url,
    }
    if identity.get("dataSourceId"):  # only then: fingerprints of term-automated pipelines stay as they were
        desired["dataSource"] = identity["dataSourceId"]
    return desired


def asset_identity(asset: Asset) -> dict[str, Any]:
    """The JSON identity of an asset (source of state rows and change desired state)."""
    return {"guid": asset.guid, "typeName": asset.type_name, "qualifiedName": asset.qualified_name, "name": asset.name}


@dataclass
class ProvisionResult:
    """What provisioning did for one asset."""

    key: str
    asset: Asset
    store: SourceStore
    names: PipelineNames
    linked_services: dict[str, str]
    data_set_id: str
    data_source_id: str
    pipeline_created: bool = False
    endpoint_created: bool = False
    written: list[str] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was written to the factory or CluedIn."""
        return bool(self.written) or self.endpoint_created


def _ensure_endpoint(ctx: SyncContext, obj: SyncObject, data_source_id: str, name: str) -> tuple[str, bool]:
    """The ingestion endpoint's data set id; True when this call (or a crashed earlier attempt) created it."""
    cluedin: CluedInClient = ctx.client("cluedin")
    current = obj.target.get("data_set_id")
    if current and obj.target.get("data_source_id") == data_source_id and get_ingestion_endpoint(cluedin, current):
        return str(current), False
    intended = obj.data.get("creating_endpoint")
    if intended:
        found = find_ingestion_endpoint(cluedin, data_source_id, str(intended))
        if found is not None:
            obj.target.update(data_set_id=str(found["id"]), data_source_id=data_source_id)
            obj.data.pop("creating_endpoint", None)
            ctx.state.save(obj)
            return str(found["id"]), True
    candidate = name
    if find_ingestion_endpoint(cluedin, data_source_id, candidate) is not None:
        candidate = f"{name} (ADF {short_hash(obj.key)[:6]})"
        if find_ingestion_endpoint(cluedin, data_source_id, candidate) is not None:
            raise FatalError(
                f"ingestion endpoint names '{name}' and '{candidate}' are taken by data sets the app did not create"
            )
    obj.data["creating_endpoint"] = candidate
    ctx.state.save(obj)
    data_set_id = create_ingestion_endpoint(cluedin, data_source_id, candidate)
    obj.target.update(data_set_id=data_set_id, data_source_id=data_source_id)
    obj.data.pop("creating_endpoint", None)
    ctx.state.save(obj)
    return data_set_id, True


def linked_service_names(settings: Settings, store: SourceStore) -> dict[str, str]:
    """Names of the shared linked services a pipeline uses (one per store, vault and CluedIn organization)."""
    cluedin = settings.get(CluedInSettings)
    cluedin_url = str(cluedin.cluedin_url)
    organization = organization_of(cluedin)
    vault = str(settings.get(DataFactorySettings).data_factory_key_vault_url)
    source = (
        sql_linked_service_name(store.endpoint, store.database)
        if store.kind == SourceKind.AZURE_SQL
        else storage_linked_service_name(store.endpoint)
    )
    return {
        "source": source,
        "keyVault": key_vault_linked_service_name(vault),
        "cluedin": cluedin_linked_service_name(cluedin_url, organization),
    }


def entity_bodies(
    settings: Settings, store: SourceStore, names: PipelineNames, data_set_id: str, label: str
) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, name, body) of every entity, in the order ADF needs them (referenced entities first)."""
    ls = linked_service_names(settings, store)
    factory = settings.get(DataFactorySettings)
    secret = factory.data_factory_cluedin_token_secret_name
    cluedin_url = str(settings.get(CluedInSettings).cluedin_url)
    return [
        ("linkedservices", ls["source"], builders.source_linked_service(store)),
        ("linkedservices", ls["keyVault"], builders.key_vault_linked_service(str(factory.data_factory_key_vault_url))),
        (
            "linkedservices",
            ls["cluedin"],
            builders.cluedin_linked_service(cluedin_url, ls["keyVault"], secret),
        ),
        ("datasets", names.source_dataset, builders.source_dataset(store, ls["source"])),
        ("datasets", names.sink_dataset, builders.sink_dataset(ls["cluedin"], data_set_id)),
        ("pipelines", names.pipeline, builders.pipeline(store, names, asset_label=label)),
    ]


def current_names(ctx: SyncContext, asset: Asset) -> PipelineNames:
    """The names the asset's pipeline has (from its state row) or will get when first created (read only)."""
    key = asset_key(asset.type_name, asset.qualified_name)
    row = ctx.state.get_object(PIPELINE_KIND, key)
    if row is not None and row.target.get("names"):
        return PipelineNames.from_dict(row.target["names"])
    return pipeline_names(asset.name, key)


def provision_pipeline(
    ctx: SyncContext,
    asset: Asset,
    *,
    owner: str,
    origin: str,
    schedule_override: Any = UNSET,
    data_source_id: str | None = None,
) -> ProvisionResult:
    """Ensure endpoint + factory entities for an asset; idempotent, and a no-op when nothing changed.

    Args:
        ctx: the invocation's context.
        asset: the asset, as read from Purview.
        owner: lease owner: the invocation's own (`sync.core.state.leases.new_owner`).
        origin: "requested" (HTTP) or "automated" (F12): remembered so automation never deletes a requested one.
        schedule_override: a per-pipeline schedule string ("" = none), None to follow the F13 setting again,
            or UNSET to keep whatever was set before.
        data_source_id: the CluedIn data source to create the ingestion endpoint in (a data product's); None =
            the asset's own data source, as "Sync data sources" makes it.

    Raises:
        UnsupportedAssetError: no pipeline can be generated for this asset.
        SettingsError: a needed setting is empty.
    """
    settings = ctx.settings
    store = resolve_source(asset.type_name, asset.qualified_name, asset.attributes)
    require_settings(settings)
    key = asset_key(asset.type_name, asset.qualified_name)
    notes: list[Notification] = []
    chosen = {"dataSourceId": data_source_id} if data_source_id else {}
    if data_source_id is None:
        ensured = ensure_data_source(ctx, asset, owner=owner)
        data_source_id, notes = ensured.data_source_id, ensured.notifications
    adf: DataFactoryClient = ctx.client("datafactory")
    with ctx.state.leased(PIPELINE_KIND, key, owner=owner) as obj:
        names = (
            PipelineNames.from_dict(obj.target["names"]) if obj.target.get("names") else pipeline_names(asset.name, key)
        )
        obj.source = {"guid": asset.guid, "typeName": asset.type_name, "qualifiedName": asset.qualified_name}
        obj.target["names"] = names.as_dict()
        data_set_id, endpoint_created = _ensure_endpoint(ctx, obj, data_source_id, asset.name)
        written: dict[str, str] = dict(obj.data.get("entities") or {})
        if written and adf.get_entity("pipelines", names.pipeline) is None:
            written = {}
        pipeline_created = f"pipelines/{names.pipeline}" not in written
        result = ProvisionResult(
            key=key,
            asset=asset,
            store=store,
            names=names,
            linked_services=linked_service_names(settings, store),
            data_set_id=data_set_id,
            data_source_id=data_source_id,
            endpoint_created=endpoint_created,
            notifications=notes,
        )
        for kind, name, body in entity_bodies(settings, store, names, data_set_id, asset.name):
            body_fingerprint = fingerprint(body)
            if written.get(f"{kind}/{name}") == body_fingerprint:
                continue
            adf.put_entity(kind, name, body)
            written[f"{kind}/{name}"] = body_fingerprint
            obj.data["entities"] = written
            result.written.append(f"{kind}/{name}")
        result.pipeline_created = pipeline_created and f"pipelines/{names.pipeline}" in result.written
        obj.target.update(linkedServices=result.linked_services)
        obj.data.update(entities=written, name=asset.name, store=store.describe())
        obj.data[origin] = True
        if schedule_override is not UNSET:
            if schedule_override is None:
                obj.data.pop("schedule_override", None)
            else:
                obj.data["schedule_override"] = str(schedule_override)
        obj.fingerprint = fingerprint(pipeline_desired(asset_identity(asset) | chosen, settings))
        obj.status = "active"
        ctx.state.release(obj)
    return result
