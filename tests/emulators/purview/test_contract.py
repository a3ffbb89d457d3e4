"""Contract: every implemented operation is a spec operation, is exercised here, and answers spec-valid JSON.

Responses are validated client-side with the same Swagger adapter the app's tests use, independently of
the emulator's own (autouse) response check.
"""

from __future__ import annotations

from typing import Any

import requests

from emulators.purview.spec import purview_specs
from tests.emulators.purview.helpers import API

NOT_EMULATED = {
    "Accounts_Get", "Accounts_Update", "Accounts_ListKeys", "Accounts_RegenerateKeys",
    "ResourceSetRuleConfigs_Get", "ResourceSetRuleConfigs_CreateOrUpdate", "ResourceSetRuleConfigs_Delete",
    "ResourceSetRuleConfigs_ListByAccount",
}  # fmt: skip
"""Account-level operations outside the emulator's scope (no route; they answer 404)."""


class CheckedSession:
    """A requests session that validates every response against the specs and remembers operations."""

    def __init__(self, session: requests.Session, base: str) -> None:
        self.session = session
        self.base = base
        self.problems: list[str] = []

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.session.request(method, self.base + path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:300]}"
        body = (
            response.json()
            if response.content and response.headers.get("content-type", "").startswith("application/json")
            else None
        )
        args = (method, path.split("?", maxsplit=1)[0], response.status_code) + (
            (body,) if response.content and body is not None else ()
        )
        for problem in purview_specs().validate_response(*args):
            self.problems.append(f"{method} {path}: {problem}")
        return body


def test_every_route_is_a_spec_operation_and_every_spec_operation_is_routed(purview):
    specs = purview_specs()
    routed = {}
    for family, by_method in purview.emulator.routes.routes.items():
        spec = specs.account if family == "account" else specs.datamap
        for method, routes in by_method.items():
            for route in routes:
                operation = spec.operations.get(route.operation)
                assert operation is not None, route.operation
                if route.legacy:  # an older path of a spec operation (e.g. pyapacheatlas' lineage-next path)
                    assert operation.method == method and operation.template != route.template, route.template
                    continue
                assert (operation.method, operation.template) == (method, route.template), route.operation
                routed[route.operation] = route
    assert set(specs.datamap.operations) | set(specs.account.operations) == set(routed) | NOT_EMULATED


