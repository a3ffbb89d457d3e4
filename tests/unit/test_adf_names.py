"""Names of generated factory entities: deterministic, distinct per asset, valid under ADF's naming rules."""

import pytest

from sync.features.pipelines.names import (
    cluedin_linked_service_name,
    key_vault_linked_service_name,
    name_problem,
    pascal,
    pipeline_names,
    sql_linked_service_name,
    storage_linked_service_name,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Account.csv", "AccountCsv"),
        ("customer orders 2024.parquet", "CustomerOrders2024Parquet"),
        ("2024-sales.csv", "Asset2024SalesCsv"),
        ("Ünïcødé—file.json", "UnicDeFileJson"),
        ("...", "Asset"),
        ("", "Asset"),
    ],
)
def test_pascal_keeps_ascii_letters_and_digits_and_starts_with_a_letter(text, expected):
    assert pascal(text) == expected


def test_pipeline_names_are_deterministic_and_follow_cluedins_style():
    names = pipeline_names("Account.csv", "azure_datalake_gen2_path|https://a.dfs.core.windows.net/raw/Account.csv")
    again = pipeline_names("Account.csv", "azure_datalake_gen2_path|https://a.dfs.core.windows.net/raw/Account.csv")
    assert names == again
    assert names.pipeline.startswith("AccountCsvPipeline_")
    assert names.source_dataset.startswith("AccountCsvSourceDS_")
    assert names.sink_dataset.startswith("AccountCsvCluedInDS_")
    assert names.trigger.startswith("AccountCsvSchedule_")


def test_two_assets_with_the_same_name_get_different_entities():
    first = pipeline_names("Account.csv", "t|https://a.dfs.core.windows.net/raw/Account.csv")
    second = pipeline_names("Account.csv", "t|https://b.dfs.core.windows.net/raw/Account.csv")
    assert first.pipeline.lower() != second.pipeline.lower()
    assert first.sink_dataset.lower() != second.sink_dataset.lower()


def test_names_survive_a_json_round_trip():
    names = pipeline_names("x", "k")
    assert type(names).from_dict(names.as_dict()) == names


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("linkedservices", storage_linked_service_name("https://my-store1.dfs.core.windows.net")),
        ("linkedservices", storage_linked_service_name("https://mystore.blob.core.windows.net")),
        ("linkedservices", sql_linked_service_name("my-server.database.windows.net", "sales-db")),
        ("linkedservices", key_vault_linked_service_name("https://demo-kv.vault.azure.net/")),
        ("linkedservices", cluedin_linked_service_name("https://my-org.cluedin.example.com", "my-org")),
        ("datasets", pipeline_names("a-b.c+d?e/f<g>h*i%j&k:l\\m#n", "k").source_dataset),
        ("datasets", pipeline_names("", "k").sink_dataset),
        ("pipelines", pipeline_names("9 lives.csv", "k").pipeline),
        ("triggers", pipeline_names("x" * 500, "k").trigger),
    ],
)
def test_every_generated_name_is_valid_for_its_kind(kind, name):
    assert name_problem(kind, name) is None, name
    assert all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name)


@pytest.mark.parametrize(
    ("kind", "name", "problem"),
    [
        ("datasets", "has-dash", "dashes"),
        ("linkedservices", "has-dash", "dashes"),
        ("pipelines", "1starts_with_digit", "start with a letter"),
        ("pipelines", "_underscore", "start with a letter"),
        ("pipelines", "dot.name", "must not contain"),
        ("pipelines", "a/b", "must not contain"),
        ("pipelines", "", "1 to 260"),
        ("pipelines", "a" * 261, "1 to 260"),
        ("pipelines", "tab\tname", "control"),
    ],
)
def test_name_problem_applies_the_naming_rules(kind, name, problem):
    assert problem in (name_problem(kind, name) or "")


def test_pipelines_may_contain_dashes_but_datasets_may_not():
    assert name_problem("pipelines", "Ingest-Pipeline") is None
    assert name_problem("datasets", "Ingest-Dataset") is not None


def test_linked_service_names_are_shared_per_store_and_case_insensitive_on_urls():
    assert storage_linked_service_name("https://Store.dfs.core.windows.net") == storage_linked_service_name(
        "https://store.dfs.core.windows.net"
    )
    assert storage_linked_service_name("https://a.dfs.core.windows.net") != storage_linked_service_name(
        "https://b.dfs.core.windows.net"
    )
