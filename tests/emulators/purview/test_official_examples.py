"""Replay the official request/response examples (vendored under ./examples) against the emulator.

Each example's request is rebuilt from the spec operation's parameters (ids that name objects in
Microsoft's own account are swapped for objects created here); the emulator must answer with the
example's status, a spec-valid body, and at least the example's top-level fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from emulators.purview.spec import purview_specs

EXAMPLES = Path(__file__).parent / "examples"
STORAGE_QN = "https://exampleaccount.core.windows.net"
OTHER_QN = "https://other.core.windows.net"
OPTIONAL_KEYS = {"continuationToken", "continuousToken", "@search.facets", "childrenCount"}
SKIPPED = {
    "Discovery_Query_Attribute": "template: timerange value lists every option ('LAST_24H|LAST_7D|...')",
    "Discovery_Query_SystemTime": "template: timerange value lists every option",
    "Discovery_Query_BusinessMetadataAttribute": "template: operator lists every option ('eq|ne|contains|prefix')",
    "Discovery_Query_PaginationContinuationPage": "continuation tokens are bound to the service's own sessions",
    "Discovery_Query_PaginationLastPage": "continuation tokens are bound to the service's own sessions",
    "Entity_ImportBusinessMetadata": "business metadata CSV import is not emulated",
    "Entity_ExportEntitiesWithFilter": "not an operation of the 2023-09-01 spec",
    "Entity_GetImportWithUploadedFiles": "not an operation of the 2023-09-01 spec",
    "Files_DownloadFile": "not an operation of the 2023-09-01 spec",
    "Glossary_GetBulkDeleteOperationStatus": "not an operation of the 2023-09-01 spec",
    "Glossary_GetImportCSVOperationStatusByGloassaryName": "not an operation of the 2023-09-01 spec",
}
OPERATION_OF_FILE = {
    "Lineage_GetGraph": "Lineage_Get",
    "Lineage_NextPageLineage": "Lineage_GetNextPage",
    "Collections_DeleteCollection": "Collections_Delete",
    "Collections_ListCollections": "Collections_ListByAccount",
}
DATA_DEPENDENT_KEYS = {
    "shortDescription", "longDescription", "language", "usage", "abbreviation", "resources", "contacts",
    "seeAlso", "synonyms", "categories",
}  # fmt: skip
"""Fields present in an example only because Microsoft's sample object had them filled in."""
ALIASES = {"termId": ("termGuid",), "glossaryId": ("glossaryGuid",), "categoryId": ("categoryGuid",)}


class World:
    """Objects the examples refer to, created through the API."""

    def __init__(self, purview: Any) -> None:
        self.s = purview.session()
        base = purview.datamap_url
        self.base = purview.url
        self.s.put(f"{purview.account_url}/collections/ExampleNewCollection?api-version=2019-11-01-preview", json={})
        self.s.put(f"{purview.account_url}/collections/myParentCollection1?api-version=2019-11-01-preview", json={})
        types = json.loads((EXAMPLES / "datamap" / "Type_GetTermTemplateDefByName.json").read_text())
        template = types["responses"]["200"]["body"]
        assert self.s.post(
            f"{base}/atlas/v2/types/typedefs",
            json={
                "enumDefs": [
                    {"name": f"TERM_TEMPLATE_ENUM_EXAMPLE_{i}", "elementDefs": [{"value": "a"}, {"value": "b"}]}
                    for i in (1, 2)
                ],
                "businessMetadataDefs": [
                    {"name": "myBizMetaData1", "attributeDefs": [{"name": "bizAttr1", "typeName": "string"}]}
                ],
                "termTemplateDefs": [{"name": template["name"], "attributeDefs": template["attributeDefs"]}],
            },
        ).ok
        # hive_order is one of Purview's built-in (Atlas hive model) structs, as the example assumes
        self.struct_guid = self.s.get(f"{base}/atlas/v2/types/structdef/name/hive_order").json()["guid"]
        self.template_guid = self.s.get(f"{base}/types/termtemplatedef/name/MS KPI?api-version=2023-09-01").json()[
            "guid"
        ]
        entities = [
            {
                "typeName": "azure_storage_account",
                "guid": -1,
                "attributes": {"qualifiedName": STORAGE_QN, "name": "acct"},
            },
            {
                "typeName": "azure_storage_account",
                "guid": -2,
                "attributes": {"qualifiedName": "https://other.core.windows.net", "name": "o"},
            },
            {"typeName": "Asset", "guid": -3, "attributes": {"qualifiedName": "https://asset1", "name": "asset1"}},
            {
                "typeName": "azure_blob_path",
                "guid": -4,
                "attributes": {"qualifiedName": "https://x/exampledata.csv", "name": "exampledata.csv"},
            },
            {
                "typeName": "Process",
                "guid": -5,
                "attributes": {
                    "qualifiedName": "proc",
                    "name": "proc",
                    "inputs": [{"guid": -4}],
                    "outputs": [{"guid": -6}],
                },
            },
            {
                "typeName": "azure_blob_path",
                "guid": -6,
                "attributes": {"qualifiedName": "https://x/out.csv", "name": "out.csv"},
            },
        ]
        ids = self.s.post(f"{base}/atlas/v2/entity/bulk", json={"entities": entities}).json()["guidAssignments"]
        self.account, self.other, self.asset, self.blob, self.process = (ids[k] for k in ("-1", "-2", "-3", "-4", "-5"))
        self.glossary = next(g for g in self.s.get(f"{base}/atlas/v2/glossary").json() if g["name"] == "Glossary")[
            "guid"
        ]
        self.term = self.s.post(
            f"{base}/atlas/v2/glossary/term", json={"name": "ExampleTerm1", "anchor": {"glossaryGuid": self.glossary}}
        ).json()["guid"]
        assigned = f"{base}/atlas/v2/glossary/terms/{self.term}/assignedEntities"
        self.s.post(assigned, json=[{"guid": self.other}])
        self.assignment = self.s.get(assigned).json()[0]["relationshipGuid"]
        # the categories the category examples show: ExampleCategory1 below ExampleCategory2, above 3, with a term
        anchor = {"glossaryGuid": self.glossary}
        category = f"{base}/atlas/v2/glossary/category"
        self.parent_category = self.s.post(category, json={"name": "ExampleCategory2", "anchor": anchor}).json()["guid"]
        self.category = self.s.post(
            category,
            json={
                "name": "ExampleCategory1",
                "anchor": anchor,
                "parentCategory": {"categoryGuid": self.parent_category},
                "terms": [{"termGuid": self.term}],
            },
        ).json()["guid"]
        self.child_category = self.s.post(
            category,
            json={"name": "ExampleCategory3", "anchor": anchor, "parentCategory": {"categoryGuid": self.category}},
        ).json()["guid"]


