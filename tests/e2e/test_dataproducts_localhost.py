"""F10 through the local Functions host: the real function_app.app, its timers, queue functions and HTTP API.

A published data product becomes a data source group on the first tick, its asset gets its pipeline on the next
(the automation reads the product's data sources), and the plan endpoint shows nothing left to do.
"""

from __future__ import annotations

import os

import pytest
import requests

from devhost.host import LocalHost
from tests.support.dataproducts import MASTER_TERM, ProductStack, product_stack


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator):
    saved = dict(os.environ)
    yield product_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    os.environ.clear()
    os.environ.update(saved)


def test_a_data_product_through_the_local_host(stack: ProductStack):
    domain = stack.domain()
    customers = stack.add_asset("customers.csv", terms=())
    stack.product("Customer Master", domain, terms=[stack.term(MASTER_TERM, domain)], assets=[customers])
    settings = {
        **stack.environment,
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "SYNC_SCHEDULE": "0 */1 * * * *",
        "POLL_SCHEDULE": "30 */5 * * * *",
        "PIPELINE_AUTOMATION_SCHEDULE": "15 */1 * * * *",
        "DEVHOST_FUNCTION_KEY": "e2e-key",
        "AzureFunctionsJobHost__extensions__queues__visibilityTimeout": "00:00:01",
    }
    with LocalHost.load("function_app:app", settings) as host:
        for _ in range(2):  # the automation sees the product's data source on the tick after it was made
            host.fire_all_timers()
            summary = host.drain(timeout=120)
            assert summary.ok, summary.format_table()
        group = stack.cluedin_groups()["Customer Master"]
        [source] = group["dataSources"]
        [pipeline] = stack.state.iter_objects("adf_pipeline")
        assert pipeline.target["data_source_id"] == str(source["id"])

        host.start(http=True, timers=False, queues=False)
        headers = {"x-functions-key": "e2e-key"}
        plan = requests.post(f"{host.http_url}/api/plan/dataproducts", headers=headers, timeout=60)
        assert plan.status_code == 200 and plan.json()["planned"] == {}, plan.text
        assert plan.json()["calls"]["unified"]["writes"] == 0
        runs = requests.get(f"{host.http_url}/api/runs/dataproducts", headers=headers, timeout=30).json()["value"]
        notes = [n["text"] for run in runs for n in run["notifications"]]
        assert "Datasource Sets 'Customer Master' created for purview Data Product" in notes
        assert "1 data sources have been created. (customers.csv)" in notes
