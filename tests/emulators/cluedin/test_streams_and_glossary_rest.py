"""Streams and glossary as CluedIn's REST controllers serve them (Swagger routes), next to the GraphQL views.

The stream statuses are the documentation's (New, Streaming, Paused, Stopped); a glossary term's members are the
golden records its rule set selects — the same evaluator the GraphQL views use.
"""

from __future__ import annotations

from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin import toolkit as tk


def test_stream_lifecycle_over_rest_matches_graphql(seeded):
    [stream] = seeded.rest("GET", "/api/v1/streams", params={"searchName": "Customer Golden"}).json()["data"]
    assert stream["status"] == 1 and stream["condition"]["rules"][0]["field"] == "EntityType"
    paused = seeded.rest("POST", f"/api/v1/streams/{stream['id']}/pause").json()
    assert paused["status"] == 2
    assert seeded.ok(tk.GET_STREAM, {"id": stream["id"]})["consume"]["stream"]["status"] == "Paused"
    stopped = seeded.rest("POST", f"/api/v1/streams/{stream['id']}/stop").json()
    assert stopped["status"] == 3
    assert seeded.rest("POST", f"/api/v1/streams/{stream['id']}/start").json()["status"] == 1
    mapping = seeded.rest("GET", f"/api/v1/streammapping/{stream['id']}").json()
    assert {"sourceDataType": "customer.name", "destDataType": "customer.name", "sourceObjectType": 1} in mapping
    keys = seeded.rest("GET", f"/api/v1/streamsvocabularykeys/{stream['id']}").json()
    assert keys == ["customer.name", "customer.email", "customer.country"]
    by_status = seeded.rest("GET", "/api/v1/streams", params={"filterStreamStatus": "1"}).json()
    assert by_status["total"] == 1
    assert seeded.rest("DELETE", f"/api/v1/streams/{stream['id']}").status_code == 200
    assert seeded.rest("GET", f"/api/v1/streams/{stream['id']}").status_code == 404


def test_glossary_term_members_and_what_a_term_can_become(seeded):
    terms = seeded.rest("GET", "/api/v1/glossary", params={"searchName": "Customer"}).json()["data"]
    customer = next(t for t in terms if t["name"] == "Customer")
    assert customer["matches"] == 4
    members = seeded.rest("GET", "/api/v1/glossarysearch/entities", params={"id": customer["id"]}).json()
    assert members["total"] == 4 and {m["entityType"] for m in members["data"]} == {"/Customer"}
    stream = seeded.rest("POST", "/api/v1/glossary/stream", params={"id": customer["id"]}).json()
    got = seeded.ok(tk.GET_STREAM, {"id": stream["id"]})["consume"]["stream"]
    assert got["name"] == "Customer" and got["numberOfRecords"] == 4 and got["status"] == "New"
    project = seeded.rest("POST", "/api/v1/glossary/clean", params={"id": customer["id"]}).json()
    seeded.ok(tk.GENERATE_RESULT, {"id": project["id"]})
    detail = seeded.ok(tk.GET_CLEAN_PROJECT, {"id": project["id"]})["preparation"]["cleanProjectDetail"]
    assert detail["rowCount"] == 4
    missing = seeded.rest("GET", "/api/v1/glossarysearch/entities", params={"id": doc.ZERO})
    assert missing.status_code == 404