def test_scenario_exercises_every_routed_operation_with_spec_valid_responses(purview):
    c = CheckedSession(purview.session(), purview.url)
    d = "/datamap/api"
    a = "/atlas/v2"
    root = purview.store.collections.root
    v = "?api-version=2019-11-01-preview"

    # Account API
    c.call(
        "PUT",
        f"/account/collections/finance{v}",
        json={"friendlyName": "Finance", "parentCollection": {"referenceName": root}},
    )
    c.call("PUT", f"/collections/scratch{v}", json={"parentCollection": {"referenceName": "finance"}})
    c.call("GET", f"/account/collections{v}")
    c.call("GET", f"/account/collections/finance{v}")
    c.call("GET", f"/account/collections/finance/getChildCollectionNames{v}")
    c.call("GET", f"/account/collections/scratch/getCollectionPath{v}")
    c.call("DELETE", f"/account/collections/scratch{v}", expect=204)

    # Types
    types = {
        "enumDefs": [{"name": "ct_enum", "elementDefs": [{"value": "A"}]}],
        "structDefs": [{"name": "ct_struct", "attributeDefs": [{"name": "x", "typeName": "string"}]}],
        "classificationDefs": [{"name": "CT.CLASS"}],
        "entityDefs": [{"name": "ct_entity", "superTypes": ["DataSet"]}],
        "relationshipDefs": [
            {
                "name": "ct_rel",
                "relationshipCategory": "ASSOCIATION",
                "endDef1": {"type": "ct_entity", "name": "peers"},
                "endDef2": {"type": "azure_sql_table", "name": "ctPeers"},
            }
        ],
        "businessMetadataDefs": [{"name": "ct_bm", "attributeDefs": [{"name": "owner", "typeName": "string"}]}],
        "termTemplateDefs": [{"name": "ct_template", "attributeDefs": [{"name": "flag", "typeName": "boolean"}]}],
    }
    created = c.call("POST", f"{d}{a}/types/typedefs", json=types)
    guid_of = {item["name"]: item["guid"] for key in created for item in created[key]}
    c.call(
        "PUT",
        f"{d}{a}/types/typedefs",
        json={"entityDefs": [{"name": "ct_entity", "superTypes": ["DataSet"], "description": "x"}]},
    )
    c.call("GET", f"{d}{a}/types/typedefs?type=ENTITY")
    c.call("GET", f"{d}{a}/types/typedefs/headers?includeTermTemplate=true")
    c.call("GET", f"{d}{a}/types/typedef/name/ct_entity")
    c.call("GET", f"{d}{a}/types/typedef/guid/{guid_of['ct_entity']}")
    for path, name in (
        ("businessmetadatadef", "ct_bm"), ("classificationdef", "CT.CLASS"), ("entitydef", "ct_entity"),
        ("enumdef", "ct_enum"), ("relationshipdef", "ct_rel"), ("structdef", "ct_struct"),
    ):  # fmt: skip
        c.call("GET", f"{d}{a}/types/{path}/name/{name}")
        c.call("GET", f"{d}{a}/types/{path}/guid/{guid_of[name]}")
    c.call("GET", f"{d}/types/termtemplatedef/name/ct_template{API}")
    c.call("GET", f"{d}/types/termtemplatedef/guid/{guid_of['ct_template']}{API}")

    # Entities
    result = c.call(
        "POST",
        f"{d}{a}/entity/bulk{API}",
        json={
            "entities": [
                {
                    "typeName": "azure_sql_table",
                    "guid": "-1",
                    "attributes": {"qualifiedName": "mssql://t1", "name": "t1"},
                },
                {
                    "typeName": "azure_sql_table",
                    "guid": "-2",
                    "attributes": {"qualifiedName": "mssql://t2", "name": "t2"},
                },
                {"typeName": "ct_entity", "guid": "-3", "attributes": {"qualifiedName": "ct://e", "name": "e"}},
                {
                    "typeName": "Process",
                    "guid": "-4",
                    "attributes": {
                        "qualifiedName": "p",
                        "name": "p",
                        "inputs": [{"guid": "-1"}],
                        "outputs": [{"guid": "-2"}],
                    },
                },
            ]
        },
    )
    t1, t2, e1, p1 = (result["guidAssignments"][k] for k in ("-1", "-2", "-3", "-4"))
    c.call(
        "POST",
        f"{d}{a}/entity{API}",
        json={"entity": {"typeName": "azure_sql_table", "attributes": {"qualifiedName": "mssql://t3", "name": "t3"}}},
    )
    c.call("GET", f"{d}{a}/entity/bulk?guid={t1}&guid={t2}")
    c.call("GET", f"{d}{a}/entity/guid/{t1}")
    c.call("GET", f"{d}{a}/entity/guid/{t1}/header")
    c.call("PUT", f"{d}{a}/entity/guid/{t1}?name=description", json="described")
    unique = f"{d}{a}/entity/uniqueAttribute/type/azure_sql_table?attr:qualifiedName=mssql://t2"
    c.call("GET", unique)
    c.call("PUT", unique, json={"entity": {"typeName": "azure_sql_table", "attributes": {"owner": "me"}}})
    c.call("GET", f"{d}{a}/entity/bulk/uniqueAttribute/type/azure_sql_table?attr_0:qualifiedName=mssql://t1")
    labels = f"{d}{a}/entity/guid/{t1}/labels"
    c.call("PUT", labels, expect=204, json=["a"])
    c.call("POST", labels, expect=204, json=["b"])
    c.call("DELETE", labels, expect=204, json=["b"])
    unique_labels = f"{d}{a}/entity/uniqueAttribute/type/azure_sql_table/labels?attr:qualifiedName=mssql://t2"
    c.call("PUT", unique_labels, expect=204, json=["a"])
    c.call("POST", unique_labels, expect=204, json=["b"])
    c.call("DELETE", unique_labels, expect=204, json=["b"])
    classes = f"{d}{a}/entity/guid/{t1}/classifications"
    c.call("POST", classes, expect=204, json=[{"typeName": "CT.CLASS"}])
    c.call("PUT", classes, expect=204, json=[{"typeName": "CT.CLASS"}])
    c.call("GET", classes)
    c.call("GET", f"{d}{a}/entity/guid/{t1}/classification/CT.CLASS")
    c.call("DELETE", f"{d}{a}/entity/guid/{t1}/classification/CT.CLASS", expect=204)
    unique_classes = f"{d}{a}/entity/uniqueAttribute/type/azure_sql_table/classifications?attr:qualifiedName=mssql://t2"
    c.call("POST", unique_classes, expect=204, json=[{"typeName": "CT.CLASS"}])
    c.call("PUT", unique_classes, expect=204, json=[{"typeName": "CT.CLASS"}])
    c.call(
        "DELETE",
        f"{d}{a}/entity/uniqueAttribute/type/azure_sql_table/classification/CT.CLASS?attr:qualifiedName=mssql://t2",
        expect=204,
    )
    c.call(
        "POST",
        f"{d}{a}/entity/bulk/classification",
        expect=204,
        json={"classification": {"typeName": "CT.CLASS"}, "entityGuids": [t2]},
    )
    c.call(
        "POST",
        f"{d}{a}/entity/bulk/setClassifications",
        json={"guidHeaderMap": {t1: {"typeName": "azure_sql_table", "classifications": [{"typeName": "CT.CLASS"}]}}},
    )
    bm = f"{d}{a}/entity/guid/{e1}/businessmetadata"
    c.call("POST", f"{bm}?isOverwrite=true", expect=204, json={"ct_bm": {"owner": "x"}})
    c.call("DELETE", bm, expect=204, json={"ct_bm": {"owner": ""}})
    c.call("POST", f"{bm}/ct_bm", expect=204, json={"owner": "y"})
    c.call("DELETE", f"{bm}/ct_bm", expect=204, json={"owner": ""})
    c.call("GET", f"{d}{a}/entity/businessmetadata/import/template")
    c.call("POST", f"{d}{a}/entity/businessmetadata/import", expect=501, files={"file": ("x.csv", b"a,b")})
    c.call("POST", f"{d}/entity/moveTo{API}&collectionId=finance", json={"entityGuids": [e1]})

    # Relationships
    rel = c.call(
        "POST", f"{d}{a}/relationship", json={"typeName": "ct_rel", "end1": {"guid": e1}, "end2": {"guid": t1}}
    )
    c.call(
        "PUT",
        f"{d}{a}/relationship",
        json={"typeName": "ct_rel", "guid": rel["guid"], "end1": {"guid": e1}, "end2": {"guid": t1}},
    )
    c.call("GET", f"{d}{a}/relationship/guid/{rel['guid']}?extendedInfo=true")
    c.call("DELETE", f"{d}{a}/relationship/guid/{rel['guid']}", expect=204)

    # Glossary
    glossary = c.call("POST", f"{d}{a}/glossary", json={"name": "Contract"})
    g = glossary["guid"]
    c.call("GET", f"{d}{a}/glossary")
    c.call("GET", f"{d}{a}/glossary/{g}")
    c.call("PUT", f"{d}{a}/glossary/{g}", json={"name": "Contract", "shortDescription": "s"})
    c.call("PUT", f"{d}{a}/glossary/{g}/partial", json={"longDescription": "l"})
    term = c.call(
        "POST",
        f"{d}{a}/glossary/term?includeTermHierarchy=true",
        json={"name": "T", "anchor": {"glossaryGuid": g}, "attributes": {"ct_template": {"flag": True}}},
    )
    c.call(
        "POST",
        f"{d}{a}/glossary/terms",
        json=[{"name": "U", "anchor": {"glossaryGuid": g}, "seeAlso": [{"termGuid": term["guid"]}]}],
    )
    c.call("GET", f"{d}{a}/glossary/term/{term['guid']}")
    c.call("PUT", f"{d}{a}/glossary/term/{term['guid']}?includeTermHierarchy=true", json={**term, "status": "Approved"})
    c.call("PUT", f"{d}{a}/glossary/term/{term['guid']}/partial?includeTermHierarchy=true", json={"abbreviation": "t"})
    c.call("GET", f"{d}{a}/glossary/{g}/terms?limit=-1")
    c.call("GET", f"{d}{a}/glossary/{g}/terms/headers")
    c.call("GET", f"{d}{a}/glossary/{g}/detailed")
    c.call("GET", f"{d}{a}/glossary/{g}/categories")
    c.call("GET", f"{d}{a}/glossary/{g}/categories/headers")
    c.call("GET", f"{d}{a}/glossary/terms/{term['guid']}/related")
    assigned = f"{d}{a}/glossary/terms/{term['guid']}/assignedEntities"
    c.call("POST", assigned, expect=204, json=[{"guid": t1}])
    relation = c.call("GET", assigned)[0]["relationshipGuid"]
    c.call("DELETE", assigned, expect=204, json=[{"guid": t1, "relationshipGuid": relation}])
    top = c.call("POST", f"{d}{a}/glossary/categories", json=[{"name": "c", "anchor": {"glossaryGuid": g}}])[0]
    child = c.call(
        "POST",
        f"{d}{a}/glossary/category",
        json={"name": "k", "anchor": {"glossaryGuid": g}, "parentCategory": {"categoryGuid": top["guid"]}},
    )
    cat = f"{d}{a}/glossary/category/{top['guid']}"
    c.call(
        "PUT",
        cat,
        json={**top, "terms": [{"termGuid": term["guid"]}], "childrenCategories": [{"categoryGuid": child["guid"]}]},
    )
    c.call("PUT", f"{cat}/partial", json={"longDescription": "about c"})
    c.call("GET", cat)
    c.call("GET", f"{cat}/related")
    c.call("GET", f"{cat}/terms?limit=-1&offset=0&sort=ASC")
    c.call("GET", f"{d}{a}/glossary/{g}/categories?limit=-1")
    c.call("GET", f"{d}{a}/glossary/{g}/categories/headers")
    c.call("DELETE", f"{d}{a}/glossary/category/{child['guid']}", expect=204)
    for method, suffix in (
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("PUT", "/partial"),
        ("GET", "/related"),
        ("GET", "/terms"),
    ):
        kwargs = {"json": {"name": "c"}} if method == "PUT" else {}
        c.call(method, f"{d}{a}/glossary/category/nope{suffix}", expect=404, **kwargs)

    # Discovery and lineage
    c.call("POST", f"{d}/search/query{API}", json={"keywords": "t", "facets": [{"facet": "entityType", "count": 5}]})
    c.call("POST", f"{d}/search/suggest{API}", json={"keywords": "t"})
    c.call("POST", f"{d}/search/autocomplete{API}", json={"keywords": "t"})
    c.call("GET", f"{d}{a}/lineage/{t1}?direction=BOTH&depth=2")
    c.call("GET", f"{d}{a}/lineage/uniqueAttribute/type/azure_sql_table?attr:qualifiedName=mssql://t2&direction=INPUT")
    c.call("GET", f"{d}/lineage/{p1}/next{API}&direction=OUTPUT&offset=0&limit=5")

    # Deletes last
    c.call("DELETE", f"{d}{a}/glossary/term/{term['guid']}", expect=204)
    c.call("DELETE", f"{d}{a}/glossary/{g}", expect=204)
    c.call("DELETE", f"{d}{a}/entity/bulk?guid={p1}", expect=200)
    c.call("DELETE", f"{d}{a}/entity/uniqueAttribute/type/azure_sql_table?attr:qualifiedName=mssql://t3")
    c.call("DELETE", f"{d}{a}/entity/guid/{e1}")
    c.call("DELETE", f"{d}{a}/types/typedefs", expect=204, json={"structDefs": [{"name": "ct_struct"}]})
    c.call("DELETE", f"{d}{a}/types/typedef/name/ct_enum", expect=204)

    assert c.problems == []
    exercised = set(c.session.get(f"{purview.url}/_emulator/stats").json()["operations"])
    routed = {
        r.operation for by_method in purview.emulator.routes.routes.values() for rs in by_method.values() for r in rs
    }
    assert routed - exercised == set()
