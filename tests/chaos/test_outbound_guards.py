"""Outbound-target guards: a catalog entry cannot point a pipeline at a host or folder of its choosing (case 7 of
issue 10). The host suffix must match with its leading dot, and a percent-encoded segment must not decode into a
relative path or a separator."""

from __future__ import annotations

import pytest

from sync.features.pipelines.provision import PIPELINE_KIND, find_asset, provision_pipeline
from sync.features.pipelines.stores import UnsupportedAssetError, resolve_source
from tests.support.adf import adf_stack

pytestmark = pytest.mark.chaos
LAKE = "https://lake.dfs.core.windows.net"


@pytest.mark.parametrize(
    ("type_name", "qualified_name"),
    [
        ("azure_sql_table", "mssql://attackerdatabase.windows.net/crm/dbo/Customers"),
        ("azure_sql_table", "mssql://evil.com.database.windows.net.evil.com/crm/dbo/Customers"),
        ("azure_sql_table", "mssql://a.b.database.windows.net/crm/dbo/Customers"),
        ("azure_sql_table", "mssql://sql.database.windows.net/crm/dbo%2F..%2F../Customers"),
        ("azure_datalake_gen2_path", f"{LAKE}/raw/..%2F..%2Fsecrets/Account.csv"),
        ("azure_datalake_gen2_path", f"{LAKE}/raw/%2e%2e/Account.csv"),
        ("azure_datalake_gen2_path", f"{LAKE}/raw/a%5C..%5Cb/Account.csv"),
        ("azure_datalake_gen2_path", f"{LAKE}/raw/folder/Account%00.csv"),
        ("azure_blob_path", "https://lake.blob.core.windows.net/raw/..%2fother/Account.csv"),
    ],
)
def test_hostile_qualified_names_are_refused(type_name, qualified_name):
    with pytest.raises(UnsupportedAssetError):
        resolve_source(type_name, qualified_name)


@pytest.mark.parametrize(
    ("type_name", "qualified_name", "where"),
    [
        ("azure_sql_table", "mssql://sql-prod.database.windows.net/crm/dbo/Customers", "Customers"),
        ("azure_datalake_gen2_path", f"{LAKE}/raw/2024%20Q1/Account%20List.csv", "2024 Q1"),
        ("azure_datalake_gen2_path", f"{LAKE}/raw/a..b/Account.csv", "a..b"),
    ],
)
def test_ordinary_names_still_resolve(type_name, qualified_name, where):
    assert where in resolve_source(type_name, qualified_name).describe()


def test_a_hostile_asset_gets_no_pipeline_and_nothing_is_written(
    azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator
):
    stack = adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    identity = stack.add_asset(
        "Customers",
        type_name="azure_sql_table",
        qualified_name="mssql://attackerdatabase.windows.net/crm/dbo/Customers",
        data=None,
    )
    ctx = stack.context()
    writes = stack.factory_writes()
    with pytest.raises(UnsupportedAssetError, match="not an Azure SQL table"):
        provision_pipeline(ctx, find_asset(ctx.client("purview"), guid=identity["guid"]), owner="t", origin="x")
    assert stack.factory_writes() == writes
    assert ctx.state.get_object(PIPELINE_KIND, f"{identity['typeName']}|{identity['qualifiedName']}") is None
