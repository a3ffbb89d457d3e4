"""Bad input never yields a 500 or a stack trace: random bodies, ids and queries on every route."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulators.purview.app import PurviewEmulator, PurviewOptions

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["entities", "entity", "typeName", "attributes", "guid", "relationshipAttributes", "name", "anchor", "filter",
     "keywords", "limit", "entityDefs", "relationshipDefs", "termTemplateDefs", "entityGuids", "classification",
     "parentCollection", "and", "or", "not", "continuationToken", "offset", "facets", "orderby"]
)  # fmt: skip
SHAPED = st.recursive(
    st.none()
    | st.integers(-3, 3)
    | st.text(max_size=6)
    | st.sampled_from(["azure_sql_table", "DataSet", "-1", "Glossary"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=16,
)
SEGMENT = st.text(alphabet=st.characters(codec="ascii", exclude_characters="/?#%"), min_size=1, max_size=8)
QUERY_NAMES = st.sampled_from(
    ["guid", "attr:qualifiedName", "attr_0:qualifiedName", "direction", "depth", "limit",
     "offset", "minExtInfo", "collectionId", "name", "api-version", "type", "$skipToken"]
)  # fmt: skip


def _routes() -> list[tuple[str, str, str]]:
    emulator = PurviewEmulator(PurviewOptions())
    prefixes = {"datamap": "/datamap/api", "account": "/account"}
    return sorted(
        (method, prefixes[family], route.template)
        for family, by_method in emulator.routes.routes.items()
        for method, routes in by_method.items()
        for route in routes
    )


@pytest.mark.parametrize(("method", "prefix", "template"), _routes())
def test_random_requests_never_fail_with_500(purview, method, prefix, template):
    session = purview.session()

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(
        segments=st.lists(SEGMENT, min_size=3, max_size=3),
        query=st.lists(st.tuples(QUERY_NAMES, st.text(max_size=8)), max_size=3),
        body=st.one_of(JSON, SHAPED, st.binary(max_size=20)),
    )
    def probe(segments: list[str], query: list[tuple[str, str]], body: object) -> None:
        filled = iter(segments)
        path = re.sub(r"\{[^}]+\}", lambda _m: next(filled), template)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = session.request(method, f"{purview.url}{prefix}{path}", params=query, data=data)
        assert response.status_code < 500 or response.status_code == 501, (method, path, query, body, response.text)
        if response.content and response.headers["content-type"].startswith("application/json"):
            payload = response.json()
            assert "errorCode" in payload or "error" in payload or response.status_code < 400

    probe()
