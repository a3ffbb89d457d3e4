"""The demo's change-feed step: a data steward tags an asset in Purview and it reaches CluedIn in seconds.

Purview publishes the tagging as an Atlas notification; the bridge (devhost/purview_feed.py) delivers it to the local
host's stand-in Event Hub; the `purview_change_feed` function plans that one asset and the queue function applies
it. No timer fires in between: by polling, the change would wait for the next minute's full cycle.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from devhost.host import LocalHost
from devhost.purview_feed import NotificationBridge

HUB, GROUP = "atlas_entities", "cluedin-sync"
ASSET = "https://contosolake.dfs.core.windows.net/logs/WebClicks.csv"
TERM, GLOSSARY = "Sync to CluedIn", "Business Glossary"
SETTINGS = {
    "PURVIEW_CHANGE_FEED_ENABLED": "true",
    "PURVIEW_CHANGE_FEED_HUB": HUB,
    "PURVIEW_CHANGE_FEED_CONSUMER_GROUP": GROUP,
}
"""App settings the demo adds: the change feed on, reading the stand-in of Purview's notification hub."""


def tag_asset(purview_url: str, qualified_name: str) -> str:
    """Assign the keyword term to an asset through the glossary API, as a steward does in the portal."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer demo"
    atlas = f"{purview_url}/datamap/api/atlas/v2"
    entity = session.get(
        f"{atlas}/entity/uniqueAttribute/type/azure_datalake_gen2_path",
        params={"attr:qualifiedName": qualified_name},
        timeout=10,
    ).json()["entity"]
    glossary = next(g for g in session.get(f"{atlas}/glossary", timeout=10).json() if g["name"] == GLOSSARY)
    term = next(
        t for t in session.get(f"{atlas}/glossary/{glossary['guid']}/terms", timeout=10).json() if t["name"] == TERM
    )
    url = f"{atlas}/glossary/terms/{term['guid']}/assignedEntities"
    session.post(url, json=[{"guid": entity["guid"]}], timeout=10).raise_for_status()
    return str(entity["attributes"]["name"])


def run(host: LocalHost, purview_url: str, storage: str, ctx: Any) -> list[list[str]]:
    """Tag the asset, wait for its data source group; returns the rows the demo prints."""
    bridge = NotificationBridge(purview_url, storage, HUB, GROUP)
    host.start(http=False, timers=False, queues=True)
    bridge.start()
    try:
        started = time.monotonic()
        name = tag_asset(purview_url, ASSET)
        cluedin = ctx.client("cluedin")
        deadline = started + 60
        while cluedin.find_data_source_set(name) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        seconds = time.monotonic() - started
    finally:
        bridge.stop()
        host.stop()
    found = cluedin.find_data_source_set(name) is not None
    [report] = ctx.state.runs.newest("datasources", limit=1)
    return [
        ["tagged in Purview", f"{name} (term '{TERM}', glossary API)"],
        ["notifications delivered", str(len(bridge.delivered))],
        ["planned by", f"{report.get('trigger') or 'a timer'} run {report.get('run_id')}"],
        ["data source in CluedIn", f"{'yes' if found else 'NO'} after {seconds:.1f} s (polling: up to 60 s more)"],
    ]
