"""POST /search/query, /search/suggest and /search/autocomplete over the SearchIndex.

Implements the filter grammar of the official examples (and/or/not; entityType or typeName with
includeSubTypes; objectType; assetType; collectionId; classification with includeSubClassifications;
term, term + glossary, termGuid; glossaryType; termStatus; termTemplate; id; fileExtension;
attributeName + operator + attributeValue, including timerange; createTime/updateTime), continuation
tokens bound to the request, legacy offset paging and facets. The optional `kind` decoration is ignored.
"""

from __future__ import annotations

import heapq
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from emulators.purview import errors
from emulators.purview.model.search_index import FACET_FIELDS, Doc, SearchIndex, tokens
from emulators.purview.model.search_options import (
    decode_token,
    encode_token,
    int_option,
    keywords_and_limit,
    request_hash,
    sort_key,
)

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
LEGACY_OFFSET_BEFORE = "2023-09-01"
DAY_MS = 86_400_000
TIMERANGES = {"LAST_24H": DAY_MS, "LAST_7D": 7 * DAY_MS, "LAST_30D": 30 * DAY_MS, "LAST_365D": 365 * DAY_MS}
SIMPLE_FIELDS = {
    "objectType": "objectType",
    "assetType": "assetType",
    "collectionId": "collectionId",
    "label": "label",
    "glossaryType": "glossaryType",
    "termStatus": "termStatus",
    "termTemplate": "termTemplate",
    "id": "id",
    "termGuid": "termGuid",
    "contactId": "contactId",
}
_Leaf = Callable[[set[int]], set[int]]