def _set_guids(body: Any, key: str, values: list[str]) -> Any:
    return {**body, key: values}


FIXUPS: dict[str, Callable[[World, dict[str, Any]], dict[str, Any]]] = {
    "Entity_ListByGuids": lambda w, p: {"guid": [w.account, w.other]},
    "Entity_ListByUniqueAttributes": lambda w, p: {"attr_0:qualifiedName": STORAGE_QN},
    "Entity_AddClassificationToEntityByGuids": lambda w, p: {
        "request": _set_guids(p["request"], "entityGuids", [w.account, w.other])
    },
    "Entity_AddClassifications": lambda w, p: {"guid": w.account},
    "Entity_RemoveClassification": lambda w, p: {"guid": w.account},
    "Entity_RemoveLabels": lambda w, p: {"guid": w.account},
    "Entity_AddOrUpdate_BusinessAttribute": lambda w, p: {"guid": w.account},
    "Entity_RemoveBusinessAttribute": lambda w, p: {"guid": w.account},
    "Entity_BulkSetClassifications": lambda w, p: {
        "body": {"guidHeaderMap": dict(zip([w.account, w.other], p["body"]["guidHeaderMap"].values(), strict=True))}
    },
    "Entity_MoveEntitiesToCollection": lambda w, p: {"moveEntitiesRequest": {"entityGuids": [w.account, w.other]}},
    "Glossary_PartialUpdate": lambda w, p: {"glossaryId": w.glossary},
    "Glossary_Update": lambda w, p: {"glossaryId": w.glossary},
    "Glossary_ListTerms": lambda w, p: {"glossaryGuid": w.glossary},
    "Glossary_GetTermWithoutAssets": lambda w, p: {"termGuid": w.term},
    "Glossary_PartialUpdateTerm": lambda w, p: {"termId": w.term},
    "Glossary_AssignTermToEntities": lambda w, p: {
        "termGuid": w.term,
        "relatedObjectIds": [{**p["relatedObjectIds"][0], "guid": w.account}],
    },
    "Glossary_RemoveTermAssignmentFromEntities": lambda w, p: {
        "termId": w.term,
        "relatedObjectIds": [{"guid": w.other, "relationshipGuid": w.assignment}],
    },
    "Glossary_GetCategory": lambda w, p: {"categoryGuid": w.category},
    "Glossary_ListCategories": lambda w, p: {"glossaryGuid": w.glossary},
    "Glossary_PartialUpdateCategory": lambda w, p: {"categoryId": w.category},
    "Glossary_UpdateCategory": lambda w, p: {
        "categoryGuid": w.category,
        "glossaryCategory": {
            **p["glossaryCategory"],
            "guid": w.category,
            "anchor": {"glossaryGuid": w.glossary},
            "terms": [{"termGuid": w.term}],
            "childrenCategories": [{"categoryGuid": w.child_category}],
            "parentCategory": {"categoryGuid": w.parent_category},
        },
    },
    "Lineage_GetGraph": lambda w, p: {"guid": w.process},
    "Lineage_GetNextPage": lambda w, p: {"guid": w.process},
    "Lineage_NextPageLineage": lambda w, p: {"guid": w.process},
    "Type_GetStructDefByGuid": lambda w, p: {"guid": w.struct_guid},
    "Type_GetTermTemplateDefByGuid": lambda w, p: {"guid": w.template_guid},
}


