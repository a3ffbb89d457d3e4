"""What a CluedIn user does through CluedIn's own API: rules, clean, deduplication and manual-data-entry projects.

The calls are the ones CluedIn's own clients make — the Product Toolkit's GraphQL documents (createRule then
saveRule; createNewCleanProject; createDedupProject then createDedupRule; createManualDataEntryProject then
addManualDataEntryProjectFormField, with the vocabulary and keys looked up first) and Swagger's REST deletes — sent
with a user's access token from the password grant. The demo, the benchmark and the integration tests use it to
change CluedIn the way a person would. A manual-data-entry project has no published delete: removing one goes
through the emulator's simulated user activity.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests

ZERO = "00000000-0000-0000-0000-000000000000"
EQUALS = "0bafc522-8011-43ba-978a-babe222ba466"
EXISTS = "306e5d29-832f-41e7-a6db-1c02eb5ebf74"
ENTITY_TYPE_OBJECT = "3be85371-cbe0-4180-8820-73e6e37a6c32"
PROPERTY_OBJECT = "011ac3b4-0b46-4f9c-a82a-8c14f9dd642b"
"""Operator and object type ids of CluedIn's filter trees (the `cluedin` SDK's; reference cluedin-more.md §1.1)."""

CREATE_RULE = (
    """mutation createRule($rule: InputCreateRule!) { management { id createRule(rule: $rule) { id name } } }"""
)
SAVE_RULE = """mutation saveRule($rule: InputRule!) { management { id saveRule(rule: $rule) { id name isActive } } }"""
CREATE_CLEAN = """mutation createNewCleanProject($cleanProject: InputNewCleanProject!) {
  preparation { id createNewCleanProject(cleanProject: $cleanProject) { id } } }"""
UPDATE_CLEAN = """mutation updateNewCleanProject($id: ID!, $cleanProject: InputNewCleanProject!) {
  preparation { id updateNewCleanProject(id: $id, cleanProject: $cleanProject) { id } } }"""
CREATE_DEDUP = """mutation createDedupProject($dedupProject: InputDedupProject) {
  management { id createDedupProject(dedupProject: $dedupProject) { id name } } }"""
SAVE_DEDUP = """mutation saveDedupProject($id: ID!, $dedupProject: InputDedupProject) {
  management { id saveDedupProject(id: $id, dedupProject: $dedupProject) { id name } } }"""
CREATE_DEDUP_RULE = """mutation createDedupRule($id: ID!, $rule: InputDedupProjectRule) {
  management { id createDedupRule(id: $id, rule: $rule) { id } } }"""
VOCABULARIES = """query getAllVocabularies($searchName: String, $pageNumber: Int, $pageSize: Int) {
  management { id vocabularies(searchName: $searchName, pageNumber: $pageNumber, pageSize: $pageSize) {
    total data { vocabularyId vocabularyName keyPrefix } } } }"""
KEY = """query getVocabularyKey($key: String!) { management { vocabularyPerKey(key: $key) { vocabularyKeyId key } } }"""
CREATE_MDE = """mutation createManualDataEntryProject($manualDataEntryProject: ManualDataEntryProjectInput) {
  management { createManualDataEntryProject(manualDataEntryProject: $manualDataEntryProject) { id title } } }"""
SAVE_MDE = """mutation saveManualDataEntryProject($id: ID!, $manualDataEntryProject: ManualDataEntryProjectInput) {
  management { saveManualDataEntryProject(id: $id, manualDataEntryProject: $manualDataEntryProject) { id title } } }"""
ADD_FORM_FIELD = """mutation addManualDataEntryProjectFormField($projectId: ID!, $formField: FormFieldInput) {
  management { addManualDataEntryProjectFormField(projectId: $projectId, formField: $formField) {
    id vocabularyKey } } }"""


def leaf(field: str, value: list[Any], operator: str = EQUALS) -> dict[str, Any]:
    """A filter-tree leaf in the full shape the SDK's fixtures show."""
    object_type = ENTITY_TYPE_OBJECT if field == "EntityType" else PROPERTY_OBJECT
    return {"objectTypeId": object_type, "condition": "AND", "field": field, "id": str(uuid.uuid4()),
            "operator": operator, "rules": [], "type": "string", "value": value}  # fmt: skip


