"""The app's Purview client against the emulator: wire details that are easy to get wrong."""

from __future__ import annotations

from sync.services.auth import StaticTokenAuth
from sync.services.purview.client import PurviewClient


def test_bulk_lookup_by_qualified_name_with_spaces_and_specials(purview):
    client = PurviewClient(purview.url, StaticTokenAuth("t"))
    names = ["cluedin://acme/dataset/Sales Orders 2024", "q?x=1&y=2#frag", "plus+sign", "ünïcode/naïve"]
    client.upsert_entities([{"typeName": "DataSet", "attributes": {"qualifiedName": n, "name": n}} for n in names])
    found = client.get_entities_by_qualified_names("DataSet", [*names, "missing one"])
    assert sorted(found) == sorted(names)
    assert purview.violations() == []


def test_search_pages_follow_the_continuation_token(purview):
    client = PurviewClient(purview.url, StaticTokenAuth("t"))
    client.upsert_entities(
        [{"typeName": "DataSet", "attributes": {"qualifiedName": f"ds://{i}", "name": f"ds {i}"}} for i in range(25)]
    )
    pages = list(client.iter_search(filter={"entityType": "DataSet"}, page_size=10))
    assert [len(p) for p in pages] == [10, 10, 5]
    assert len({hit["id"] for page in pages for hit in page}) == 25
