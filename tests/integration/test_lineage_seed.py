"""devhost/seeds/cluedin-lineage.json loads into the CluedIn emulator and yields the demo's lineage."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.lineage import lineage_stack

SEED = Path(__file__).resolve().parents[2] / "devhost" / "seeds" / "cluedin-lineage.json"


def test_the_demo_seed_gives_mapped_processed_data_sets_and_their_lineage(azurite, purview, fresh_cluedin_emulator):
    document = json.loads(SEED.read_text())
    fresh_cluedin_emulator.seed(document)
    store = fresh_cluedin_emulator.services.store
    assert {d["name"] for d in store.data_sets.values()} == {"Account.csv", "Contact.csv"}
    assert all(d["annotationId"] is not None and d["processedCount"] > 0 for d in store.data_sets.values())

    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator, org="demo")
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    assert {e["attributes"]["name"] for e in stack.entities("cluedin_entity").values()} == {"/Account", "/Contact"}
    assert len(stack.entities("cluedin_map_process")) == 2
    texts = sorted(n.text for n in report.notifications)
    assert texts == ["Data Set 'Account.csv' synced to Purview", "Data Set 'Contact.csv' synced to Purview"]
    for spec in document["dataSourceGroups"]:  # every data set spec is also an activity/data-set body
        data_set = spec["dataSources"][0]["dataSets"][0]
        assert set(data_set) <= {"name", "mapping", "records", "process"}
