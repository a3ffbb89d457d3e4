"""The filter (rule set) a CluedIn glossary term made from a Purview term carries.

A CluedIn glossary term is a saved filter over golden records; a Purview term is a definition. CluedIn's own tools
skip terms without a filter ("does not have a valid filter", Product Toolkit), and its UI marks the filter required,
so a synced term needs one. The app's choice: **golden records tagged with the term's name** — one rule
`Tags Equals <CluedIn term name>` in an AND group. It mirrors what a Purview term is for (it is *assigned* to
assets; a CluedIn tag is assigned to records, by a person or a rule's "Add Tag" action), it depends on nothing
else the app syncs, and it selects nothing until someone tags records, which suits a term created inactive.

The tree has every key CluedIn's typed `FilterRule` model has (reference cluedin-more.md §1.1). The operator is
Equals' GUID (from the cluedin SDK); the objectTypeId is the one CluedIn's own rule fixtures use for golden-record
fields such as EntityType (an inference: the id for Tags is not published). Node ids are derived from the Purview
term's guid, so the same term always yields the same tree.

The filter is written once, when the term is created: Purview has nothing that could change it, and a person who
edits it in CluedIn (to match their own records) must keep that edit.
"""

from __future__ import annotations

import uuid
from typing import Any

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
EQUALS = "0bafc522-8011-43ba-978a-babe222ba466"
RECORD_FIELD_OBJECT_TYPE = "3be85371-cbe0-4180-8820-73e6e37a6c32"
NAMESPACE = uuid.UUID("6d0f6f3e-0c0b-5b4e-9a55-7c1f3b2a9e10")


def tagged_with(term_guid: str, tag: str) -> dict[str, Any]:
    """`Tags Equals <tag>` as a one-rule AND group, with ids stable for the term."""
    return {
        "objectTypeId": ZERO_GUID,
        "condition": "AND",
        "field": None,
        "id": str(uuid.uuid5(NAMESPACE, f"{term_guid}/group")),
        "operator": ZERO_GUID,
        "rules": [
            {
                "objectTypeId": RECORD_FIELD_OBJECT_TYPE,
                "condition": "AND",
                "field": "Tags",
                "id": str(uuid.uuid5(NAMESPACE, f"{term_guid}/tags")),
                "operator": EQUALS,
                "rules": [],
                "type": "string",
                "value": [tag],
            }
        ],
        "type": None,
        "value": None,
    }
