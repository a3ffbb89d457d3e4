"""Sample CluedIn facts shared by the lineage unit tests (no tests of its own)."""

from __future__ import annotations

from typing import Any

from sync.features.lineage.model import AssetLink, Context
from sync.services.cluedin.datasets import DataSetFacts, FieldMapping

ORG = "acme"
CTX = Context(organization=ORG, collection="abc123", cluedin_url="https://acme.cluedin.test")
LINK = AssetLink(
    "azure_datalake_gen2_path",
    "https://lake.dfs.core.windows.net/raw/Account.csv",
    "Account.csv",
    (("ID", "int"), ("Name", "string"), ("Email", "string"), ("Region", "string")),
)


def account(**overrides) -> DataSetFacts:
    values: dict[str, Any] = {
        "id": "11111111-1111-1111-1111-111111111111",
        "name": "Account.csv",
        "data_source_id": "7",
        "data_source_name": "Account.csv",
        "group_name": "Account.csv",
        "provider_definition_id": "p-7",
        "updated_at": "2026-01-01T00:00:00Z",
        "annotation_id": "3",
        "entity_type": "/Account",
        "original_fields": ["Id", "Name", "Email", "Notes"],
        "mappings": [
            FieldMapping("Id", "account.id"),
            FieldMapping("Name", "account.name"),
            FieldMapping("Email", "account.email"),
            FieldMapping("Notes", "--ignore--"),
        ],
        "key_types": {"account.id": "Integer", "account.name": "Text"},
    }
    values.update(overrides)
    return DataSetFacts(**values)


def contacts(**overrides) -> DataSetFacts:
    values: dict[str, Any] = {
        "id": "22222222-2222-2222-2222-222222222222",
        "name": "Contacts.csv",
        "data_source_id": "8",
        "data_source_name": "Contacts.csv",
        "group_name": "Contacts.csv",
        "annotation_id": "4",
        "entity_type": "/Account",
        "original_fields": ["AccountId", "Phone"],
        "mappings": [FieldMapping("AccountId", "account.id"), FieldMapping("Phone", "account.phone")],
        "key_types": {"account.phone": "PhoneNumber"},
    }
    values.update(overrides)
    return DataSetFacts(**values)
