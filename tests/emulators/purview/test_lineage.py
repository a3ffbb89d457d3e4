"""Lineage graphs computed from Process inputs/outputs (AtlasLineageInfo)."""

from __future__ import annotations

import pytest

from tests.emulators.purview.helpers import process, table, upsert


@pytest.fixture()
def chain(purview):
    """raw -> p1 -> staged -> p2 -> mart, plus side -> p2."""
    s = purview.session()
    return upsert(
        s,
        purview.datamap_url,
        table("mssql://s/d/o/raw", guid=-1),
        table("mssql://s/d/o/staged", guid=-2),
        table("mssql://s/d/o/mart", guid=-3),
        table("mssql://s/d/o/side", guid=-4),
        process("p1", [{"guid": -1}], [{"guid": -2}], guid=-10),
        process("p2", [{"guid": -2}, {"guid": -4}], [{"guid": -3}], guid=-11),
    )["guidAssignments"]


def lineage(purview, guid, **params):
    response = purview.session().get(f"{purview.datamap_url}/atlas/v2/lineage/{guid}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def edges(info):
    return {(r["fromEntityId"], r["toEntityId"]) for r in info["relations"]}


def test_input_lineage_of_the_mart_walks_back_to_raw(purview, chain):
    info = lineage(purview, chain["-3"], direction="INPUT", depth=3)
    assert info["baseEntityGuid"] == chain["-3"]
    assert info["lineageDirection"] == "INPUT"
    assert set(info["guidEntityMap"]) == {chain[k] for k in ("-1", "-2", "-3", "-4", "-10", "-11")}
    assert edges(info) == {
        (chain["-1"], chain["-10"]),
        (chain["-10"], chain["-2"]),
        (chain["-2"], chain["-11"]),
        (chain["-4"], chain["-11"]),
        (chain["-11"], chain["-3"]),
    }
    assert info["widthCounts"]["INPUT"][chain["-11"]] == 2
    header = info["guidEntityMap"][chain["-1"]]
    assert header["displayText"] == "raw" and header["collectionId"] == purview.store.collections.root


def test_depth_counts_process_hops(purview, chain):
    one = lineage(purview, chain["-3"], direction="INPUT", depth=1)
    assert set(one["guidEntityMap"]) == {chain["-3"], chain["-11"], chain["-2"], chain["-4"]}
    zero = lineage(purview, chain["-3"], direction="INPUT", depth=0)
    assert set(zero["guidEntityMap"]) == {chain["-3"]} and zero["relations"] == []


def test_output_and_both_directions_from_a_process(purview, chain):
    out = lineage(purview, chain["-10"], direction="OUTPUT", depth=1)
    assert edges(out) == {(chain["-10"], chain["-2"])}
    both = lineage(purview, chain["-2"], direction="BOTH", depth=1)
    assert edges(both) == {
        (chain["-1"], chain["-10"]),
        (chain["-10"], chain["-2"]),
        (chain["-2"], chain["-11"]),
        (chain["-11"], chain["-3"]),
    }
    assert set(both["widthCounts"]) == {"INPUT", "OUTPUT"}


def test_unique_attribute_variant_next_page_and_errors(purview, chain):
    s = purview.session()
    base = purview.datamap_url
    by_unique = s.get(
        f"{base}/atlas/v2/lineage/uniqueAttribute/type/azure_sql_table",
        params={"attr:qualifiedName": "mssql://s/d/o/mart", "direction": "INPUT", "width": 5},
    )
    assert by_unique.status_code == 200 and by_unique.json()["baseEntityGuid"] == chain["-3"]
    page = s.get(
        f"{base}/lineage/{chain['-11']}/next",
        params={"api-version": "2023-09-01", "direction": "INPUT", "offset": 1, "limit": 1},
    )
    assert page.status_code == 200
    assert page.json()["childrenCount"] == 2 and len(page.json()["relations"]) == 1
    assert s.get(f"{base}/lineage/{chain['-11']}/next", params={"direction": "INPUT"}).status_code == 400
    missing_direction = s.get(f"{base}/atlas/v2/lineage/{chain['-3']}")
    assert missing_direction.status_code == 400 and missing_direction.json()["errorCode"] == "ATLAS-400-00-026"
    assert s.get(f"{base}/atlas/v2/lineage/{chain['-3']}", params={"direction": "UP"}).status_code == 400
    assert s.get(f"{base}/atlas/v2/lineage/nope", params={"direction": "BOTH"}).status_code == 404
