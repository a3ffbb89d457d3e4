"""The shared stack with what the glossary features' tests need: CluedIn vocabularies and Purview terms, made and
edited the way people make them (CluedIn's GraphQL and REST as its own clients send them; Purview's glossary API).
"""

from __future__ import annotations

from typing import Any

import requests

from sync.core.feature import ApplyOutcome
from sync.core.messages import Queues
from sync.core.report import RunReport
from tests.support.stack import Stack, build_stack

ORG = "acme"
GLOSSARY_QUEUE = Queues.GLOSSARY.value
F5, F6, F7 = "vocabularies_to_glossary", "glossary_to_vocabularies", "glossary_to_cluedin_glossary"
QUEUE_OF = {F5: Queues.GLOSSARY.value, F6: Queues.CLUEDIN.value, F7: Queues.CLUEDIN.value}
TEMPLATE = "CluedIn Template"

CREATE_VOCABULARY = """mutation createVocabulary($vocabulary: InputVocabulary) {
  management { createVocabulary(vocabulary: $vocabulary) { vocabularyId keyPrefix } } }"""
SAVE_VOCABULARY = """mutation saveVocabulary($vocabulary: InputVocabulary!) {
  management { saveVocabulary(vocabulary: $vocabulary) { vocabularyId vocabularyName } } }"""
CREATE_KEY = """mutation createVocabularyKey($vocabularyKey: InputVocabularyKey) {
  management { createVocabularyKey(vocabularyKey: $vocabularyKey) { vocabularyKeyId key } } }"""
VOCABULARIES = """query getAllVocabularies($pageSize: Int) { management { vocabularies(pageSize: $pageSize) {
  total data { vocabularyId vocabularyName keyPrefix description grouping } } } }"""
KEYS = """query getAllVocabularyKeys($pageSize: Int) { management { vocabularyKeys(pageSize: $pageSize) {
  total data { vocabularyKeyId vocabularyId key name displayName dataType description } } } }"""
TERMS = """query getAllTerms($pageSize: Int) { management { glossaryTerms(pageSize: $pageSize) {
  total data { id name categoryId active shortDescription description } } } }"""
TERM = """query getGlossaryTerm($id: ID!) { management { glossaryTerm(id: $id) {
  id name categoryId active shortDescription description ruleSet version } } }"""
SAVE_TERM = """mutation saveGlossaryTerm($term: InputGlossaryTerm) { management { saveGlossaryTerm(term: $term) {
  id name } } }"""
CATEGORIES = "query getGlossaryCategory { management { glossaryCategories { id name } } }"


def template_seed(*glossaries: dict[str, Any]) -> dict[str, Any]:
    """A Purview seed with the 'CluedIn Template' term template (boolean CluedInVocab) and the given glossaries."""
    return {
        "termTemplates": [{"name": TEMPLATE, "attributeDefs": [{"name": "CluedInVocab", "typeName": "boolean"}]}],
        "glossaries": list(glossaries),
    }


