"""`management`: vocabularies, keys, entity types, glossary, rules and projects — shapes and paging."""

from __future__ import annotations

import json

from tests.emulators.cluedin import documents as doc

DESCRIPTION = json.dumps([{"type": "paragraph", "children": [{"text": ""}]}])


def _vocabulary(client, name, prefix=None, entity_type="/Customer"):
    spec = {
        "vocabularyName": name,
        "entityTypeConfiguration": {"new": True, "icon": "Person", "entityType": entity_type, "displayName": name},
        "providerId": "",
        "keyPrefix": prefix or name.lower(),
        "description": DESCRIPTION,
    }
    return client.ok(doc.CREATE_VOCABULARY, {"vocabulary": spec})["management"]["createVocabulary"]


def _key(client, vocabulary_id, name, data_type="Text"):
    spec = {
        "vocabularyId": vocabulary_id,
        "displayName": name,
        "name": name,
        "groupName": "Metadata",
        "isVisible": True,
        "dataType": data_type,
        "description": "",
    }
    return client.ok(doc.CREATE_KEY, {"vocabularyKey": spec})["management"]["createVocabularyKey"]


def test_vocabularies_are_guid_ids_paged_from_page_one(client):
    created = [_vocabulary(client, f"Vocab{i}") for i in range(3)]
    assert created[0]["keyPrefix"] == "vocab0"
    assert created[0]["entityTypeConfiguration"]["entityType"] == "/Customer"
    page = client.ok(doc.VOCABULARIES, {"pageNumber": 1, "pageSize": 2})["management"]["vocabularies"]
    assert page["total"] == 3
    assert [v["vocabularyId"] for v in page["data"]] == [v["vocabularyId"] for v in created[:2]]
    assert page["data"][0]["isUsed"] is False
    last = client.ok(doc.VOCABULARIES, {"pageNumber": 2, "pageSize": 2})["management"]["vocabularies"]["data"]
    assert [v["vocabularyName"] for v in last] == ["Vocab2"]
    fuzzy = client.ok(doc.VOCABULARIES, {"searchName": "cab1"})["management"]["vocabularies"]
    assert [v["vocabularyName"] for v in fuzzy["data"]] == ["Vocab1"]
    one = client.ok(doc.VOCABULARY, {"id": created[1]["vocabularyId"]})["management"]["vocabulary"]
    assert one["isVocabularyOwner"] is True and one["owners"][0]["id"] == one["author"]["id"]
    duplicate = client.raw(doc.CREATE_VOCABULARY, {"vocabulary": {"vocabularyName": "Other", "keyPrefix": "vocab1"}})
    assert "already exists" in duplicate["errors"][0]["message"]


def test_save_and_activate_vocabulary(client):
    vocabulary = _vocabulary(client, "Customer")
    saved = client.ok(
        doc.SAVE_VOCABULARY, {"vocabulary": {"vocabularyId": vocabulary["vocabularyId"], "vocabularyName": "Client"}}
    )["management"]["saveVocabulary"]
    assert saved["vocabularyName"] == "Client" and saved["updatedAt"] > vocabulary["updatedAt"]
    activated = client.ok(doc.ACTIVATE_VOCABULARY, {"vocabularyId": vocabulary["vocabularyId"]})
    assert activated["management"]["activateVocabulary"]["isActive"] is True


