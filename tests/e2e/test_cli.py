"""`cluedin-purview-sync`, driven as a user would: the console script in a subprocess, against Azurite, the
emulators and the local Functions host (its queue functions apply what the CLI enqueues; its timers are off).

One stack for the module: the tests follow an operator's day — check, plan, apply the reviewed plan, refusals when
something moved, runs, dry-run switch, poison, state — and the ones that write to Purview: drift and its repair,
rollback of an update and of a creation, the lineage picture and the HTTP views.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sync.core.messages import Queues
from sync.services.purview.client import RUN_ID_ATTRIBUTE
from sync.services.purview.collections import forget_resolutions
from sync.services.purview.typedefs import forget_registrations
from tests.integration.test_lineage_sync import seed as seed_cluedin
from tests.support.cli import Cli, Host, local_host, settings_file
from tests.support.lineage import LineageStack, account_set, group
from tests.support.stack import SYNC_TERM, build_stack, purview_seed

pytestmark = pytest.mark.slow

DATA_SET_PROCESS = "cluedin_annotation_process"


@dataclass
class World:
    stack: LineageStack
    cli: Cli
    host: Host
    folder: Path


@pytest.fixture(scope="module")
def world(azurite, purview_emulator, cluedin_emulator, tmp_path_factory) -> Iterator[World]:
    purview_emulator.reset()
    cluedin_emulator.reset()
    forget_registrations()
    forget_resolutions()
    stack = build_stack(
        azurite,
        purview_emulator,
        cluedin_emulator,
        org="acme",
        seed=purview_seed(),
        stack_type=LineageStack,
        SYNC_DELETE_POLICY="soft-delete",
        SYNC_DELETE_FAILSAFE_PERCENT="50",
    )
    assert isinstance(stack, LineageStack)
    seed_cluedin(stack, [group("Account.csv", [account_set()])])
    folder = tmp_path_factory.mktemp("cli")
    settings = settings_file(folder, dict(stack.environment))
    with local_host(settings) as host:
        yield World(stack, Cli(settings, folder), host, folder)


def one_line_error(result: Any) -> str:
    assert result.code == 2, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and result.out == ""
    [line] = result.err.strip().splitlines()
    assert line.startswith("error: ")
    return str(line)


def test_check_says_what_works_and_what_to_fix(world: World):
    ok = world.cli("check", "-o", "json")
    assert ok.code == 0, ok.err
    checks = {(c["area"], c["check"]): c for c in ok.json()}
    assert checks[("purview", "Data Reader (sign-in and search)")]["ok"] is True
    assert checks[("storage", "state tables")]["ok"] is True
    assert all(c["ok"] is not False for c in checks.values())

    broken = world.cli("check", "datasources", env={"CLUEDIN_URL": "http://127.0.0.1:9"})
    assert broken.code == 1
    assert "✗" in broken.out and "unreachable" in broken.out and "check the cluedin URL setting" in broken.out


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["plan", "nope"], "'nope' is not one of"),
        (["show", "not-a-run"], "is not a run id"),
        (["apply", "--plan", "missing.json"], "plan file missing.json does not exist"),
        (["-o", "yaml", "runs"], "'yaml' is not one of"),
        (["state", "reset", "datasources"], "confirm with --yes"),
        (["runs", "--limit", "0"], "0 is not in the range"),
        (["poison", "list", "nowhere"], "'nowhere' is not one of"),
        (["apply", "datasources", "--plan", "x.json"], "either --plan FILE or feature names"),
    ],
)
def test_bad_input_is_one_line_naming_the_problem_and_the_fix(world: World, args: list[str], names: str):
    assert names in one_line_error(world.cli(*args))


def test_a_setting_file_that_is_not_json_is_one_line(world: World, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = Cli(bad, tmp_path)("runs")
    assert "is not valid JSON" in one_line_error(result)


def test_plan_then_apply_exactly_the_reviewed_plan(world: World):
    stack = world.stack
    stack.add_file("Leads.csv", ["Id", "Name"], terms=[SYNC_TERM])
    stack.add_file("Orders.csv", ["Id"], terms=[SYNC_TERM])
    plan_file = world.folder / "plan.json"

    planned = world.cli("plan", "datasources", "--out", str(plan_file), "-o", "csv")
    assert planned.code == 0, planned.err
    assert planned.out.splitlines()[0] == "feature,kind,key,summary" and len(planned.out.splitlines()) == 3
    plan = json.loads(plan_file.read_text())
    [entry] = plan["features"]
    assert plan["plan_id"] and entry["state_version"] and len(entry["changes"]) == 2
    assert set(stack.cluedin_groups()) == {"Account.csv"}  # the seeded group only: planning wrote nothing

    applied = world.cli("apply", "--plan", str(plan_file), "-o", "json")
    assert applied.code == 0, applied.err
    [report] = applied.json()
    assert report["status"] == "completed" and report["applied"] == 2
    assert set(stack.cluedin_groups()) == {"Account.csv", "Leads.csv", "Orders.csv"}

    shown = world.cli("show", report["run_id"], "-o", "json").json()
    assert {i["result"] for i in shown["items"]} == {"applied"} and len(shown["items"]) == 2
    assert world.cli("watch", report["run_id"]).code == 0
    runs = world.cli("runs", "datasources", "-o", "json").json()
    assert runs[0]["run_id"] == report["run_id"] and runs[1]["dry_run"] is True


def test_apply_refuses_a_plan_when_state_or_source_moved(world: World):
    stack = world.stack
    stack.add_file("Invoices.csv", ["Id"], terms=[SYNC_TERM])
    stale = world.folder / "stale.json"
    assert world.cli("plan", "datasources", "--out", str(stale)).code == 0
    row = next(iter(stack.state.iter_objects("datasource")))
    stack.state.save(row)  # someone else's cycle wrote a row since the review

    refused = world.cli("apply", "--plan", str(stale))
    assert refused.code == 1 and "state moved since plan" in refused.err and "1 row(s) written since" in refused.err
    assert "Invoices.csv" not in stack.cluedin_groups()

    fresh = world.folder / "fresh.json"
    assert world.cli("plan", "datasources", "--out", str(fresh)).code == 0
    stack.add_file("Suppliers.csv", ["Id"], terms=[SYNC_TERM])  # the source changed after the review
    refused = world.cli("apply", "--plan", str(fresh))
    assert refused.code == 1 and "the source changed since plan" in refused.err
    assert "1 change(s) not in the plan" in refused.err
    assert "Invoices.csv" not in stack.cluedin_groups()

    applied = world.cli("apply", "datasources", "--yes")  # plan and apply in one step, confirmed
    assert applied.code == 0, applied.err
    assert {"Invoices.csv", "Suppliers.csv"} <= set(stack.cluedin_groups())


def test_dry_run_switch_is_read_by_every_cycle(world: World):
    on = world.cli("dry-run", "on", "-o", "json")
    assert on.json()["dry_run"] == "on" and "the switch, set on" in on.json()["because"]
    world.stack.add_file("Products.csv", ["Id"], terms=[SYNC_TERM])
    refused = world.cli("apply", "datasources", "--yes")
    assert refused.code == 1 and "dry-run is on" in refused.err
    for report in world.host.get("/api/runs/datasources", limit="1").json()["value"]:  # none when run alone
        assert report["dry_run"] is True or report["status"] != "enqueued"
    off = world.cli("dry-run", "off", "-o", "json")
    assert off.json()["dry_run"] == "off"
    pinned = world.cli("dry-run", "off", env={"SYNC_DRY_RUN": "true"})
    assert pinned.code == 1 and "SYNC_DRY_RUN=true still wins" in pinned.err


def test_poison_messages_are_listed_shown_and_replayed(world: World):
    stack = world.stack
    poison = stack.queue_client(f"{Queues.CLUEDIN.value}-poison")
    poison.create_queue()
    poison.send_message('{"v": 1, "run_id": "x", "changes": []}')
    listed = world.cli("poison", "list", "cluedin", "-o", "json").json()
    assert len(listed) == 1 and "message does not match the change schema" in listed[0]["problem"]
    shown = world.cli("poison", "show", "cluedin", listed[0]["id"], "-o", "json").json()
    assert shown[0]["body"].startswith('{"v": 1')
    replayed = world.cli("poison", "replay", "cluedin", "--yes", "-o", "json").json()
    assert replayed == [{"queue": "cluedin", "replayed": 1}]


def test_state_list_and_reset(world: World):
    listed = {r["feature"]: r for r in world.cli("state", "list", "-o", "json").json()}
    assert listed["datasources"]["objects"] >= 4 and listed["datasources"]["by_status"]["active"] >= 4
    reset = world.cli("state", "reset", "pipelines", "--yes", "-o", "json").json()
    assert reset == [{"feature": "pipelines", "rows_deleted": 0, "cursors_deleted": 0}]


def test_lineage_drift_is_found_and_repaired(world: World):
    stack = world.stack
    applied = world.cli("apply", "lineage", "--yes", "-o", "json")
    assert applied.code == 0, applied.err
    datasets = stack.entities("cluedin_dataset")
    [(qualified_name, dataset)] = datasets.items()
    assert dataset["customAttributes"][RUN_ID_ATTRIBUTE] == applied.json()[0]["run_id"]
    clean = world.cli("drift", "lineage", "-o", "json").json()
    [feature] = clean["features"]
    assert feature["owned"] >= 3 and feature["drifted"] == [], json.dumps(feature["drifted"][:3], indent=1)

    session = stack.purview.session()
    edited = {**dataset, "attributes": {**dataset["attributes"], "description": "edited in the portal"}}
    edited.pop("relationshipAttributes", None)
    session.post(f"{stack.purview.atlas_url}/entity", json={"entity": edited}).raise_for_status()
    # A new deployment draws CluedIn's processing-pipeline shape: the data set's annotation process is the one
    # process per data set (the classic shape's map process).
    maps = stack.entities(DATA_SET_PROCESS)
    [map_guid] = [m["guid"] for m in maps.values()]
    session.delete(f"{stack.purview.atlas_url}/entity/guid/{map_guid}").raise_for_status()

    found = world.cli("drift", "lineage", "-o", "json").json()["features"][0]["drifted"]
    states = {(d["type_name"], d["state"]) for d in found}
    assert ("cluedin_dataset", "edited") in states and (DATA_SET_PROCESS, "deleted") in states
    [edit] = [d for d in found if d["state"] == "edited"]
    assert edit["differences"]["description"]["found"] == "edited in the portal"
    over_http = world.host.get("/api/drift", feature="lineage")
    assert over_http.status_code == 200 and len(over_http.json()["features"][0]["drifted"]) == len(found)
    assert world.host.get("/api/drift", feature="nope").status_code == 400

    repaired = world.cli("drift", "lineage", "--repair", "--yes")
    assert repaired.code == 0, repaired.err
    assert world.cli("drift", "lineage", "-o", "json").json()["features"][0]["drifted"] == []
    assert stack.entities("cluedin_dataset")[qualified_name]["attributes"]["description"] != "edited in the portal"
    assert len(stack.entities(DATA_SET_PROCESS)) == 1


def test_rollback_restores_an_update_and_removes_a_creation(world: World):
    stack = world.stack
    before = stack.entities("cluedin_dataset")
    [(qualified_name, dataset)] = before.items()
    original = dataset["attributes"]["description"]
    stack.activity(
        "activity/data-set",
        {
            "group": "Account.csv",
            "dataSource": "Account.csv",
            "dataSet": "Contacts.csv",
            **{k: v for k, v in account_set().items() if k != "name"},
        },
    )
    seed_update = {"name": "Account.csv (renamed)"}
    stack.cluedin.services.store.data_sets[stack.data_set_id("Account.csv")].update(seed_update)
    update = world.cli("apply", "lineage", "--yes", "-o", "json")
    assert update.code == 0, update.err
    run_id = update.json()[0]["run_id"]
    after = stack.entities("cluedin_dataset")
    assert len(after) == 2 and after[qualified_name]["attributes"]["name"] == "Account.csv (renamed)"

    rolled = world.cli("rollback", run_id, "--yes", "-o", "json")
    assert rolled.code == 0, rolled.err
    restored = stack.entities("cluedin_dataset")
    assert set(restored) == {qualified_name}  # the data set the run created is gone again
    assert restored[qualified_name]["attributes"]["name"] == "Account.csv"
    assert restored[qualified_name]["attributes"]["description"] == original
    rollback_run = restored[qualified_name]["customAttributes"][RUN_ID_ATTRIBUTE]
    assert rollback_run != run_id and rollback_run.startswith("2")

    stack.add_file("Partners.csv", ["Id"], terms=[SYNC_TERM])
    datasources_run = world.cli("apply", "datasources", "--yes", "-o", "json").json()[0]["run_id"]
    kept = world.cli("rollback", datasources_run, "--yes", "-o", "json")
    assert kept.code == 1 and "CluedIn has no API to delete data source groups" in kept.out


def test_the_lineage_picture_from_the_cli_and_over_http(world: World, tmp_path: Path):
    written = world.cli("lineage", "--html", str(tmp_path / "lineage.html"))
    assert written.code == 0, written.err
    page = (tmp_path / "lineage.html").read_text()
    assert "Account.csv" in page and 'id="lineage-data"' in page
    served = world.host.get("/api/lineage")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/html")
    assert "Account.csv" in served.text

    from tests.support.lineage_page import browser

    with browser() as chrome:
        rendered = chrome.open(tmp_path / "lineage.html")
        assert rendered["nodes"] >= 3
        chrome.screenshot("lineage-from-emulator.png")
    assert chrome.errors == []


def test_python_dash_m_sync_is_the_same_cli(world: World):
    import subprocess
    import sys

    from tests.support.cli import environment

    command = [sys.executable, "-m", "sync", "--help"]
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=environment())
    assert done.returncode == 0 and "rollback" in done.stdout and "drift" in done.stdout
