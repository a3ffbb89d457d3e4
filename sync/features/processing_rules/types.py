"""Purview types of processing rules: an asset per rule scope and a Processing Rule process per rule."""

from __future__ import annotations

from sync.features.lineage.api import ORGANIZATION
from sync.services.purview.typedefs import LINK, Attribute, CluedInType

SCOPE_ASSET_TYPE = CluedInType(
    "cluedin_processing_rules",
    "Cluedin Processing Rules",
    "asset",
    (ORGANIZATION, Attribute("scope", description="CluedIn rule scope: DataPart, Survivorship or Entity"), LINK),
    columns_parent_attribute="processingRules",
)
RULE_PROCESS_TYPE = CluedInType(
    "cluedin_processing_rule_process",
    "Cluedin Processing Rule Process",
    "process",
    (
        ORGANIZATION,
        Attribute("ruleId", description="CluedIn rule id"),
        Attribute("ruleName", description="The rule's name in CluedIn"),
        Attribute("scope", description="CluedIn rule scope: DataPart, Survivorship or Entity"),
        Attribute("isActive", "boolean", "Whether the rule is active in CluedIn"),
        Attribute("conditionSummary", description="Which golden records the rule applies to"),
        Attribute("actions", description="The rule's actions, comma-separated"),
        LINK,
    ),
)
RULE_TYPES = (SCOPE_ASSET_TYPE, RULE_PROCESS_TYPE)