def test_vocabulary_keys_create_list_get_save_rename_map(client):
    vocabulary = _vocabulary(client, "Customer", "customer")
    email = _key(client, vocabulary["vocabularyId"], "email", "Email")
    name = _key(client, vocabulary["vocabularyId"], "name")
    assert email["key"] == "customer.email" and email["dataType"] == "Email"
    assert email["vocabulary"] == {"vocabularyId": vocabulary["vocabularyId"], "vocabularyName": "Customer"}
    listed = client.ok(doc.VOCABULARY_KEYS, {"pageNumber": 1, "pageSize": 1})["management"]["vocabularyKeys"]
    assert listed["total"] == 2 and [k["key"] for k in listed["data"]] == ["customer.email"]
    typed = client.ok(doc.VOCABULARY_KEYS, {"dataType": "Email"})["management"]["vocabularyKeys"]
    assert [k["key"] for k in typed["data"]] == ["customer.email"]
    of = client.ok(doc.KEYS_OF_VOCABULARY, {"id": vocabulary["vocabularyId"]})["management"][
        "vocabularyKeysFromVocabularyId"
    ]
    assert of["total"] == 2
    by_name = client.ok(doc.KEY_BY_NAME, {"key": "customer.email"})["management"]["vocabularyPerKey"]
    assert by_name["vocabularyKeyId"] == email["vocabularyKeyId"]
    assert client.ok(doc.KEY_BY_NAME, {"key": "Customer.Email"})["management"]["vocabularyPerKey"] is None
    saved = client.ok(
        doc.SAVE_KEY,
        {"vocabularyKey": {"vocabularyKeyId": name["vocabularyKeyId"], "displayName": "Full name", "isVisible": False}},
    )["management"]["saveVocabularyKey"]
    assert saved["displayName"] == "Full name" and saved["isVisible"] is False
    hidden = client.ok(doc.VOCABULARY_KEYS, {})["management"]["vocabularyKeys"]
    assert hidden["total"] == 1
    assert client.ok(doc.VOCABULARY_KEYS, {"skipFilterVisibility": True})["management"]["vocabularyKeys"]["total"] == 2
    renamed = client.ok(
        doc.RENAME_KEY,
        {"vocabularyId": vocabulary["vocabularyId"], "vocabularyKeyId": name["vocabularyKeyId"], "newName": "fullName"},
    )["management"]["renameVocabularyKey"]
    assert renamed["key"] == "customer.fullName"
    mapped = client.ok(
        doc.MAP_KEY, {"vocabularyKeyId": name["vocabularyKeyId"], "mapToVocabularyKeyId": email["vocabularyKeyId"]}
    )
    assert mapped["management"]["mapVocabularyKey"]["mappedKey"] == "customer.email"
    bad_type = client.raw(
        doc.CREATE_KEY, {"vocabularyKey": {"vocabularyId": vocabulary["vocabularyId"], "name": "x", "dataType": "Blob"}}
    )
    assert "unknown data type" in bad_type["errors"][0]["message"]
    duplicate = client.raw(
        doc.CREATE_KEY, {"vocabularyKey": {"vocabularyId": vocabulary["vocabularyId"], "name": "EMAIL"}}
    )
    assert "already exists" in duplicate["errors"][0]["message"]


