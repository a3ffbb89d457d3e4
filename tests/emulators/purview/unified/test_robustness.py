"""Bad input never yields a 500: random bodies, ids and query strings on every Unified Catalog route."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulators.purview.unified.routes import build_routes
from tests.emulators.purview.unified.helpers import CSV_1, Catalog, datamap_files

KEYS = st.sampled_from(
    ["id", "name", "domain", "type", "status", "parentId", "contacts", "owner", "entityId", "relationshipType",
     "source", "assetId", "qualifiedName", "sourceAssetIds", "ids", "domainIds", "multiStatus", "types", "skip",
     "top", "orderby", "field", "direction", "termsOfUse", "audience", "endorsed", "nameKeyword", "typeProperties",
     "includingOrphans", "managedAttributes", "thumbnail", "updateFrequency", "description"]
)  # fmt: skip
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["Published", "DRAFT", "Master", "DataDomain", "DATAASSET", "Related", "asc", str(uuid.uuid4())])
)
JSON = st.recursive(
    LEAVES, lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=5), max_leaves=14
)
SEGMENT = st.one_of(
    st.text(alphabet=st.characters(codec="ascii", exclude_characters="/?#%"), min_size=1, max_size=8),
    st.just("{known}"),
    st.builds(lambda: str(uuid.uuid4())),
)
PARAMS = st.lists(
    st.tuples(
        st.sampled_from(
            ["api-version", "entityType", "entityId", "relationshipType", "skip", "top", "$skipToken", "orderBy",
             "domainId", "keyword", "parentId", "status", "includeLineage", "nameKeyword"]
        ),
        st.text(max_size=8) | st.sampled_from(["TERM", "DATAASSET", "name desc", "2026-03-20-preview", "-1"]),
    ),
    max_size=4,
)  # fmt: skip


def _routes() -> list[tuple[str, str]]:
    return sorted({(r.method, r.template) for rs in build_routes().by_method.values() for r in rs})


@pytest.mark.parametrize(("method", "template"), _routes())
def test_random_requests_never_fail_with_500(purview, method, template):
    uc = Catalog(purview)
    domain = uc.domain()["id"]
    product = uc.product(domain)["id"]
    asset = uc.asset(datamap_files(purview, CSV_1)[0])["id"]
    term = uc.term(domain)["id"]
    known = {"businessdomains": domain, "dataproducts": product, "dataassets": asset, "terms": term}

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(
        segments=st.lists(SEGMENT, min_size=2, max_size=2), params=PARAMS, body=st.one_of(JSON, st.binary(max_size=16))
    )
    def probe(segments: list[str], params: list[tuple[str, str]], body: object) -> None:
        filled = iter(segments)
        collection = template.strip("/").split("/")[0]

        def fill(_match: re.Match[str]) -> str:
            segment = next(filled)
            return known[collection] if segment == "{known}" else segment

        path = re.sub(r"\{[^}]+\}", fill, template)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        query = [("api-version", "2026-03-20-preview"), *params]
        response = uc.http.request(method, f"{uc.base}{path}", params=query, data=data)
        assert response.status_code < 500, (method, path, params, body, response.text)
        if response.status_code >= 400:
            assert response.json()["error"]["code"] == response.headers["x-ms-error-code"]

    probe()