class GlossaryStack(Stack):
    """The shared stack plus CluedIn vocabularies, glossary terms on both sides, and their edits."""

    def run(self, feature: str, **overrides: Any) -> tuple[RunReport, list[ApplyOutcome]]:
        """One cycle of a glossary feature, its queue drained."""
        return self.cycle(feature, **overrides)

    # --- CluedIn ----------------------------------------------------------------------------------------------
    def ui(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A UI GraphQL call as a CluedIn user; fails the test on errors."""
        body = self.cluedin.graphql(query, variables or {})
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def rest(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A REST call as a CluedIn user."""
        headers = {"Authorization": f"Bearer {self.cluedin.access_token()}"}
        return requests.request(method, f"{self.cluedin.url}/api/v1/{path}", headers=headers, timeout=30, **kwargs)

    def add_vocabulary(
        self, name: str, keys: list[str] | dict[str, str], *, prefix: str | None = None
    ) -> dict[str, Any]:
        """A vocabulary with keys (name → data type, Text by default); returns ids and key ids by name."""
        spec = {"vocabularyName": name, "keyPrefix": prefix or name.lower().replace(" ", "")}
        vocabulary = self.ui(CREATE_VOCABULARY, {"vocabulary": spec})["management"]["createVocabulary"]
        types = keys if isinstance(keys, dict) else dict.fromkeys(keys, "Text")
        ids = {}
        for key, data_type in types.items():
            made = self.ui(
                CREATE_KEY,
                {"vocabularyKey": {"vocabularyId": vocabulary["vocabularyId"], "name": key, "dataType": data_type}},
            )
            ids[key] = made["management"]["createVocabularyKey"]["vocabularyKeyId"]
        return {"id": vocabulary["vocabularyId"], "prefix": vocabulary["keyPrefix"], "keys": ids}

    def rename_vocabulary(self, vocabulary_id: str, name: str) -> None:
        """A person renames a vocabulary in CluedIn."""
        self.ui(SAVE_VOCABULARY, {"vocabulary": {"vocabularyId": vocabulary_id, "vocabularyName": name}})

    def delete_vocabulary(self, vocabulary_id: str) -> None:
        """A person deletes a vocabulary (REST: GraphQL has no delete)."""
        self.rest("DELETE", f"vocabs/vocabulary/{vocabulary_id}").raise_for_status()

    def delete_key(self, vocabulary_id: str, key_id: str) -> None:
        """A person deletes a vocabulary key."""
        self.rest("DELETE", f"vocabs/vocabulary/{vocabulary_id}/key/{key_id}").raise_for_status()

    def vocabularies(self) -> dict[str, dict[str, Any]]:
        """CluedIn's vocabularies by key prefix (fails on a duplicate prefix)."""
        data = self.ui(VOCABULARIES, {"pageSize": 10000})["management"]["vocabularies"]["data"]
        found: dict[str, dict[str, Any]] = {}
        for vocabulary in data:
            assert vocabulary["keyPrefix"] not in found, f"duplicate vocabulary {vocabulary['keyPrefix']}"
            found[vocabulary["keyPrefix"]] = vocabulary
        return found

    def vocabulary_keys(self) -> dict[str, dict[str, Any]]:
        """CluedIn's vocabulary keys by full key."""
        data = self.ui(KEYS, {"pageSize": 10000})["management"]["vocabularyKeys"]["data"]
        return {k["key"]: k for k in data}

    def cluedin_terms(self) -> list[dict[str, Any]]:
        """CluedIn's glossary terms."""
        terms: list[dict[str, Any]] = self.ui(TERMS, {"pageSize": 10000})["management"]["glossaryTerms"]["data"]
        return terms

    def cluedin_term(self, term_id: str) -> dict[str, Any]:
        """One CluedIn glossary term with its rule set."""
        term: dict[str, Any] = self.ui(TERM, {"id": term_id})["management"]["glossaryTerm"]
        return term

    def categories(self) -> dict[str, str]:
        """CluedIn glossary category name → id."""
        return {c["name"]: c["id"] for c in self.ui(CATEGORIES)["management"]["glossaryCategories"]}

    # --- Purview ----------------------------------------------------------------------------------------------
    def glossaries(self) -> dict[str, str]:
        """Purview glossary name → guid."""
        session = self.purview.session()
        return {g["name"]: g["guid"] for g in session.get(f"{self.purview.atlas_url}/glossary", timeout=10).json()}

    def purview_terms(self, glossary: str | None = None) -> list[dict[str, Any]]:
        """Every term of a glossary (default: every glossary)."""
        session = self.purview.session()
        found: list[dict[str, Any]] = []
        for name, guid in self.glossaries().items():
            if glossary is None or name == glossary:
                url = f"{self.purview.atlas_url}/glossary/{guid}/terms"
                found += session.get(url, params={"limit": -1}, timeout=10).json()
        return found

    def purview_term(self, name: str) -> dict[str, Any]:
        """The one Purview term of that name (fails when there are none or several)."""
        [term] = [t for t in self.purview_terms() if t["name"] == name]
        return term

    def add_purview_term(
        self, name: str, *, glossary: str, parent: str | None = None, vocab: bool | None = None, **fields: Any
    ) -> str:
        """A person creates a term (optionally under a parent, with the CluedInVocab template attribute)."""
        body: dict[str, Any] = {"name": name, "anchor": {"glossaryGuid": self.glossaries()[glossary]}, **fields}
        if parent is not None:
            body["parentTerm"] = {"termGuid": self.purview_term(parent)["guid"]}
        if vocab is not None:
            body["attributes"] = {TEMPLATE: {"CluedInVocab": vocab}}
        response = self.purview.session().post(
            f"{self.purview.atlas_url}/glossary/term", params={"includeTermHierarchy": "true"}, json=body, timeout=10
        )
        response.raise_for_status()
        return str(response.json()["guid"])

    def edit_purview_term(self, guid: str, **fields: str) -> None:
        """A person edits a term's text fields in Purview."""
        url = f"{self.purview.atlas_url}/glossary/term/{guid}/partial"
        response = self.purview.session().put(url, params={"includeTermHierarchy": "true"}, json=fields, timeout=10)
        response.raise_for_status()

    def delete_purview_term(self, guid: str) -> None:
        """A person deletes a term in Purview."""
        response = self.purview.session().delete(f"{self.purview.atlas_url}/glossary/term/{guid}", timeout=10)
        response.raise_for_status()

    def assign_term(self, term_guid: str) -> str:
        """A steward assigns the term to a new table; returns the table's guid."""
        table = self.add_table(f"t{term_guid[:8]}")
        url = f"{self.purview.atlas_url}/glossary/terms/{term_guid}/assignedEntities"
        self.purview.session().post(url, json=[{"guid": table["guid"]}], timeout=10).raise_for_status()
        return str(table["guid"])


def build_glossary_stack(azurite: Any, purview: Any, cluedin: Any, *, seed: dict[str, Any] | None = None,
                         **settings: str) -> GlossaryStack:  # fmt: skip
    """The stack with the CluedIn organization `acme` (fresh) and Purview seeded (default: the template only)."""
    cluedin.seed({"organization": {"name": ORG}})
    stack = build_stack(
        azurite,
        purview,
        cluedin,
        org=ORG,
        seed=seed if seed is not None else template_seed(),
        stack_type=GlossaryStack,
        SYNC_CLUEDIN_DATA_SOURCES="false",
        **settings,
    )
    assert isinstance(stack, GlossaryStack)
    return stack
