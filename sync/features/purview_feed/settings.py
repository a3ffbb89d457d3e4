"""Settings of the Purview change feed (Atlas entity notifications through Purview's notification Event Hub)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env

CONNECTION = "PURVIEW_CHANGE_FEED"
"""The Event Hub trigger's `connection`: the host reads `PURVIEW_CHANGE_FEED__fullyQualifiedNamespace` (with
`__credential=managedidentity` and `__clientId` for a user-assigned identity)."""


class PurviewChangeFeedSettings(SettingsGroup):
    """Whether Purview's entity notifications are planned as they arrive, and where they are read from."""

    title: ClassVar[str] = "Purview change feed (entity notifications through Event Hubs)"

    purview_change_feed_enabled: bool = Field(
        False,
        validation_alias=env("PURVIEW_CHANGE_FEED_ENABLED"),
        description="Plan the assets Purview notifies (created, updated, deleted, classified) within seconds, for "
        "the features that read Purview assets (data sources, pipeline automation); their timers stay the safety "
        "net and cover what Purview does not notify (glossary changes). Needs Purview's Kafka notification "
        "configuration (docs/deploy.md).",
    )
    purview_change_feed_hub: str = Field(
        "atlas_entities",
        min_length=1,
        validation_alias=env("PURVIEW_CHANGE_FEED_HUB"),
        description="Event hub of Purview's Notification Kafka configuration (a managed namespace calls it "
        "atlas_entities).",
    )
    purview_change_feed_consumer_group: str = Field(
        "cluedin-sync",
        min_length=1,
        validation_alias=env("PURVIEW_CHANGE_FEED_CONSUMER_GROUP"),
        description="The app's own consumer group on that hub (never share one with another reader).",
    )
    purview_change_feed_namespace: str = Field(
        "",
        validation_alias=env(f"{CONNECTION}__fullyQualifiedNamespace"),
        description="Host name of that hub's namespace (<namespace>.servicebus.windows.net). Read by the Functions "
        "host, which connects with the app's identity (Azure Event Hubs Data Receiver on the hub).",
    )
