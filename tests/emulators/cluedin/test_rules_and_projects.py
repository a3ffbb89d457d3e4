"""Issue 11 item 2: rules and dedup / manual-data-entry / clean projects, driven as CluedIn's own clients drive them.

Variables are the ones the Product Toolkit's PowerShell functions build (New-/Set-/Get-CluedIn* and the Import-*
flows: read, then send back what was read), the Fabric workload's clean project template, and the `cluedin` SDK's
rule reader and offline rule processor. What is created must show in the read operations and the audit log.
"""

from __future__ import annotations

import cluedin
import pytest
from cluedin.rules import RuleProcessor, RuleScope, get_all_rule_details

from emulators.cluedin.store import OBJECT_TYPE_IDS
from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin import toolkit as tk

ADD_TAG = {
    "name": "Add Tag",
    "type": "CluedIn.Rules.Actions.AddTag, CluedIn.Rules",
    "supportsPreview": False,
    "properties": [
        {
            "name": "Value",
            "type": "System.String",
            "kind": "None",
            "friendlyName": "Value",
            "value": "Danish",
            "isRequired": True,
        }
    ],
}
DK = doc.filter_group([doc.filter_leaf("Properties[customer.country]", doc.EQUALS, ["DK"])])
CUSTOMERS = doc.filter_group([doc.filter_leaf("EntityType", doc.EQUALS, ["/Customer"])])


def _audit(client, object_type: str) -> list[dict[str, object]]:
    """Audit entries of one object type, newest first, as a change-polling client reads them."""
    params = {"objectTypeIds": OBJECT_TYPE_IDS[object_type], "take": 100}
    data: list[dict[str, object]] = client.rest("GET", "/api/v1/auditLog/getByObjectTypeIds", params=params).json()[
        "data"
    ]
    return data


@pytest.fixture()
def sdk(seeded):
    ctx = cluedin.Context(
        domain="127.0.0.1",
        org_name=seeded.emulator.org,
        user_email=seeded.emulator.username,
        user_password=seeded.emulator.password,
        protocol="http",
        org_url=seeded.url,
    )
    ctx.get_token()
    return ctx


def test_rules_created_and_saved_like_the_toolkit_show_by_scope_and_in_the_sdk(seeded, sdk):
    created = {}
    for scope in ("DataPart", "Survivorship", "Entity"):
        body = seeded.ok(tk.CREATE_RULE, {"rule": {"name": f"Danish {scope}", "scope": scope}})
        created[scope] = body["management"]["createRule"]
    assert created["DataPart"]["isActive"] is False and created["DataPart"]["isOwner"] is True
    processing_rule = {
        "id": "e123a34e-487d-4bf9-aa60-5a2a575bf9aa",
        "name": "Add Tag",
        "type": "ProcessingRule",
        "order": 1,
        "isActive": True,
        "conditions": doc.filter_group([]),
        "actions": [ADD_TAG],
    }
    saved = seeded.ok(
        tk.SAVE_RULE,
        {
            "rule": {
                "id": created["DataPart"]["id"],
                "name": "Danish DataPart",
                "isActive": True,
                "description": "tags Danish customers",
                "scope": "DataPart",
                "condition": DK,
                "rules": [processing_rule],
            }
        },
    )
    assert saved["management"]["saveRule"]["isActive"] is True
    assert saved["management"]["saveRule"]["condition"] == DK
    by_scope = seeded.ok(tk.GET_RULES, {"searchName": "Danish", "pageNumber": 1, "scope": "DataPart"})
    listed = by_scope["management"]["rules"]
    assert listed["total"] == 1 and listed["data"][0]["id"] == created["DataPart"]["id"]
    golden = seeded.ok(tk.GET_RULES, {"searchName": "", "pageNumber": 1, "scope": "Entity"})["management"]["rules"]
    assert "Danish Entity" in [r["name"] for r in golden["data"]] and "Golden customer" in [
        r["name"] for r in golden["data"]
    ]
    # The SDK reads every rule of a scope in full and can run it offline.
    details = list(get_all_rule_details(sdk, RuleScope.DATA_PART))
    mine = next(
        d["data"]["management"]["rule"] for d in details if d["data"]["management"]["rule"]["name"] == "Danish DataPart"
    )
    assert mine["rules"][0]["actions"] == [ADD_TAG] and mine["affectedRecords"] == 1
    processors, skipped = RuleProcessor.prepare([mine])
    assert not skipped and processors[0].matches({"customer.country": "DK"})
    # The Toolkit's import: read the rule, send it back unchanged.
    read = seeded.ok(tk.GET_RULE, {"id": created["DataPart"]["id"]})["management"]["rule"]
    again = {k: read[k] for k in ("id", "name", "isActive", "description", "scope", "condition", "rules")}
    assert seeded.ok(tk.SAVE_RULE, {"rule": again})["management"]["saveRule"]["condition"] == DK
    actions = [(e["objectId"], e["action"]) for e in _audit(seeded, "Rule")]
    assert (created["DataPart"]["id"], "Created") in actions and (created["DataPart"]["id"], "Updated") in actions