def group(rules: list[dict[str, Any]], condition: str = "AND") -> dict[str, Any]:
    """A filter-tree group node (zero GUIDs, null field/type/value)."""
    return {"objectTypeId": ZERO, "condition": condition, "field": None, "id": str(uuid.uuid4()), "operator": ZERO,
            "rules": rules, "type": None, "value": None}  # fmt: skip


def set_value_action(key: str, value: str) -> dict[str, Any]:
    """A 'Set Value' rule action writing `value` into `key` (FieldName / Value, as the Fabric workload reads them)."""
    return {
        "name": "Set Value",
        "type": "CluedIn.Rules.Actions.SetValue, CluedIn.Rules",
        "supportsPreview": False,
        "properties": [
            {"name": "FieldName", "type": "System.String", "kind": "None", "friendlyName": "Field Name", "value": key},
            {"name": "Value", "type": "System.String", "kind": "None", "friendlyName": "Value", "value": value},
        ],
    }


class CluedInUser:
    """A signed-in CluedIn user (password grant) calling the UI GraphQL and Server.WebApi REST."""

    def __init__(self, url: str, organization: str, username: str, password: str) -> None:
        self.url = url.rstrip("/")
        form = {"grant_type": "password", "username": username, "password": password, "client_id": organization}
        token = requests.post(f"{self.url}/auth/connect/token", data=form, timeout=30)
        token.raise_for_status()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The `data` of a UI GraphQL call (errors raise)."""
        response = self.http.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=30)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise RuntimeError(f"CluedIn refused the call: {body['errors']}")
        data: dict[str, Any] = body["data"]
        return data

    def rest(self, method: str, route: str) -> None:
        """A Server.WebApi call behind the gateway (`/api/api/...`)."""
        self.http.request(method, f"{self.url}/api/api/{route}", timeout=30).raise_for_status()

    # --- processing rules ----------------------------------------------------------------------------------------

    def create_rule(
        self, name: str, scope: str, *, entity_type: str, actions: list[dict[str, Any]] | None = None, key: str = ""
    ) -> str:
        """A rule of one scope for one entity type, saved active (createRule, then saveRule as the Toolkit does)."""
        created = self.graphql(CREATE_RULE, {"rule": {"name": name, "scope": scope}})["management"]["createRule"]
        rules = []
        if actions:
            conditions = group([leaf(f"Properties[{key}]", [], EXISTS)] if key else [])
            rules = [{"id": str(uuid.uuid4()), "name": name, "type": "ProcessingRule", "order": 1, "isActive": True,
                      "conditions": conditions, "actions": actions}]  # fmt: skip
        rule = {"id": created["id"], "name": name, "isActive": True, "scope": scope,
                "condition": group([leaf("EntityType", [entity_type])]), "rules": rules}  # fmt: skip
        self.graphql(SAVE_RULE, {"rule": rule})
        return str(created["id"])

    def rename_rule(self, rule_id: str, name: str) -> None:
        """SaveRule with a new name only."""
        self.graphql(SAVE_RULE, {"rule": {"id": rule_id, "name": name}})

    def delete_rule(self, rule_id: str) -> None:
        """REST `DELETE rules/{id}`."""
        self.rest("DELETE", f"v1/rules/{rule_id}")

    # --- clean projects -------------------------------------------------------------------------------------------

    def create_clean_project(self, name: str, *, entity_type: str, keys: list[str]) -> str:
        """A clean project over one entity type's golden records, cleaning `keys`."""
        project = {"name": name, "query": "", "includeDataParts": False, "description": None,
                   "fields": [{"property": k, "type": "vocabulary"} for k in keys],
                   "condition": {"condition": "AND", "rules": [
                       {k: v for k, v in leaf("EntityType", [entity_type]).items() if k != "id"}]}}  # fmt: skip
        created = self.graphql(CREATE_CLEAN, {"cleanProject": project})
        return str(created["preparation"]["createNewCleanProject"]["id"])

    def rename_clean_project(self, project_id: str, name: str) -> None:
        """UpdateNewCleanProject with a new name."""
        self.graphql(UPDATE_CLEAN, {"id": project_id, "cleanProject": {"name": name}})

    def delete_clean_project(self, project_id: str) -> None:
        """REST `DELETE v2/clean/{projectId}`."""
        self.rest("DELETE", f"v2/clean/{project_id}")

    # --- deduplication projects -----------------------------------------------------------------------------------

    def create_dedup_project(self, name: str, *, entity_type: str, key: str) -> str:
        """A project over one business domain with one matching rule comparing `key`."""
        scope = {"deduplicationScopeFilterType": 0, "deduplicationScopeFilter": [entity_type],
                 "shouldLimitQuerySize": False, "querySizeLimit": None}  # fmt: skip
        project = self.graphql(CREATE_DEDUP, {"dedupProject": {"name": name, **scope}})["management"]
        ident = str(project["createDedupProject"]["id"])
        criteria = [{"name": key, "objectType": "vocabularyKey", "fieldName": key, "matchingTypeId": None,
                     "comparisonConfiguration": None, "normalizationConfiguration": None}]  # fmt: skip
        self.graphql(CREATE_DEDUP_RULE, {"id": ident, "rule": {"name": f"Same {key}", "matchingCriteria": criteria}})
        return ident

    def delete_dedup_project(self, project_id: str) -> None:
        """REST `DELETE deduplication/projects/{projectId}`."""
        self.rest("DELETE", f"deduplication/projects/{project_id}")

    # --- manual data entry ----------------------------------------------------------------------------------------

    def create_mde_project(self, title: str, *, entity_type: str, vocabulary: str, keys: list[str]) -> str:
        """A project of one entity type with a form field per vocabulary key (the keys must exist)."""
        found = self.graphql(VOCABULARIES, {"searchName": vocabulary, "pageNumber": 1, "pageSize": 50})
        vocab = next(v for v in found["management"]["vocabularies"]["data"] if v["keyPrefix"] == vocabulary)
        display = entity_type.strip("/").split("/")[-1]
        project = {"title": title, "entityType": entity_type, "requireApproval": False, "description": None,
                   "entityTypeConfiguration": {"new": False, "icon": "Building", "entityType": entity_type,
                                               "displayName": display},
                   "vocabularyConfiguration": {"new": False, "vocabularyName": vocab["vocabularyName"],
                                               "keyPrefix": vocabulary,
                                               "vocabularyId": vocab["vocabularyId"]}}  # fmt: skip
        created = self.graphql(CREATE_MDE, {"manualDataEntryProject": project})["management"]
        ident = str(created["createManualDataEntryProject"]["id"])
        for index, key in enumerate(keys):
            key_id = self.graphql(KEY, {"key": key})["management"]["vocabularyPerKey"]["vocabularyKeyId"]
            field = {"vocabularyKeyConfiguration": {"new": False, "vocabularyKeyName": key, "vocabularyKeyId": key_id},
                     "label": key.split(".")[-1].title(), "type": "Text", "isRequired": index == 0,
                     "onlyExistingValues": False, "useAsEntityCode": index == 0, "description": None,
                     "parameters": None}  # fmt: skip
            self.graphql(ADD_FORM_FIELD, {"projectId": ident, "formField": field})
        return ident

    def rename_mde_project(self, project_id: str, title: str) -> None:
        """SaveManualDataEntryProject with a new title."""
        self.graphql(SAVE_MDE, {"id": project_id, "manualDataEntryProject": {"title": title}})

    def remove_mde_project(self, project_id: str) -> None:
        """No published API deletes a project: the emulator's simulated user activity stands for it."""
        body = {"id": project_id}
        requests.post(
            f"{self.url}/_emulator/activity/manual-data-entry/remove", json=body, timeout=30
        ).raise_for_status()