def test_entity_types_json_string_argument_and_paging(client):
    spec = {
        "type": "/Employee",
        "active": True,
        "displayName": "Employee",
        "icon": "Person",
        "route": "employee",
        "pageTemplateId": "",
    }
    created = client.ok(doc.CREATE_ENTITY_TYPE, {"entityTypeConfiguration": json.dumps(spec)})
    result = created["management"]["createEntityTypeConfigurationV2"]
    assert result["type"] == "/Employee" and result["route"] == "employee" and result["icon"] == "Person"
    client.ok(doc.CREATE_ENTITY_TYPE, {"entityTypeConfiguration": json.dumps({"type": "/Customer"})})
    page = client.ok(doc.ENTITY_TYPES, {"pageNumber": 1, "pageSize": 1})["management"]["entityTypeConfigurations"]
    assert page["total"] == 2 and page["data"][0]["entityType"] == "/Employee"
    by_type = client.ok(doc.ENTITY_TYPE, {"entityType": "/Employee"})["management"]["entityTypeConfiguration"]
    assert by_type["displayName"] == "Employee" and by_type["route"] == "employee"
    assert client.raw(doc.ENTITY_TYPE, {"entityType": "/Nope"})["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    info = client.ok(doc.ENTITY_TYPE_INFO, {"type": "/Customer"})["management"]["getEntityTypeInfo"]
    assert info["displayName"] == "Customer" and info["path"] == "/customer"
    not_json = client.raw(doc.CREATE_ENTITY_TYPE, {"entityTypeConfiguration": "{nope"})
    assert "not valid JSON" in not_json["errors"][0]["message"]
    duplicate = client.raw(doc.CREATE_ENTITY_TYPE, {"entityTypeConfiguration": json.dumps({"type": "/Customer"})})
    assert "already exists" in duplicate["errors"][0]["message"]


def test_glossary_categories_and_terms(client):
    category = client.ok(doc.CREATE_CATEGORY, {"category": {"name": "Purview"}})["management"]["createGlossaryCategory"]
    assert client.ok(doc.CATEGORIES)["management"]["glossaryCategories"] == [category]
    terms = [
        client.ok(doc.CREATE_TERM, {"term": {"name": f"Term {i}", "categoryId": category["id"]}})["management"][
            "createGlossaryTerm"
        ]
        for i in range(3)
    ]
    assert terms[0]["categoryId"] == category["id"]
    page = client.ok(doc.TERMS, {"categoryId": category["id"], "pageNumber": 1, "pageSize": 2})["management"][
        "glossaryTerms"
    ]
    assert page["total"] == 3 and [t["id"] for t in page["data"]] == [t["id"] for t in terms[:2]]
    assert page["data"][0]["active"] is False
    rule_set = doc.filter_group([doc.filter_leaf("EntityType", doc.EQUALS, ["/Customer"])])
    saved = client.ok(
        doc.SAVE_TERM,
        {
            "term": {
                "id": terms[0]["id"],
                "name": "Customer",
                "active": True,
                "categoryId": category["id"],
                "ruleSet": rule_set,
                "shortDescription": "Customers",
                "relatedTags": [{"name": "pii"}],
            }
        },
    )["management"]["saveGlossaryTerm"]
    assert saved["version"] == 2 and saved["ruleSet"] == rule_set and saved["active"] is True
    assert saved["relatedTags"][0]["name"] == "pii"
    assert client.ok(doc.TAGS)["management"]["glossaryTags"][0]["name"] == "pii"
    got = client.ok(doc.TERM, {"id": terms[0]["id"]})["management"]["glossaryTerm"]
    assert got["category"] == category and got["name"] == "Customer"
    endorsed = client.ok(doc.ENDORSE_TERM, {"termId": terms[0]["id"], "status": True})["management"][
        "endorseGlossaryTerm"
    ]
    assert endorsed["isEndorsedByCurrentUser"] is True
    active = client.ok(doc.CATEGORY, {"id": category["id"], "isActive": True})["management"]["glossaryCategory"]
    assert active["terms"]["total"] == 1
    bad = client.raw(doc.CREATE_TERM, {"term": {"name": "x", "categoryId": "4f6b9cbe-0000-0000-0000-000000000000"}})
    assert bad["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_rules_dedup_and_manual_data_entry_projects(emu, client):
    emu.seed(
        {
            "rules": [{"name": f"Rule {i}", "scope": "DataPart" if i % 2 else "Entity"} for i in range(45)],
            "dedupProjects": [{"name": f"Dedup {i}"} for i in range(3)],
            "manualDataEntryProjects": [{"title": "Account MDE", "entityType": "/Customer"}],
        }
    )
    rules = client.ok(doc.RULES, {"pageNumber": 1, "scope": "DataPart"})["management"]["rules"]
    assert rules["total"] == 22 and len(rules["data"]) == 20
    assert (
        client.ok(doc.RULES, {"pageNumber": 2, "scope": "DataPart"})["management"]["rules"]["data"][-1]["name"]
        == "Rule 43"
    )
    rule_id = rules["data"][0]["id"]
    assert client.ok(doc.RULE, {"id": rule_id})["management"]["rule"]["name"] == "Rule 1"
    dedup = client.ok(doc.DEDUP_PROJECTS, {"pageNumber": 2, "itemsPerPage": 2})["management"]["deDupProjects"]
    assert dedup["total"] == 3 and [p["name"] for p in dedup["data"]] == ["Dedup 2"]
    mde = client.ok(doc.MDE_PROJECTS, {"pageNumber": 0, "pageSize": 20})["management"]["manualDataEntryProjects"]
    assert mde["data"][0]["title"] == "Account MDE" and mde["data"][0]["formFields"] == []
    one = client.ok(doc.MDE_PROJECT, {"id": mde["data"][0]["id"]})["management"]["manualDataEntryProject"]
    assert one["isOwner"] is True and one["createdByUser"]["username"] == "admin@demo.local"
    project = client.ok(doc.DEDUP_PROJECT, {"id": dedup["data"][0]["id"]})["management"]["deDupProject"]
    assert project["name"] == "Dedup 2" and project["isOwner"] is True


def test_claims_gate_reads_and_writes(emu):
    emu.seed({"users": [{"username": "admin@demo.local"}, {"username": "reader@demo.local", "password": "pw",
                                                              "claims": {"*": "Informed"}}]})  # fmt: skip
    token = emu.access_token("reader@demo.local", "pw")
    assert "errors" not in emu.graphql(doc.VOCABULARIES, token=token)
    denied = emu.graphql(doc.CREATE_VOCABULARY, {"vocabulary": {"vocabularyName": "x"}}, token=token)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert denied["data"]["management"]["createVocabulary"] is None
