"""Adding a classification an entity already has fails, as on Atlas/Purview (issue 11, item 6).

Evidence: pyapacheatlas documents that `classify_bulk_entities` "will fail if any one of the guids already
have the provided classification" and that `classify_entity` fails "unless you choose force_update=True";
Atlas's `AtlasEntityStoreV2.validateEntityAssociations` raises 400 `ATLAS-400-00-01A` "invalid parameters:
entity: <guid>, already associated with classification: <name>" before anything is written.
"""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from pyapacheatlas.core.util import AtlasException

from tests.emulators.purview.helpers import get_entity, paa_client, sdk_client, table, upsert

EMAIL = {"typeName": "MICROSOFT.PERSONAL.EMAIL"}


def _two_tables(purview):
    ids = upsert(
        purview.session(), purview.datamap_url, table("mssql://s/d/o/a", guid=-1), table("mssql://s/d/o/b", guid=-2)
    )
    return ids["guidAssignments"]["-1"], ids["guidAssignments"]["-2"]


def test_sdk_bulk_classification_of_an_already_classified_entity_fails_and_changes_nothing(purview):
    first, second = _two_tables(purview)
    client = sdk_client(purview)
    client.entity.add_classification({"classification": EMAIL, "entityGuids": [first]})
    with pytest.raises(HttpResponseError) as raised:
        client.entity.add_classification({"classification": EMAIL, "entityGuids": [second, first]})
    assert raised.value.status_code == 400
    model = raised.value.model
    assert model is not None and model["errorCode"] == "ATLAS-400-00-01A"
    message = f"entity: {first}, already associated with classification: MICROSOFT.PERSONAL.EMAIL"
    assert message in str(model["errorMessage"])
    untouched = get_entity(purview.session(), purview.datamap_url, second)["entity"]
    assert "classifications" not in untouched  # all or nothing: the first entity in the list was not classified


def test_pyapacheatlas_add_routes_fail_on_duplicates_and_force_update_works(purview):
    first, _second = _two_tables(purview)
    client = paa_client(purview)
    client.classify_entity(first, [EMAIL])
    with pytest.raises(AtlasException, match="already associated with classification"):
        client.classify_entity(first, [EMAIL])
    with pytest.raises(AtlasException, match="ATLAS-400-00-01A"):
        client.classify_bulk_entities([first], EMAIL)
    updated = client.classify_entity(first, [{**EMAIL, "attributes": {"confidence": 0.9}}], force_update=True)
    assert updated["updates"]  # the PUT (update) route is the way to change an existing classification
    listed = client.get_entity_classifications(first)["list"]
    assert [c["attributes"]["confidence"] for c in listed] == [0.9]


def test_unique_attribute_add_route_and_duplicate_in_one_request(purview):
    _first, second = _two_tables(purview)
    s, base = purview.session(), purview.datamap_url
    by_name = f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table/classifications"
    assert s.post(by_name, params={"attr:qualifiedName": "mssql://s/d/o/a"}, json=[EMAIL]).status_code == 204
    again = s.post(by_name, params={"attr:qualifiedName": "mssql://s/d/o/a"}, json=[EMAIL])
    assert (again.status_code, again.json()["errorCode"]) == (400, "ATLAS-400-00-01A")
    twice = s.post(f"{base}/atlas/v2/entity/guid/{second}/classifications", json=[EMAIL, EMAIL])
    assert (twice.status_code, twice.json()["errorCode"]) == (400, "ATLAS-400-00-01B")
    empty = s.post(f"{base}/atlas/v2/entity/bulk/classification", json={"classification": EMAIL, "entityGuids": []})
    assert (empty.status_code, empty.json()["errorCode"]) == (400, "ATLAS-400-00-01A")
