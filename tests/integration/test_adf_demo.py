"""The demo's Data Factory part end to end: seeded asset → F12 pipeline → run → rows counted in CluedIn."""

from __future__ import annotations

from devhost import adf_demo as demo
from tests.support.adf import SECRET_NAME, adf_stack


def test_the_demo_asset_flows_into_cluedin(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator):
    stack = adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    purview.seed(demo.purview_seed())
    demo.upload_demo_file(azurite.connection_string)
    fresh_datafactory_emulator.context.store.secrets.clear()
    ctx = stack.context(pipeline_automation_term_pattern="CluedInADF")
    demo.provision_ingestion_token(ctx.client("cluedin"), fresh_datafactory_emulator.url, SECRET_NAME)
    assert fresh_datafactory_emulator.context.store.secrets[SECRET_NAME].startswith("Bearer ")

    report = stack.plan("pipelines", ctx)
    assert report.planned == {"create": 1}, report.errors
    stack.drain(stack.features["pipelines"].queue, ctx)

    copied = demo.run_and_count(ctx)
    assert copied.status == "Succeeded"
    assert copied.received == demo.demo_rows() == 8
    again = demo.run_and_count(ctx)
    assert again.run_id == copied.run_id  # same request id: no second run
