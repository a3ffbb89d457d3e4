"""Classic glossary: glossaries, terms, term templates, hierarchy, related terms and assignments."""

from __future__ import annotations

import pytest

from tests.emulators.purview.helpers import get_entity, table, upsert

TEMPLATE = {
    "termTemplateDefs": [
        {
            "name": "CluedIn Template",
            "attributeDefs": [
                {"name": "CluedInVocab", "typeName": "boolean", "isOptional": True},
                {"name": "Owner team", "typeName": "string", "isOptional": True},
            ],
        }
    ]
}


@pytest.fixture()
def glossary(purview):
    s = purview.session()
    listed = s.get(f"{purview.datamap_url}/atlas/v2/glossary").json()
    return next(g for g in listed if g["name"] == "Glossary")


def create_term(s, base, glossary_guid, name, query="", **fields):
    body = {"name": name, "anchor": {"glossaryGuid": glossary_guid}, **fields}
    return s.post(f"{base}/atlas/v2/glossary/term{query}", json=body)


def test_default_glossary_and_glossary_crud(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    assert glossary["qualifiedName"] == "Glossary"
    assert glossary["terms"] == []
    created = s.post(f"{base}/atlas/v2/glossary", json={"name": "Finance", "shortDescription": "money"})
    assert created.status_code == 200
    finance = created.json()
    assert finance["qualifiedName"] == "Finance" and finance["lastModifiedTS"] == "1"
    dup = s.post(f"{base}/atlas/v2/glossary", json={"name": "Finance"})
    assert dup.status_code == 409 and dup.json()["errorCode"] == "ATLAS-409-00-007"
    assert s.post(f"{base}/atlas/v2/glossary", json={"name": "a.b"}).json()["errorCode"] == "ATLAS-400-00-083"
    lean = s.get(f"{base}/atlas/v2/glossary", params={"ignoreTermsAndCategories": "true"}).json()
    assert all("terms" not in g for g in lean)
    partial = s.put(f"{base}/atlas/v2/glossary/{finance['guid']}/partial", json={"longDescription": "long"})
    assert partial.json()["longDescription"] == "long" and partial.json()["shortDescription"] == "money"
    full = s.put(f"{base}/atlas/v2/glossary/{finance['guid']}", json={"name": "Finance", "usage": "u"})
    assert full.json()["usage"] == "u" and "shortDescription" not in full.json()
    assert s.delete(f"{base}/atlas/v2/glossary/{finance['guid']}").status_code == 204
    assert s.get(f"{base}/atlas/v2/glossary/{finance['guid']}").status_code == 404


def test_term_create_qualified_name_status_and_clashes(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    created = create_term(s, base, glossary["guid"], "Customer", longDescription="a buyer")
    assert created.status_code == 200
    term = created.json()
    assert term["qualifiedName"] == "Customer@Glossary"
    assert term["status"] == "Draft"
    assert term["anchor"]["glossaryGuid"] == glossary["guid"] and term["anchor"]["relationGuid"]
    clash = create_term(s, base, glossary["guid"], "Customer")
    assert clash.status_code == 409 and clash.json()["errorCode"] == "ATLAS-409-00-009"
    assert create_term(s, base, glossary["guid"], "X", status="Nope").status_code == 400
    no_anchor = s.post(f"{base}/atlas/v2/glossary/term", json={"name": "Lonely"})
    assert no_anchor.json()["errorCode"] == "ATLAS-400-00-072"
    refreshed = s.get(f"{base}/atlas/v2/glossary/{glossary['guid']}").json()
    assert refreshed["terms"] == [
        {"termGuid": term["guid"], "relationGuid": term["anchor"]["relationGuid"], "displayText": "Customer"}
    ]


def test_term_templates_need_include_term_hierarchy(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    assert s.post(f"{base}/atlas/v2/types/typedefs", json=TEMPLATE).status_code == 200
    attrs = {"CluedIn Template": {"CluedInVocab": True, "Owner team": "mdm"}}
    refused = create_term(s, base, glossary["guid"], "Contact", attributes=attrs)
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "TermHierarchyQueryParameterMissing"
    assert (
        refused.json()["errorMessage"] == "Please specify the query parameter includeTermHierarchy as True then retry."
    )
    accepted = create_term(s, base, glossary["guid"], "Contact", "?includeTermHierarchy=true", attributes=attrs)
    assert accepted.status_code == 200, accepted.text
    term = accepted.json()
    assert term["attributes"] == {"CluedIn Template": {"CluedInVocab": True, "Owner team": "mdm"}}
    assert term["templateName"] == ["CluedIn Template"]
    bad_attr = create_term(
        s, base, glossary["guid"], "T2", "?includeTermHierarchy=true", attributes={"CluedIn Template": {"x": 1}}
    )
    assert bad_attr.status_code == 400
    bad_value = create_term(
        s,
        base,
        glossary["guid"],
        "T3",
        "?includeTermHierarchy=true",
        attributes={"CluedIn Template": {"CluedInVocab": "maybe"}},
    )
    assert bad_value.status_code == 400
    no_template = create_term(s, base, glossary["guid"], "T4", "?includeTermHierarchy=true", attributes={"Nope": {}})
    assert no_template.status_code == 400
    update = s.put(f"{base}/atlas/v2/glossary/term/{term['guid']}/partial", json={"longDescription": "x"})
    assert update.json()["errorCode"] == "TermHierarchyQueryParameterMissing"
    update = s.put(
        f"{base}/atlas/v2/glossary/term/{term['guid']}/partial?includeTermHierarchy=true", json={"longDescription": "x"}
    )
    assert update.status_code == 200
    assert update.json()["attributes"]["CluedIn Template"]["CluedInVocab"] is True


def test_parent_and_child_terms(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    parent = create_term(s, base, glossary["guid"], "Contact").json()
    child_body = {"parentTerm": {"termGuid": parent["guid"]}, "nickName": "Email"}
    refused = create_term(s, base, glossary["guid"], "Contact_Email", **child_body)
    assert refused.json()["errorCode"] == "TermHierarchyQueryParameterMissing"
    child = create_term(s, base, glossary["guid"], "Contact_Email", "?includeTermHierarchy=true", **child_body).json()
    assert child["parentTerm"]["termGuid"] == parent["guid"]
    assert child["hierarchyInfo"][0]["guid"] == parent["guid"]
    assert child["qualifiedName"] == "Contact_Email@Glossary"
    parent_now = s.get(f"{base}/atlas/v2/glossary/term/{parent['guid']}").json()
    assert parent_now["childrenTerms"][0]["termGuid"] == child["guid"]
    assert s.delete(f"{base}/atlas/v2/glossary/term/{parent['guid']}").status_code == 400
    assert s.delete(f"{base}/atlas/v2/glossary/term/{child['guid']}").status_code == 204
    assert s.delete(f"{base}/atlas/v2/glossary/term/{parent['guid']}").status_code == 204


def test_bulk_terms_listing_paging_headers_and_detailed(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    body = [{"name": n, "anchor": {"glossaryGuid": glossary["guid"]}} for n in ("b", "a", "c")]
    created = s.post(f"{base}/atlas/v2/glossary/terms", json=body)
    assert [t["name"] for t in created.json()] == ["b", "a", "c"]
    terms_url = f"{base}/atlas/v2/glossary/{glossary['guid']}/terms"
    assert [t["name"] for t in s.get(terms_url, params={"limit": -1, "offset": 0, "sort": "ASC"}).json()] == [
        "a",
        "b",
        "c",
    ]
    assert [t["name"] for t in s.get(terms_url, params={"limit": 1, "offset": 1, "sort": "ASC"}).json()] == ["b"]
    headers = s.get(f"{terms_url}/headers").json()
    assert {h["displayText"] for h in headers} == {"a", "b", "c"}
    detailed = s.get(f"{base}/atlas/v2/glossary/{glossary['guid']}/detailed").json()
    assert len(detailed["termInfo"]) == 3 and detailed["categoryInfo"] == {}
    assert s.get(f"{base}/atlas/v2/glossary/{glossary['guid']}/categories").json() == []


def test_update_term_renames_and_related_terms_are_symmetric(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    a = create_term(s, base, glossary["guid"], "A").json()
    b = create_term(s, base, glossary["guid"], "B", seeAlso=[{"termGuid": a["guid"]}]).json()
    assert s.get(f"{base}/atlas/v2/glossary/term/{a['guid']}").json()["seeAlso"][0]["termGuid"] == b["guid"]
    related = s.get(f"{base}/atlas/v2/glossary/terms/{a['guid']}/related").json()
    assert related["seeAlso"][0]["termGuid"] == b["guid"]
    renamed = s.put(
        f"{base}/atlas/v2/glossary/term/{a['guid']}",
        json={"name": "A2", "anchor": {"glossaryGuid": glossary["guid"]}, "status": "Approved"},
    ).json()
    assert renamed["qualifiedName"] == "A2@Glossary" and renamed["status"] == "Approved"
    assert renamed["lastModifiedTS"] == "2"


def test_assign_list_and_unassign_entities(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    term = create_term(s, base, glossary["guid"], "Customer").json()
    guid = upsert(s, base, table("mssql://s/d/o/cust", guid=-1))["guidAssignments"]["-1"]
    assigned_url = f"{base}/atlas/v2/glossary/terms/{term['guid']}/assignedEntities"
    payload = [{"guid": guid, "relationshipAttributes": {"attributes": {"expression": "e", "confidence": 100}}}]
    assert s.post(assigned_url, json=payload).status_code == 204
    assert s.post(assigned_url, json=payload).status_code == 204  # already assigned: skipped, like Atlas
    listed = s.get(assigned_url).json()
    assert len(listed) == 1
    item = listed[0]
    assert item["guid"] == guid and item["relationshipType"] == "AtlasGlossarySemanticAssignment"
    assert item["relationshipAttributes"]["attributes"]["confidence"] == 100
    entity = get_entity(s, base, guid)["entity"]
    meaning = entity["relationshipAttributes"]["meanings"][0]
    assert meaning["guid"] == term["guid"] and meaning["typeName"] == "AtlasGlossaryTerm"
    assert meaning["relationshipAttributes"]["attributes"]["expression"] == "e"
    header = s.get(f"{base}/atlas/v2/entity/guid/{guid}/header").json()
    assert header["meaningNames"] == ["Customer"]
    assert header["meanings"][0]["termGuid"] == term["guid"]

    blocked = s.delete(f"{base}/atlas/v2/glossary/term/{term['guid']}")
    assert blocked.status_code == 400 and blocked.json()["errorCode"] == "ATLAS-400-00-084"
    missing_rel = s.delete(assigned_url, json=[{"guid": guid}])
    assert missing_rel.json()["errorCode"] == "ATLAS-400-00-078"
    wrong_rel = s.delete(assigned_url, json=[{"guid": guid, "relationshipGuid": "nope"}])
    assert wrong_rel.json()["errorCode"] == "ATLAS-400-00-080"
    assert (
        s.delete(assigned_url, json=[{"guid": guid, "relationshipGuid": item["relationshipGuid"]}]).status_code == 204
    )
    assert s.get(assigned_url).json() == []
    assert get_entity(s, base, guid)["entity"]["relationshipAttributes"]["meanings"] == []
    assert s.delete(f"{base}/atlas/v2/glossary/term/{term['guid']}").status_code == 204


def test_meanings_written_through_entity_upsert_by_term_qualified_name(purview, glossary):
    s = purview.session()
    base = purview.datamap_url
    term = create_term(s, base, glossary["guid"], "Invoice").json()
    entity = table(
        "mssql://s/d/o/inv",
        guid=-1,
        relationshipAttributes={
            "meanings": [{"typeName": "AtlasGlossaryTerm", "uniqueAttributes": {"qualifiedName": "Invoice@Glossary"}}]
        },
    )
    guid = upsert(s, base, entity)["guidAssignments"]["-1"]
    assert [m["guid"] for m in get_entity(s, base, guid)["entity"]["relationshipAttributes"]["meanings"]] == [
        term["guid"]
    ]
    assert s.get(f"{base}/atlas/v2/glossary/terms/{term['guid']}/assignedEntities").json()[0]["guid"] == guid
    missing = table(
        "mssql://s/d/o/inv2",
        relationshipAttributes={
            "meanings": [{"typeName": "AtlasGlossaryTerm", "uniqueAttributes": {"qualifiedName": "Nope@Glossary"}}]
        },
    )
    response = s.post(f"{base}/atlas/v2/entity", json={"entity": missing})
    assert response.status_code == 404
    assert "typeName='AtlasGlossaryTerm'" in response.json()["errorMessage"]
    upsert(s, base, table("mssql://s/d/o/inv", relationshipAttributes={"meanings": []}))
    assert get_entity(s, base, guid)["entity"]["relationshipAttributes"]["meanings"] == []
