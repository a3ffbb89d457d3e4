"""api-version, bearer tokens, the Azure.Core error shape, the rate-limit fault, stats and state of the catalog."""

from __future__ import annotations

import pytest
import requests

from emulators.purview.testing import seeded_purview
from emulators.purview.unified.ratelimit import DOCUMENTED_LIMITS
from tests.emulators.purview.unified.helpers import CSV_1, Catalog, datamap_files


@pytest.fixture()
def uc(purview):
    return Catalog(purview)


def _assert_azure_core_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["x-ms-error-code"] == code
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and isinstance(error["message"], str) and error["message"]


def test_api_version_is_required_and_validated(uc):
    _assert_azure_core_error(uc.call("GET", "/dataProducts", version=None), 400, "MissingApiVersionParameter")
    _assert_azure_core_error(uc.call("GET", "/dataProducts", version="2023-09-01"), 400, "UnsupportedApiVersion")
    assert uc.call("GET", "/dataProducts", version="2025-09-15-preview").status_code == 200
    assert uc.http.get(f"{uc.base}/dataProducts", params={"API-VERSION": "2026-03-20-preview"}).status_code == 200


def test_bearer_token_required_and_restricted_tokens_honoured(purview):
    anonymous = requests.get(f"{purview.unified_url}/businessdomains", params={"api-version": "2026-03-20-preview"})
    _assert_azure_core_error(anonymous, 401, "Unauthorized")
    assert "www-authenticate" in anonymous.headers
    with seeded_purview(tokens=("good",)) as restricted:
        assert Catalog(restricted, "good").call("GET", "/businessdomains").status_code == 200
        _assert_azure_core_error(Catalog(restricted, "bad").call("GET", "/businessdomains"), 401, "Unauthorized")


def test_unknown_routes_and_methods(uc):
    _assert_azure_core_error(uc.call("GET", "/spreadsheets"), 404, "NotFound")
    _assert_azure_core_error(uc.call("PATCH", "/dataProducts"), 405, "MethodNotAllowed")
    _assert_azure_core_error(uc.call("POST", "/dataProducts", version=None), 400, "MissingApiVersionParameter")


def test_malformed_bodies(uc):
    bad_json = uc.http.post(f"{uc.base}/businessdomains", params={"api-version": "2026-03-20-preview"}, data=b"{")
    _assert_azure_core_error(bad_json, 400, "InvalidRequest")
    _assert_azure_core_error(uc.call("POST", "/businessdomains"), 400, "InvalidRequest")
    _assert_azure_core_error(uc.call("POST", "/businessdomains", [1, 2]), 400, "InvalidRequest")
    nan = uc.http.post(f"{uc.base}/terms", params={"api-version": "2026-03-20-preview"}, data=b'{"name": NaN}')
    _assert_azure_core_error(nan, 400, "InvalidRequest")


def test_rate_limit_fault_with_a_uniform_limit(uc, purview):
    purview.set_faults(extra={"unified_rate_limit": {"requests": 3, "window_seconds": 60}})
    assert [uc.call("GET", "/businessdomains").status_code for _ in range(3)] == [200, 200, 200]
    limited = uc.call("GET", "/businessdomains")
    _assert_azure_core_error(limited, 429, "TooManyRequests")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert uc.call("GET", "/dataProducts").status_code == 200  # windows are per operation
    stats = purview.session().get(f"{purview.url}/_emulator/stats").json()
    assert stats["operations"]["BusinessDomains_Enumerate"]["statuses"] == {"200": 3, "429": 1}


def test_rate_limit_fault_with_the_documented_limits(uc, purview):
    purview.set_faults(extra={"unified_rate_limit": True})
    domain = uc.domain()["id"]
    limit = DOCUMENTED_LIMITS["DataProducts_Delete"]
    codes = [uc.call("DELETE", f"/dataProducts/{domain}").status_code for _ in range(limit + 1)]
    assert codes[:limit] == [404] * limit and codes[limit] == 429


def test_rate_limit_is_off_by_default(uc):
    assert {uc.call("GET", "/businessdomains").status_code for _ in range(250)} == {200}


def test_shared_faults_answer_in_the_azure_core_shape(uc, purview):
    purview.set_faults(fail_next=1, fail_next_status=503, path_pattern="^/datagovernance/")
    failed = uc.call("GET", "/dataProducts")
    assert failed.status_code == 503 and failed.json()["error"]["code"] == "ServiceUnavailable"
    assert uc.call("GET", "/dataProducts").status_code == 200


def test_writes_are_counted_in_stats_and_reads_are_not(uc, purview):
    admin = purview.session()
    admin.delete(f"{purview.url}/_emulator/stats")
    domain = uc.domain()["id"]
    uc.ok("GET", "/businessdomains")
    uc.ok("POST", "/dataProducts/query", {"domainIds": [domain]})
    uc.call("POST", "/dataProducts", {"name": "bad"})  # a failed write is not a write
    stats = admin.get(f"{purview.url}/_emulator/stats").json()
    assert stats["writes"] == 1 and stats["reads"] == 2
    assert stats["operations"]["BusinessDomains_Create"] == {"count": 1, "write": True, "statuses": {"201": 1}}
    assert stats["operations"]["DataProducts_Query"]["write"] is False


def test_state_snapshot_restores_the_catalog_exactly(uc, purview):
    admin = purview.session()
    product = uc.product(uc.domain()["id"])
    asset = uc.asset(datamap_files(purview, CSV_1)[0])
    uc.ok("POST", f"/dataProducts/{product['id']}/relationships", {"entityId": asset["id"]}, entityType="DATAASSET")
    before = uc.ok("GET", f"/dataProducts/{product['id']}")
    snapshot = admin.get(f"{purview.url}/_emulator/state").json()
    assert snapshot["unifiedCatalog"]["format"] == "unified-catalog-state/1"
    assert admin.post(f"{purview.url}/_emulator/reset").status_code == 204
    assert uc.ok("GET", "/dataProducts")["value"] == []
    assert admin.put(f"{purview.url}/_emulator/state", json=snapshot).status_code == 204
    after = uc.ok("GET", f"/dataProducts/{product['id']}")
    assert after == before and after["additionalProperties"] == {"assetCount": 1}
    assert uc.ok("POST", "/dataAssets/query", {"sourceAssetIds": [asset["source"]["assetId"]]})["value"] == [asset]


def test_older_snapshots_without_a_catalog_still_load(uc, purview):
    admin = purview.session()
    uc.domain()
    snapshot = admin.get(f"{purview.url}/_emulator/state").json()
    del snapshot["unifiedCatalog"]
    assert admin.put(f"{purview.url}/_emulator/state", json=snapshot).status_code == 204
    assert uc.ok("GET", "/businessdomains")["value"] == []
