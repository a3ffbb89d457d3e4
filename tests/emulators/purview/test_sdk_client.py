"""The official azure-purview-datamap client (1.0.0b2), unmodified, runs a full scenario against the emulator.

Plain-http trap (reference §4.1): azure-core refuses bearer tokens over http unless the request context
says `enforce_https=False`; a bearer policy subclass that sets it is the supported workaround.
"""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError

from tests.emulators.purview.helpers import sdk_client


@pytest.fixture()
def client(purview):
    return sdk_client(purview)


TYPES = {
    "entityDefs": [
        {"name": "sdk_dataset", "superTypes": ["DataSet"], "attributeDefs": [{"name": "rows", "typeName": "long"}]},
        {"name": "sdk_job", "superTypes": ["Process"]},
    ]
}


def test_sdk_scenario(purview, client):
    created = client.type_definition.batch_create(TYPES)
    assert {d["name"] for d in created["entityDefs"]} == {"sdk_dataset", "sdk_job"}
    with pytest.raises(ResourceExistsError):
        client.type_definition.batch_create(TYPES)
    assert client.type_definition.get_entity_by_name("sdk_job")["superTypes"] == ["Process"]

    graph = {
        "entities": [
            {
                "typeName": "sdk_dataset",
                "guid": "-1",
                "attributes": {"qualifiedName": "sdk://in", "name": "in", "rows": 5},
            },
            {"typeName": "sdk_dataset", "guid": "-2", "attributes": {"qualifiedName": "sdk://out", "name": "out"}},
            {
                "typeName": "sdk_job",
                "guid": "-3",
                "attributes": {
                    "qualifiedName": "sdk://job",
                    "name": "job",
                    "inputs": [{"guid": "-1"}],
                    "outputs": [{"typeName": "sdk_dataset", "uniqueAttributes": {"qualifiedName": "sdk://out"}}],
                },
            },
        ]
    }
    result = client.entity.batch_create_or_update(graph)
    ids = result["guidAssignments"]
    assert set(ids) == {"-1", "-2", "-3"}
    assert len(result["mutatedEntities"]["CREATE"]) == 3

    job = client.entity.get(ids["-3"])
    assert job["entity"]["relationshipAttributes"]["inputs"][0]["guid"] == ids["-1"]
    by_name = client.entity.get_by_unique_attribute("sdk_dataset", attribute="sdk://in")
    assert by_name["entity"]["guid"] == ids["-1"] and by_name["entity"]["attributes"]["rows"] == 5
    listed = client.entity.get_by_ids(guid=[ids["-1"], ids["-2"]])
    assert {e["guid"] for e in listed["entities"]} == {ids["-1"], ids["-2"]}
    with pytest.raises(ResourceNotFoundError) as missing:
        client.entity.get("00000000-0000-0000-0000-000000000000")
    assert missing.value.status_code == 404

    for i in range(5):
        extra = {"typeName": "sdk_dataset", "attributes": {"qualifiedName": f"sdk://page/{i}", "name": f"page{i}"}}
        client.entity.create_or_update({"entity": extra})
    seen: list[str] = []
    body: dict[str, Any] = {"keywords": None, "limit": 3, "filter": {"entityType": "sdk_dataset"}}
    while True:
        page = client.discovery.query(body)
        seen += [v["id"] for v in page["value"]]
        if not page.get("continuationToken"):
            break
        body["continuationToken"] = page["continuationToken"]
    assert page.search_count == 7 and len(set(seen)) == 7

    glossary = client.glossary.create({"name": "SdkGlossary", "shortDescription": "made by the SDK"})
    term = client.glossary.create_term(
        {"name": "Widget", "anchor": {"glossaryGuid": glossary["guid"]}, "status": "Approved"}
    )
    assert term["qualifiedName"] == "Widget@SdkGlossary"
    fetched = client.glossary.get_term(term["guid"])
    assert fetched["status"] == "Approved"
    updated = client.glossary.partial_update_term(term["guid"], {"longDescription": "a thing"})
    assert updated["longDescription"] == "a thing"
    assert [t["name"] for t in client.glossary.get_terms(glossary["guid"])] == ["Widget"]
    with pytest.raises(ResourceExistsError):
        client.glossary.create_term({"name": "Widget", "anchor": {"glossaryGuid": glossary["guid"]}})

    client.glossary.assign_term_to_entities(term["guid"], [{"guid": ids["-2"]}])
    assigned = client.glossary.get_entities_assigned_with_term(term["guid"])
    assert [a["guid"] for a in assigned] == [ids["-2"]]
    out = client.entity.get(ids["-2"])["entity"]
    assert out["relationshipAttributes"]["meanings"][0]["guid"] == term["guid"]
    term_hits = client.discovery.query({"filter": {"term": "Widget", "glossary": "SdkGlossary"}})
    assert [v["id"] for v in term_hits["value"]] == [ids["-2"]]

    lineage = client.lineage.get(ids["-2"], direction="INPUT", depth=2)
    assert lineage["baseEntityGuid"] == ids["-2"]
    assert {r["fromEntityId"] for r in lineage["relations"]} == {ids["-1"], ids["-3"]}

    session = purview.session()
    session.put(
        f"{purview.account_url}/collections/sdkmoves?api-version=2019-11-01-preview", json={"friendlyName": "SDK moves"}
    )
    moved = client.entity.move_entities_to_collection({"entityGuids": [ids["-1"]]}, collection_id="sdkmoves")
    assert moved["mutatedEntities"]["UPDATE"][0]["guid"] == ids["-1"]
    assert client.entity.get(ids["-1"])["entity"]["collectionId"] == "sdkmoves"

    with pytest.raises(HttpResponseError) as bad:
        client.entity.create_or_update({"entity": {"typeName": "sdk_dataset", "attributes": {"qualifiedName": "x"}}})
    assert bad.value.status_code == 404
    assert purview.violations() == []
