"""pyapacheatlas 0.16.0, unmodified, runs its typical scenario against the emulator.

It is an independent witness of real-world legacy traffic: integer GUIDs, `False`/`True` query booleans,
gets through `/entity/bulk`, offset-paged search with api-version 2022-03-01-preview, the bare
`/collections` URL, and `AtlasException` raised only when the error body carries `errorCode`.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from pyapacheatlas.auth.azcredential import AzCredentialWrapper
from pyapacheatlas.core import AtlasClient, AtlasEntity, AtlasProcess
from pyapacheatlas.core.collections.purview import PurviewCollectionsClient
from pyapacheatlas.core.discovery.purview import PurviewDiscoveryClient
from pyapacheatlas.core.glossary import PurviewGlossaryTerm
from pyapacheatlas.core.glossary.glossaryclient import PurviewGlossaryClient
from pyapacheatlas.core.typedef import EntityTypeDef
from pyapacheatlas.core.util import AtlasException, GuidTracker


class AnyScopeCredential:
    """pyapacheatlas asks for the Purview app id scope; the emulator accepts any bearer token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("paa-token", int(time.time()) + 3600)


@pytest.fixture()
def auth():
    return AzCredentialWrapper(AnyScopeCredential())


def test_pyapacheatlas_scenario(purview, auth):
    client = AtlasClient(endpoint_url=purview.atlas_url, authentication=auth)
    typedef = EntityTypeDef(name="paa_dataset", superTypes=["DataSet"])
    uploaded = client.upload_typedefs(entityDefs=[typedef], force_update=True)
    assert uploaded["entityDefs"][0]["name"] == "paa_dataset"

    guids = GuidTracker()
    source = AtlasEntity("source", "paa_dataset", "paa://source", guid=guids.get_guid())
    target = AtlasEntity("target", "paa_dataset", "paa://target", guid=guids.get_guid())
    job = AtlasProcess("job", "Process", "paa://job", inputs=[source], outputs=[target], guid=guids.get_guid())
    result = client.upload_entities([source, target, job])
    assert set(result["guidAssignments"]) == {"-1001", "-1002", "-1003"}
    source_guid = result["guidAssignments"]["-1001"]

    by_name = client.get_entity(qualifiedName="paa://source", typeName="paa_dataset")
    assert by_name["entities"][0]["guid"] == source_guid
    several = client.get_entity(qualifiedName=["paa://source", "paa://target"], typeName="paa_dataset")
    assert len(several["entities"]) == 2
    assert client.get_entity(qualifiedName="paa://nope", typeName="paa_dataset") == {}
    by_guid = client.get_entity(guid=[source_guid])
    assert by_guid["entities"][0]["attributes"]["qualifiedName"] == "paa://source"
    single = client.get_single_entity(source_guid)
    assert single["entity"]["relationshipAttributes"]["inputToProcesses"][0]["displayText"] == "job"
    with pytest.raises(AtlasException) as missing:
        client.get_single_entity("00000000-0000-0000-0000-000000000000")
    assert "ATLAS-404-00-005" in str(missing.value)
    with pytest.raises(AtlasException):
        client.upload_entities([{"typeName": "paa_dataset", "guid": -1, "attributes": {"qualifiedName": "no-name"}}])

    lineage = client.get_entity_lineage(result["guidAssignments"]["-1002"], direction="INPUT")
    assert source_guid in lineage["guidEntityMap"]

    for i in range(7):
        client.upload_entities([AtlasEntity(f"bulk{i}", "paa_dataset", f"paa://bulk/{i}", guid=-1)])
    discovery = PurviewDiscoveryClient(purview.datamap_url, auth)
    found = list(discovery.search_entities("bulk", limit=3, search_filter={"entityType": "paa_dataset"}))
    assert sorted(r["name"] for r in found) == [f"bulk{i}" for i in range(7)]

    glossary_client = PurviewGlossaryClient(purview.atlas_url, auth)
    default = glossary_client.get_glossary()
    term = PurviewGlossaryTerm(
        name="Source system", qualifiedName="Source system@Glossary", glossaryGuid=default["guid"], status="Draft"
    )
    uploaded_term = glossary_client.upload_term(term)
    assert uploaded_term["qualifiedName"] == "Source system@Glossary"
    child = PurviewGlossaryTerm(name="ERP", qualifiedName="ERP@Glossary", glossaryGuid=default["guid"])
    child.add_hierarchy(parentFormalName="Source system", parentGuid=uploaded_term["guid"])
    uploaded_child = glossary_client.upload_term(child)
    assert uploaded_child["name"] == "Source system_ERP"
    assert uploaded_child["parentTerm"]["termGuid"] == uploaded_term["guid"]
    assert glossary_client.get_term(name="Source system")["guid"] == uploaded_term["guid"]
    glossary_client.assignTerm([{"guid": source_guid}], termGuid=uploaded_term["guid"])
    assigned = glossary_client.get_termAssignedEntities(termGuid=uploaded_term["guid"])
    assert [a["guid"] for a in assigned] == [source_guid]

    collections = PurviewCollectionsClient(f"{purview.url}/", auth)
    collections.create_or_update_collection("paa1", "PAA one", purview.store.collections.root)
    names = [c["name"] for c in collections.list_collections()]
    assert "paa1" in names
