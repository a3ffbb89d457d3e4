"""The Purview change feed through the local Functions host: the emulator's notifications, forwarded to the stand-in
Event Hub, reach the real `purview_change_feed` function, whose plan the queue functions apply — no timer fires."""

from __future__ import annotations

import os
import time

import pytest

from devhost.host import LocalHost
from devhost.purview_feed import NotificationBridge
from tests.support.stack import SYNC_TERM, build_stack

HUB, GROUP = "atlas_entities", "cluedin-sync"


@pytest.fixture()
def restore_environment():
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_a_tagged_asset_reaches_cluedin_from_its_notifications(
    azurite, purview, fresh_cluedin_emulator, restore_environment
):
    stack = build_stack(azurite, purview, fresh_cluedin_emulator)
    hub = f"{HUB}_{stack.settings.engine.sync_queue_prefix}"  # a hub of this test's own
    settings = {
        **stack.environment,
        "SYNC_SCHEDULE": "0 0 0 1 1 *",
        "POLL_SCHEDULE": "0 0 0 1 1 *",
        "PIPELINE_AUTOMATION_SCHEDULE": "0 0 0 1 1 *",
        "PURVIEW_CHANGE_FEED_ENABLED": "true",
        "PURVIEW_CHANGE_FEED_HUB": hub,
        "PURVIEW_CHANGE_FEED_CONSUMER_GROUP": GROUP,
        "AzureFunctionsJobHost__extensions__queues__maxPollingInterval": "00:00:00.5",
    }
    host = LocalHost.load("function_app:app", settings)
    bridge = NotificationBridge(purview.url, azurite.connection_string, hub, GROUP)
    with host:
        assert "purview_change_feed" in host.event_hubs
        host.start(http=False, timers=False, queues=True)
        bridge.start()
        try:
            stack.add_table("Customers", terms=[SYNC_TERM])
            deadline = time.monotonic() + 60
            while "Customers" not in stack.cluedin_groups() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            bridge.stop()
        assert "Customers" in stack.cluedin_groups()
        [report] = stack.state.runs.newest("datasources", limit=1)
        assert report["trigger"] == "purview-change-feed"
        assert host.totals()["purview_change_feed"].failed == 0
