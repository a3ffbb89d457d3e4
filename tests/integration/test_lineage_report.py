"""out/lineage.html from the Purview emulator's lineage API: nodes by type, column mappings, no network."""

from __future__ import annotations

import re

from sync.reporting.lineage_html import main, write_lineage_html
from tests.support.lineage import account_set, group, lineage_stack, seed_document
from tests.unit.test_lineage_report import page


def test_the_picture_shows_the_graph_and_its_column_mappings(azurite, purview, fresh_cluedin_emulator, tmp_path):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(seed_document([group("Account.csv", [account_set(), account_set("Contacts.csv")])]))
    asset = stack.add_asset("Account.csv", ["ID", "Name", "Email", "Notes"])
    stack.link("Account.csv", asset)
    stack.cycle()

    path = write_lineage_html(stack.purview_client(), tmp_path / "out" / "lineage.html")
    html = path.read_text()
    for label in ("Cluedin Dataset", "Cluedin Ingest Process", "Cluedin Map Process", "Cluedin Entity"):
        assert label in html
    assert "azure_datalake_gen2_path" in html and "Account.csv" in html and "Contacts.csv" in html
    assert "/Account" in html
    data = page(html)
    mapped = [n for n in data["nodes"] if n["columnMapping"]]
    assert len(mapped) == 4  # both data sets of the linked source: ingest + map, each with a mapping
    pairs = {(p["Source"], p["Sink"]) for n in mapped for m in n["columnMapping"] for p in m["ColumnMapping"]}
    assert ("Email", "account.email") in pairs
    assert not re.search(r"""(src|href)\s*=\s*["']https?:""", html)  # nothing is loaded from the network


def test_the_cli_writes_the_file(azurite, purview, fresh_cluedin_emulator, tmp_path, capsys):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(seed_document([group("CRM", [account_set()])]))
    stack.cycle()
    out = tmp_path / "lineage.html"
    main(["--purview-url", purview.url, "--token", "any", "--out", str(out)])
    assert out.exists() and "Cluedin Map Process" in out.read_text()
    assert str(out) in capsys.readouterr().out
