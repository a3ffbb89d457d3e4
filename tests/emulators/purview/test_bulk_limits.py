"""Write limits, enforced by default and configurable (issue 11, item 7).

Documented: 20 contacts per contact type (entity create operations in the spec); an asset of at most 2 MB,
names of at most 4 KB and property values of at most 32 KB (Purview's quotas page). Not documented, so
chosen conservatively and marked as guesses in the README: 1,000 entities per call (pyapacheatlas batches
by 1,000 against live Purview, ~4,000 are reported to fail) and 10 MB per request.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from pyapacheatlas.core import AtlasEntity
from pyapacheatlas.core.util import AtlasException

from emulators.purview.limits import Limits
from emulators.purview.testing import seeded_purview
from tests.emulators.purview.helpers import dataset, paa_client, sdk_client, table

BULK = "/atlas/v2/entity/bulk"


def _tables(count: int, prefix: str = "mssql://s/d/dbo/t") -> list[dict[str, Any]]:
    return [table(f"{prefix}{i}", guid=-(i + 1)) for i in range(count)]


def _sdk_error(call: Any) -> tuple[int, str]:
    with pytest.raises(HttpResponseError) as raised:
        call()
    model = raised.value.model
    assert model is not None
    return raised.value.status_code or 0, str(model["errorCode"])


def test_defaults_are_the_documented_or_most_conservative_figures():
    limits = Limits()
    assert (limits.max_bulk_entities, limits.max_contacts_per_type) == (1000, 20)
    assert (limits.max_entity_bytes, limits.max_name_bytes, limits.max_attribute_bytes) == (2 * 2**20, 4096, 32768)
    assert limits.max_request_bytes == 10 * 2**20


def test_sdk_bulk_of_more_than_1000_entities_is_refused_and_1000_pass(purview):
    client = sdk_client(purview)
    assert _sdk_error(lambda: client.entity.batch_create_or_update({"entities": _tables(1001)})) == (
        400,
        "ATLAS-400-00-01A",
    )
    assert purview.store.entities.entities == {}  # nothing written
    created = client.entity.batch_create_or_update({"entities": _tables(1000)})
    assert len(created["mutatedEntities"]["CREATE"]) == 1000


def test_referred_entities_count_towards_the_call(purview):
    body = {
        "entities": _tables(600),
        "referredEntities": {str(-(i + 1000)): t for i, t in enumerate(_tables(401, "x"))},
    }
    response = purview.session().post(f"{purview.datamap_url}{BULK}", json=body)
    assert (response.status_code, response.json()["errorCode"]) == (400, "ATLAS-400-00-01A")


def test_pyapacheatlas_upload_of_one_entity_over_2_mb_is_refused(purview):
    client = paa_client(purview)
    attributes = {f"note{i}": "x" * 30_000 for i in range(75)}  # each value under 32 KB, the asset ~2.2 MB
    entity = AtlasEntity("big", "azure_sql_table", "mssql://s/d/dbo/big", guid=-1, attributes=attributes)
    with pytest.raises(AtlasException, match="an asset can be at most 2097152 bytes"):
        client.upload_entities([entity])
    small = AtlasEntity("small", "azure_sql_table", "mssql://s/d/dbo/small", guid=-2, attributes={"note": "x" * 30_000})
    assert client.upload_entities([small])["guidAssignments"]


def test_at_most_20_contacts_per_contact_type(purview):
    client = sdk_client(purview)
    owners = [{"id": f"00000000-0000-0000-0000-{i:012d}", "info": "owner"} for i in range(21)]
    entity = {**table("mssql://s/d/dbo/c"), "contacts": {"Owner": owners, "Expert": owners[:1]}}
    assert _sdk_error(lambda: client.entity.create_or_update({"entity": entity})) == (400, "ATLAS-400-00-01A")
    entity["contacts"]["Owner"] = owners[:20]
    assert client.entity.create_or_update({"entity": entity})["mutatedEntities"]["CREATE"]
    read = client.entity.get_by_unique_attribute("azure_sql_table", attribute="mssql://s/d/dbo/c")
    assert len(read["entity"]["contacts"]["Owner"]) == 20


def test_names_over_4_kb_and_values_over_32_kb_are_refused(purview):
    s, url = purview.session(), f"{purview.datamap_url}{BULK}"
    long_name = table("mssql://s/d/dbo/n", name="n" * 4097)
    assert s.post(url, json={"entities": [long_name]}).status_code == 400
    long_value = dataset("azure_sql_table", "mssql://s/d/dbo/v", description="€" * 11_000)  # 33,000 UTF-8 bytes
    refused = s.post(url, json={"entities": [long_value]})
    assert refused.status_code == 400 and "description" in refused.json()["errorMessage"]


def test_request_body_over_10_mb_is_413_in_the_atlas_shape(purview):
    body = b'{"entities": [], "padding": "' + b"x" * (10 * 2**20) + b'"}'
    response = requests.post(
        f"{purview.datamap_url}{BULK}",
        data=body,
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["errorCode"] == "ATLAS-413-00-001"


def test_limits_can_be_raised_for_tests_and_benchmarks(purview):
    with seeded_purview(limits={"max_bulk_entities": 5000}) as roomy:
        assert (
            len(sdk_client(roomy).entity.batch_create_or_update({"entities": _tables(1500)})["guidAssignments"]) == 1500
        )
    purview.set_faults(extra={"limits": {"max_bulk_entities": 2, "max_contacts_per_type": 0}})
    s, url = purview.session(), f"{purview.datamap_url}{BULK}"
    assert s.post(url, json={"entities": _tables(3)}).status_code == 400
    many = {**table("mssql://s/d/dbo/m"), "contacts": {"Owner": [{"id": str(i)} for i in range(30)]}}
    assert s.post(url, json={"entities": [many]}).status_code == 200
    purview.clear_faults()
    assert s.post(url, json={"entities": _tables(3)}).status_code == 200