def test_rule_input_errors_and_operators(seeded):
    bad_scope = seeded.raw(tk.CREATE_RULE, {"rule": {"name": "x", "scope": "Golden"}})
    assert "scope must be one of" in bad_scope["errors"][0]["message"]
    rule = seeded.ok(tk.CREATE_RULE, {"rule": {"name": "x", "scope": "Entity"}})["management"]["createRule"]
    bad_tree = seeded.raw(tk.SAVE_RULE, {"rule": {"id": rule["id"], "condition": {"rules": [{"operator": "Equals"}]}}})
    assert bad_tree["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    missing = seeded.raw(tk.GET_RULE, {"id": doc.ZERO})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    operators = seeded.ok(tk.RULE_OPERATORS)["management"]["ruleOperators"]
    assert len(operators) == 26 and operators[doc.NOT_EQUAL]["friendlyName"] == "Not Equal"
    assert seeded.rest("GET", "/api/v1/rules/operators").json() == operators


def test_dedup_projects_and_matching_rules_as_the_toolkit_imports_them(seeded):
    scope = {
        "deduplicationScopeFilterType": 1,
        "deduplicationScopeFilter": CUSTOMERS,
        "shouldLimitQuerySize": False,
        "querySizeLimit": None,
    }
    created = seeded.ok(tk.CREATE_DEDUP_PROJECT, {"dedupProject": {"name": "Customers", **scope}})
    project = created["management"]["createDedupProject"]
    assert project["deduplicationScopeFilter"] == CUSTOMERS
    # Get-CluedInDeduplicationProjects sends `page`, a variable the document does not declare: ignored.
    listed = seeded.ok(tk.GET_DEDUP_PROJECTS, {"page": 1, "itemsPerPage": 20})["management"]["deDupProjects"]
    assert project["id"] in [p["id"] for p in listed["data"]]
    criteria = [
        {
            "name": "Email",
            "objectType": "vocabularyKey",
            "fieldName": "customer.email",
            "matchingTypeId": "3a52e5a4-4e80-4d2e-9ae1-8cbbd8b4e8f1",
            "comparisonConfiguration": None,
            "normalizationConfiguration": [{"id": "trim", "parameters": []}],
        }
    ]
    rule = seeded.ok(
        tk.CREATE_DEDUP_RULE, {"id": project["id"], "rule": {"name": "Same email", "matchingCriteria": criteria}}
    )
    rule_id = rule["management"]["createDedupRule"]["id"]
    renamed = {"name": "Same e-mail", "matchingCriteria": criteria}
    seeded.ok(tk.UPDATE_DEDUP_RULE, {"id": project["id"], "ruleId": rule_id, "rule": renamed})
    rules = seeded.ok(tk.GET_DEDUP_RULES, {"id": project["id"], "pageNumber": 1, "itemsPerPage": 20})
    page = rules["management"]["deDuplicateProjectRules"]
    assert page["total"] == 1 and page["data"][0]["name"] == "Same e-mail" and page["data"][0]["enabled"] is True
    assert page["data"][0]["matchingCriteria"][0]["fieldName"] == "customer.email"
    with_display_name = [{**criteria[0], "matchingTypeDisplayName": "Equals"}]
    refused = seeded.raw(
        tk.CREATE_DEDUP_RULE, {"id": project["id"], "rule": {"name": "x", "matchingCriteria": with_display_name}}
    )
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", "the Toolkit strips it: a typed input"
    detail = seeded.ok(tk.GET_DEDUP_PROJECT, {"id": project["id"]})["management"]["deDupProject"]
    assert detail["status"] == "ReadyToGenerate" and detail["deduplicationScopeFilterType"] == 1
    saved = seeded.ok(
        tk.SAVE_DEDUP_PROJECT,
        {
            "id": project["id"],
            "dedupProject": {
                "name": "Customers",
                "description": "by e-mail",
                "deduplicationScopeFilter": ["/Customer"],
                "deduplicationScopeFilterType": 0,
                "shouldLimitQuerySize": True,
            },
        },
    )
    assert saved["management"]["saveDedupProject"]["description"] == "by e-mail"
    actions = [e["action"] for e in _audit(seeded, "DeduplicationProject") if e["objectId"] == project["id"]]
    assert actions.count("Updated") == 3 and actions[-1] == "Created"


def test_manual_data_entry_projects_and_form_fields_as_the_toolkit_creates_them(seeded):
    vocabularies = seeded.ok(doc.VOCABULARIES, {"searchName": "customer"})["management"]["vocabularies"]["data"]
    vocabulary = next(v for v in vocabularies if v["keyPrefix"] == "customer")
    project = seeded.ok(
        tk.CREATE_MDE_PROJECT,
        {
            "manualDataEntryProject": {
                "title": "Accounts",
                "entityType": "/Customer",
                "requireApproval": False,
                "description": None,
                "entityTypeConfiguration": {
                    "new": False,
                    "icon": "Building",
                    "entityType": "/Customer",
                    "displayName": "Customer",
                },
                "vocabularyConfiguration": {
                    "new": False,
                    "vocabularyName": "customer",
                    "keyPrefix": "customer",
                    "vocabularyId": vocabulary["vocabularyId"],
                },
            }
        },
    )["management"]["createManualDataEntryProject"]
    assert project["entityTypeConfiguration"]["entityType"] == "/Customer"
    key = seeded.ok(doc.KEY_BY_NAME, {"key": "customer.name"})["management"]["vocabularyPerKey"]
    field = seeded.ok(
        tk.ADD_FORM_FIELD,
        {
            "projectId": project["id"],
            "formField": {
                "vocabularyKeyConfiguration": {
                    "new": False,
                    "vocabularyKeyName": "customer.name",
                    "vocabularyKeyId": key["vocabularyKeyId"],
                },
                "label": "Name",
                "type": "Text",
                "isRequired": True,
                "onlyExistingValues": False,
                "useAsEntityCode": True,
                "description": None,
                "parameters": None,
            },
        },
    )["management"]["addManualDataEntryProjectFormField"]
    assert field["vocabularyKey"] == "customer.name" and field["isRequired"] is True
    got = seeded.ok(tk.GET_MDE_PROJECT, {"id": project["id"]})["management"]["manualDataEntryProject"]
    assert got["vocabulary"]["vocabularyId"] == vocabulary["vocabularyId"] and isinstance(got["annotationId"], int)
    assert got["connectorConfiguration"]["accountDisplay"] == "Accounts"
    assert got["formFields"][0]["vocabularyKeyObject"]["key"] == "customer.name"
    assert got["fieldMappings"][0]["key"] == "customer.name"
    annotation = seeded.ok(tk.GET_ANNOTATION, {"id": got["annotationId"]})["preparation"]["annotation"]
    assert (
        annotation["entityType"] == "/Customer" and annotation["annotationProperties"][0]["vocabKey"] == "customer.name"
    )
    saved_field = seeded.ok(
        tk.SAVE_FORM_FIELD,
        {
            "projectId": project["id"],
            "formField": {
                "label": "Account name",
                "type": "Text",
                "isRequired": False,
                "onlyExistingValues": False,
                "useAsEntityCode": True,
                "description": "",
                "parameters": None,
                "id": field["id"],
                "vocabularyKey": "customer.name",
                "currentVocabularyKey": "customer.name",
                "vocabularyKeyConfiguration": {
                    "new": False,
                    "vocabularyKeyName": "customer.name",
                    "vocabularyKeyId": key["vocabularyKeyId"],
                },
            },
        },
    )
    assert saved_field["management"]["saveManualDataEntryProjectFormField"]["label"] == "Account name"
    renamed = seeded.ok(
        tk.SAVE_MDE_PROJECT,
        {
            "id": project["id"],
            "manualDataEntryProject": {
                "title": "Key accounts",
                "entityType": "/Customer",
                "requireApproval": True,
                "description": "x",
                "vocabularyConfiguration": {
                    "vocabularyId": vocabulary["vocabularyId"],
                    "vocabularyName": "customer",
                    "keyPrefix": "customer",
                    "new": False,
                },
            },
        },
    )
    assert renamed["management"]["saveManualDataEntryProject"]["title"] == "Key accounts"
    actions = [e["action"] for e in _audit(seeded, "ManualDataEntryProject") if e["objectId"] == project["id"]]
    assert actions == ["Updated", "Updated", "Updated", "Created"]


def test_manual_data_entry_projects_page_from_page_zero_as_the_toolkit_does(client, emu):
    emu.seed({"manualDataEntryProjects": [{"title": f"P{i:02}", "entityType": "/Customer"} for i in range(25)]})
    seen = []
    for number in (0, 1):
        page = client.ok(tk.GET_MDE_PROJECTS, {"pageSize": 20, "pageNumber": number})["management"]
        seen += [p["title"] for p in page["manualDataEntryProjects"]["data"]]
    assert len(seen) == 25 == len(set(seen)), "pageNumber 0 is the first page"


def test_clean_projects_as_the_fabric_workload_and_the_toolkit_drive_them(seeded):
    source = seeded.ok(doc.DATA_SOURCE, {"id": 1})["inbound"]["dataSource"]
    leaf = {
        "condition": "AND",
        "field": "ProviderDefinitionIds",
        "objectTypeId": doc.PROVIDERS_OBJECT,
        "operator": doc.CONTAINS,
        "value": [source["connectorConfigurationId"]],
        "type": "enumerable",
    }
    description = '[{"type":"paragraph","children":[{"text":""}]}]'
    clean = {
        "name": "CRM clean",
        "query": "",
        "includeDataParts": False,
        "description": description,
        "fields": [{"property": "customer.name", "type": "vocabulary"}],
        "condition": {"rules": [leaf], "condition": "AND"},
    }
    project_id = seeded.ok(tk.CREATE_CLEAN_PROJECT, {"cleanProject": clean})["preparation"]["createNewCleanProject"][
        "id"
    ]
    seeded.ok(tk.GENERATE_RESULT, {"id": project_id})
    detail = seeded.ok(tk.GET_CLEAN_PROJECT, {"id": project_id})["preparation"]["cleanProjectDetail"]
    assert detail["rowCount"] == 3 and detail["status"] == "ReadyForClean"
    assert detail["fields"] == [
        {
            "type": "vocabulary",
            "displayName": "name",
            "property": "customer.name",
            "icon": None,
            "__typename": "CleanProjectField",
        }
    ]
    # The Toolkit's update: the detail it read, minus what it strips, sent back.
    fields = [{"type": f["type"], "property": f["property"]} for f in detail["fields"]]
    rules = [{k: v for k, v in r.items() if k != "__typename"} for r in detail["condition"]["rules"]]
    update = {
        "name": "CRM clean",
        "query": detail["query"],
        "includeDataParts": True,
        "fields": fields,
        "description": detail["description"],
        "condition": {"condition": "AND", "rules": rules},
    }
    seeded.ok(tk.UPDATE_CLEAN_PROJECT, {"id": project_id, "cleanProject": update})
    refused = seeded.raw(
        tk.UPDATE_CLEAN_PROJECT,
        {"id": project_id, "cleanProject": {**update, "condition": {**update["condition"], "id": doc.ZERO}}},
    )
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", "root condition keys the Toolkit strips"
    listed = seeded.ok(tk.GET_CLEAN_PROJECTS, {"page": 1, "pageSize": 20, "searchName": ""})["preparation"]
    assert project_id in [p["id"] for p in listed["allCleanProjects"]["projects"]]
    actions = [e["action"] for e in _audit(seeded, "CleanProject") if e["objectId"] == project_id]
    assert actions == ["Updated", "Updated", "Created"]


def test_clean_project_rules_come_from_seeds_and_point_back(client, emu):
    emu.seed(
        {
            "cleanProjects": [
                {
                    "name": "Countries",
                    "entityType": "/Customer",
                    "rules": [
                        {
                            "name": "Fix DK",
                            "condition": {"rules": [{"field": "Properties[customer.country]", "value": ["Denmark"]}]},
                            "actions": [ADD_TAG],
                        }
                    ],
                }
            ]
        }
    )
    [project] = client.ok(tk.GET_CLEAN_PROJECTS, {"page": 1, "pageSize": 20})["preparation"]["allCleanProjects"][
        "projects"
    ]
    rules = client.ok(tk.CLEAN_PROJECT_RULES, {"id": project["id"], "page": 1})["preparation"]["allCleanProjectRules"]
    assert rules["total"] == 1 and rules["rules"][0]["isActive"] is True
    rule = client.ok(tk.GET_RULE, {"id": rules["rules"][0]["id"]})["management"]["rule"]
    assert rule["sourceDetail"] == {
        "id": project["id"],
        "name": "Countries",
        "type": "CleanProject",
        "__typename": "RuleSourceDetail",
    }
    assert rule["condition"]["rules"][0]["operator"] == doc.EQUALS
    assert (
        client.ok(tk.GET_CLEAN_PROJECT, {"id": project["id"]})["preparation"]["cleanProjectDetail"]["hasRules"] is True
    )


def test_rules_and_projects_are_deleted_through_rest_as_swagger_describes(seeded):
    """`DELETE /api/v1/rules/{id}`, `/api/v2/clean/{id}`, `/api/deduplication/projects/{id}`: 200, no body."""
    created = seeded.ok(tk.CREATE_RULE, {"rule": {"name": "Temporary", "scope": "Survivorship"}})
    rule = created["management"]["createRule"]
    clean = seeded.ok(tk.CREATE_CLEAN_PROJECT, {"cleanProject": {"name": "Temporary clean"}})
    clean_id = clean["preparation"]["createNewCleanProject"]["id"]
    dedup = seeded.ok(tk.CREATE_DEDUP_PROJECT, {"dedupProject": {"name": "Temporary dedup"}})
    dedup_id = dedup["management"]["createDedupProject"]["id"]

    for path in (
        f"/api/v1/rules/{rule['id']}",
        f"/api/v2/clean/{clean_id}",
        f"/api/api/deduplication/projects/{dedup_id}",
    ):
        answer = seeded.rest("DELETE", path)
        assert answer.status_code == 200 and answer.content == b"", (path, answer.text)
        again = seeded.rest("DELETE", path)
        assert again.status_code == 404 and again.json()["status"] == 404

    assert seeded.raw(tk.GET_RULE, {"id": rule["id"]})["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    listed = seeded.ok(tk.GET_CLEAN_PROJECTS, {"page": 1, "pageSize": 50})["preparation"]["allCleanProjects"]
    assert clean_id not in [p["id"] for p in listed["projects"]]
    projects = seeded.ok(tk.GET_DEDUP_PROJECTS, {"pageNumber": 1, "itemsPerPage": 50})["management"]["deDupProjects"]
    assert dedup_id not in [p["id"] for p in projects["data"]]
    for object_type, ident in (("Rule", rule["id"]), ("CleanProject", clean_id), ("DeduplicationProject", dedup_id)):
        newest = next(e for e in _audit(seeded, object_type) if e["objectId"] == ident)
        assert newest["action"] == "Deleted"
    assert seeded.rest("DELETE", "/api/v1/rules/not-a-guid").status_code in (400, 404)  # never a 500


def test_a_manual_data_entry_project_removed_as_user_activity_leaves_the_audit_entry(seeded):
    projects = seeded.ok(tk.GET_MDE_PROJECTS, {"pageNumber": 0, "pageSize": 50})["management"]
    project = projects["manualDataEntryProjects"]["data"][0]
    seeded.activity("activity/manual-data-entry/remove", {"id": project["id"]})
    after = seeded.ok(tk.GET_MDE_PROJECTS, {"pageNumber": 0, "pageSize": 50})["management"]["manualDataEntryProjects"]
    assert project["id"] not in [p["id"] for p in after["data"]]
    newest = next(e for e in _audit(seeded, "ManualDataEntryProject") if e["objectId"] == project["id"])
    assert newest["action"] == "Deleted" and newest["objectName"] == project["title"]