class SearchEngine:
    """Evaluates discovery requests against a SearchIndex."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    # ----- query -----------------------------------------------------------------------------------------

    def query(self, body: Any, api_version: str | None, allowed: set[str] | None = None) -> dict[str, Any]:
        """QueryResult for a QueryOptions body. `allowed` limits results to readable collections."""
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected QueryOptions")
        limit = int_option(body, "limit", DEFAULT_LIMIT)
        if not 1 <= limit <= MAX_LIMIT:
            raise errors.INVALID_PARAMETERS(f"limit must be between 1 and {MAX_LIMIT}")
        self.index.drain()
        legacy = api_version is not None and api_version < LEGACY_OFFSET_BEFORE
        offset = int_option(body, "offset", 0) if legacy else 0
        token = body.get("continuationToken")
        bound_to = request_hash(body)
        if token is not None and not legacy:
            offset = decode_token(token, bound_to)
        ids = self._matching(body, allowed)
        scores = self._scores(body.get("keywords"), ids)
        page_ids = self._page(ids, scores, body.get("orderby"), offset, limit)
        docs = self.index.docs
        value = [{"@search.score": scores.get(i, 1.0) if scores else 1.0, **docs[i].value} for i in page_ids]
        if scores:
            words = sorted(tokens(str(body.get("keywords"))), key=len, reverse=True)
            for item in value:
                highlights = _highlights(item, words)
                if highlights:
                    item["@search.highlights"] = highlights
        result: dict[str, Any] = {"@search.count": len(ids), "@search.count.approximate": False}
        if not legacy and offset + limit < len(ids):
            result["continuationToken"] = encode_token(offset + limit, bound_to)
        facets = body.get("facets")
        if facets:
            result["@search.facets"] = self._facets(ids, facets)
        result["value"] = value
        return result

    def _matching(self, body: dict[str, Any], allowed: set[str] | None) -> set[int]:
        universe = self.index.all_ids
        if allowed is not None:
            universe = set().union(*(self.index.ids_for("collectionId", c) for c in allowed)) if allowed else set()
            universe |= self.index.ids_for("objectType", "Glossary terms")
        keywords = body.get("keywords")
        if keywords is not None and not isinstance(keywords, str):
            raise errors.INVALID_PARAMETERS("keywords must be a string")
        words = [] if keywords in (None, "", "*") else sorted(tokens(keywords.replace("\\", " ")))
        result = universe
        for word in words:
            result = result & self.index.ids_for_word_prefix(word)
        flt = body.get("filter")
        if flt is not None:
            result = self._evaluate(flt, result)
        return result if result is not self.index.all_ids else set(result)

    def _scores(self, keywords: Any, ids: set[int]) -> dict[int, float]:
        if not isinstance(keywords, str) or keywords.strip() in ("", "*"):
            return {}
        wanted = tokens(keywords)
        docs = self.index.docs
        return {i: 1.0 + len(wanted & docs[i].name_words) for i in ids}

    def _page(self, ids: set[int], scores: dict[int, float], orderby: Any, offset: int, limit: int) -> list[int]:
        docs = self.index.docs
        stop = offset + limit
        if not orderby:
            if scores:
                return heapq.nsmallest(stop, ids, key=lambda i: (-scores[i], i))[offset:]
            return heapq.nsmallest(stop, ids)[offset:]
        if not isinstance(orderby, list):
            raise errors.INVALID_PARAMETERS("orderby must be a list of {field: ASC|DESC}")
        ordered = sorted(ids)
        for clause in reversed(orderby):
            if not isinstance(clause, dict) or len(clause) != 1:
                raise errors.INVALID_PARAMETERS("orderby items must be single-field objects")
            ((name, direction),) = clause.items()
            if str(direction).upper() not in ("ASC", "DESC"):
                raise errors.INVALID_PARAMETERS(f"invalid sort direction {direction}")
            field_name = str(name)

            def key(i: int, n: str = field_name) -> tuple[int, Any]:
                return sort_key(docs[i].value.get(n))

            ordered.sort(key=key, reverse=str(direction).upper() == "DESC")
        return ordered[offset:stop]

    def _facets(self, ids: set[int], facets: Any) -> dict[str, list[dict[str, Any]]]:
        if not isinstance(facets, list):
            raise errors.INVALID_PARAMETERS("facets must be a list")
        out: dict[str, list[dict[str, Any]]] = {}
        docs = self.index.docs
        for item in facets:
            name = item.get("facet") if isinstance(item, dict) else None
            if name not in FACET_FIELDS:
                raise errors.INVALID_PARAMETERS(f"unsupported facet {name}")
            counts: Counter[str] = Counter()
            for i in ids:
                value = docs[i].value.get(name)
                if name == "term":
                    value = [t["name"] for t in value or []]
                elif name in ("contactId", "contactType"):
                    value = [
                        c["id" if name == "contactId" else "contactType"] for c in docs[i].value.get("contact") or []
                    ]
                for v in value if isinstance(value, list) else [value]:
                    if v is not None:
                        counts[str(v)] += 1
            sort = item.get("sort") or {}
            if "value" in sort:
                ordered = sorted(counts.items(), key=lambda kv: kv[0], reverse=str(sort["value"]).lower() == "desc")
            else:
                ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                if str(sort.get("count", "desc")).lower() == "asc":
                    ordered.reverse()
            count = item.get("count")
            if isinstance(count, int) and count > 0:
                ordered = ordered[:count]
            out[name] = [{"count": c, "value": v} for v, c in ordered]
        return out

    # ----- filter grammar ----------------------------------------------------------------------------------

    def _evaluate(self, flt: Any, universe: set[int]) -> set[int]:
        if not isinstance(flt, dict):
            raise errors.INVALID_PARAMETERS("filter clauses must be JSON objects")
        clause = {k: v for k, v in flt.items() if k != "kind"}
        if "and" in clause:
            children = _children(clause["and"], "and")
            result = universe
            for child in sorted(children, key=self._cost):
                result = self._evaluate(child, result)
                if not result:
                    break
            return result
        if "or" in clause:
            out: set[int] = set()
            for child in _children(clause["or"], "or"):
                out |= self._evaluate(child, universe)
            return out
        if "not" in clause:
            return universe - self._evaluate(clause["not"], universe)
        return self._leaf(clause)(universe)

    def _cost(self, clause: Any) -> int:
        if isinstance(clause, dict) and ("attributeName" in clause or "createTime" in clause or "updateTime" in clause):
            return 2
        if isinstance(clause, dict) and ("and" in clause or "or" in clause or "not" in clause):
            return 1
        return 0

    def _leaf(self, clause: dict[str, Any]) -> _Leaf:
        index = self.index
        for key, field_name in SIMPLE_FIELDS.items():
            if key in clause:
                values = clause[key] if isinstance(clause[key], list) else [clause[key]]
                return _lookup(index, [(field_name, str(v)) for v in values])
        if "entityType" in clause or "typeName" in clause:
            name = clause.get("entityType", clause.get("typeName"))
            if not isinstance(name, str):
                raise errors.INVALID_PARAMETERS("entityType must be a string")
            names = index.entities.types.all_subtypes(name) if clause.get("includeSubTypes", True) else {name}
            return _lookup(index, [("entityType", n) for n in names])
        if "classification" in clause:
            name = str(clause["classification"])
            names = index.entities.types.all_subtypes(name) if clause.get("includeSubClassifications", True) else {name}
            return _lookup(index, [("classification", n) for n in names])
        if "term" in clause:
            if clause.get("glossary") is not None:
                return _lookup(index, [("termInGlossary", f"{clause['term']}@{clause['glossary']}")])
            return _lookup(index, [("term", str(clause["term"]))])
        if "fileExtension" in clause:
            return _lookup(index, [("fileExtension", str(clause["fileExtension"]).lower().lstrip("."))])
        if "attributeName" in clause:
            return self._attribute_leaf(clause)
        if "createTime" in clause or "updateTime" in clause:
            name = "createTime" if "createTime" in clause else "updateTime"
            spec = clause[name]
            if isinstance(spec, dict):
                return self._predicate(name, str(spec.get("operator", "eq")), spec.get("timeThreshold"))
            return self._predicate(name, "timerange", spec)
        raise errors.INVALID_PARAMETERS(f"unsupported filter {json.dumps(clause)[:200]}")

    def _attribute_leaf(self, clause: dict[str, Any]) -> _Leaf:
        name = clause.get("attributeName")
        operator = str(clause.get("operator", "eq"))
        value = clause.get("attributeValue")
        if not isinstance(name, str):
            raise errors.INVALID_PARAMETERS("attributeName must be a string")
        if operator == "eq" and isinstance(value, str) and name in ("name", "qualifiedName"):
            return _lookup(self.index, [(f"attr:{name}", value)])
        return self._predicate(name, operator, value)

    def _predicate(self, name: str, operator: str, expected: Any) -> _Leaf:
        test = _operator(operator, expected)
        docs = self.index.docs

        def scan(universe: set[int]) -> set[int]:
            out = set()
            for i in universe:
                doc = docs[i]
                actual = doc.value.get(name) if name in ("createTime", "updateTime") else _attribute(doc, name)
                if test(actual):
                    out.add(i)
            return out

        return scan

    # ----- suggest / autocomplete ------------------------------------------------------------------------------

    def suggest(self, body: Any, allowed: set[str] | None = None) -> dict[str, Any]:
        """Documents whose tokens start with the keywords, with the match marked up in @search.text."""
        keywords, limit = keywords_and_limit(body, 5)
        ids = self._matching({"keywords": keywords, "filter": body.get("filter")}, allowed)
        docs = self.index.docs
        out = []
        for i in heapq.nsmallest(limit, ids):
            value = dict(docs[i].value)
            out.append(
                {
                    "@search.score": 1.0,
                    "@search.text": f"<em>{value.get('name') or value.get('qualifiedName')}</em>",
                    **value,
                }
            )
        return {"value": out}

    def autocomplete(self, body: Any) -> dict[str, Any]:
        """Indexed words completing the last keyword."""
        keywords, limit = keywords_and_limit(body, 5)
        self.index.drain()
        head, _, last = keywords.lower().rpartition(" ")
        words = self.index.words_with_prefix(last, limit)
        return {"value": [{"text": w, "queryPlusText": f"{head} {w}".strip()} for w in words]}


def _highlights(item: dict[str, Any], words: list[str]) -> dict[str, list[str]]:
    """Fields where a keyword matched, with the matches wrapped in <em> like Azure Cognitive Search."""
    if not words:
        return {}
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out = {}
    for field_name in ("qualifiedName", "name", "description"):
        text = item.get(field_name)
        if isinstance(text, str) and pattern.search(text):
            out[field_name] = [pattern.sub(lambda m: f"<em>{m.group(0)}</em>", text)]
    return out


def _lookup(index: SearchIndex, keys: list[tuple[str, str]]) -> _Leaf:
    def leaf(universe: set[int]) -> set[int]:
        found: set[int] = set()
        for key in keys:
            found |= index.ids_for(*key)
        return found & universe if len(found) <= len(universe) else universe & found

    return leaf


def _children(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise errors.INVALID_PARAMETERS(f"'{name}' needs a non-empty list of filters")
    return value


def _attribute(doc: Doc, name: str) -> Any:
    if "." in name and name not in doc.attributes:
        return None
    return doc.attributes.get(name, doc.value.get(name))


def _operator(operator: str, expected: Any) -> Callable[[Any], bool]:
    if operator == "timerange":
        if not isinstance(expected, str) or expected not in (*TIMERANGES, "MORE_THAN_365D"):
            raise errors.INVALID_PARAMETERS(f"invalid timerange {expected}")
        now = int(time.time() * 1000)
        if expected == "MORE_THAN_365D":
            return lambda v: isinstance(v, int | float) and v < now - TIMERANGES["LAST_365D"]
        return lambda v: isinstance(v, int | float) and v >= now - TIMERANGES[expected]
    if operator in ("contains", "prefix", "eq", "ne") and isinstance(expected, str):
        low = expected.lower()
        tests: dict[str, Callable[[Any], bool]] = {
            "contains": lambda v: isinstance(v, str) and low in v.lower(),
            "prefix": lambda v: isinstance(v, str) and v.lower().startswith(low),
            "eq": lambda v: isinstance(v, str) and v.lower() == low,
            "ne": lambda v: not (isinstance(v, str) and v.lower() == low),
        }
        return tests[operator]
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        "eq": lambda a, b: a == b,
        "ne": lambda a, b: a != b,
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
    }
    if operator not in comparisons:
        raise errors.INVALID_PARAMETERS(f"unsupported operator {operator}")
    compare = comparisons[operator]

    def test(value: Any) -> bool:
        if value is None or isinstance(value, dict | list):
            return operator == "ne"
        try:
            return bool(compare(value, expected))
        except TypeError:
            return False

    return test