def _collection(w: World) -> None:
    w.s.put(f"{w.base}/account/collections/myCollection1?api-version=2019-11-01-preview", json={})


def _classified(w: World) -> None:
    classification = {"typeName": "MICROSOFT.FINANCIAL.US.ABA_ROUTING_NUMBER"}
    w.s.post(f"{w.base}/datamap/api/atlas/v2/entity/guid/{w.account}/classifications", json=[classification])


def _with_business_metadata(w: World) -> None:
    url = f"{w.base}/datamap/api/atlas/v2/entity/guid/{w.account}/businessmetadata"
    w.s.post(url, json={"myBizMetaData1": {"bizAttr1": "x"}})


COLLECTION_EXAMPLES = (
    "Collections_Delete",
    "Collections_DeleteCollection",
    "Collections_Get",
    "Collections_GetChildCollectionNames",
    "Collections_GetCollectionPath",
)
PREPARE: dict[str, Callable[[World], None]] = {
    "Entity_RemoveClassification": _classified,
    "Entity_RemoveBusinessAttribute": _with_business_metadata,
    **dict.fromkeys(COLLECTION_EXAMPLES, _collection),
}


def _examples() -> list[tuple[str, str]]:
    out = []
    for folder in ("datamap", "account"):
        for path in sorted((EXAMPLES / folder).glob("*.json")):
            if folder == "account" and not path.stem.startswith("Collections_"):
                continue
            out.append((folder, path.stem))
    return out


@pytest.mark.parametrize(("folder", "name"), _examples())
def test_official_example(purview, folder, name):
    if name in SKIPPED:
        pytest.skip(SKIPPED[name])
    example = json.loads((EXAMPLES / folder / f"{name}.json").read_text())
    spec = purview_specs().account if folder == "account" else purview_specs().datamap
    operation_id = (
        example.get("operationId") or OPERATION_OF_FILE.get(name) or name.split("_")[0] + "_" + name.split("_")[1]
    )
    operation = spec.operations[operation_id]
    world = World(purview)
    PREPARE.get(name, lambda w: None)(world)
    params = {**example["parameters"], **FIXUPS.get(name, lambda w, p: {})(world, example["parameters"])}
    path, query, body = operation.template, [], None
    used = {"Endpoint", "endpoint"}
    for param in operation.parameters:
        names = (param.get("name"), *ALIASES.get(str(param.get("name")), ()))
        key = next((n for n in names if n in params), None)
        if param.get("in") == "body":
            continue
        if key is None and str(param.get("name")).startswith("attr_N:"):
            key = next((k for k in params if k.startswith("attr_")), None)
        if key is None:
            continue
        used.add(key)
        value = params[key]
        if param.get("in") == "path":
            path = path.replace("{" + str(param["name"]) + "}", quote(str(value), safe=""))
        elif param.get("in") == "query":
            name_on_wire = "attr_0:qualifiedName" if key.startswith("attr_") else str(param["name"])
            query += [(name_on_wire, v) for v in (value if isinstance(value, list) else [value])]
    leftovers = [k for k in params if k not in used and k not in {"api-version", "Content-Type"}]
    extra_query = {"width", "getDerivedLineage", "excludeRelationshipTypes"}
    for key in leftovers:
        if key in extra_query:
            query.append((key, str(params[key])))
        elif operation.body_parameter is not None and body is None:
            body = params[key]
    if not any(k == "api-version" for k, _ in query):
        query.append(
            ("api-version", params.get("api-version", "2019-11-01-preview" if folder == "account" else "2023-09-01"))
        )
    prefix = "/account" if folder == "account" else "/datamap/api"
    response = world.s.request(
        operation.method, f"{purview.url}{prefix}{path}", params=query, json=body if body is not None else None
    )
    ((status, expected),) = example["responses"].items()
    assert response.status_code == int(status), response.text[:500]
    is_json = response.headers.get("content-type", "").startswith("application/json")
    got = response.json() if response.content and is_json else None
    assert spec.validate_response(operation, response.status_code, *([got] if got is not None else [])) == []
    expected_body = expected.get("body")
    if isinstance(expected_body, dict) and isinstance(got, dict) and got:
        assert set(expected_body) - set(got) - OPTIONAL_KEYS - DATA_DEPENDENT_KEYS == set()
