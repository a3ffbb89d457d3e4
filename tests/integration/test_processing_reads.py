"""The app's reads of rules and projects against the CluedIn emulator's demo organization (what F14-F17 see)."""

from __future__ import annotations

import pytest

from sync.services.cluedin.processing import (
    iter_clean_projects,
    iter_dedup_projects,
    iter_mde_projects,
    iter_rules,
    read_clean_project,
    read_dedup_project,
    read_rule,
)
from tests.support.stack import build_stack


@pytest.fixture()
def cluedin(azurite, purview, seeded_cluedin_emulator):
    return build_stack(azurite, purview, seeded_cluedin_emulator, seed={}).cluedin_client()


def test_rules_of_every_scope_with_their_condition_and_keys(cluedin):
    listed = {r.name: r for r in iter_rules(cluedin)}
    assert {"Normalise country", "Prefer CRM", "Golden customer"} <= set(listed)
    facts = read_rule(cluedin, listed["Normalise country"].id)
    assert facts is not None
    assert facts.scope == "DataPart" and facts.is_active is True
    assert facts.condition == "EntityType Equals /Customer"
    assert facts.actions == ["To UpperCase"]
    assert facts.keys == ["customer.country"]
    assert read_rule(cluedin, "00000000-0000-0000-0000-000000000001") is None


def test_clean_dedup_and_manual_data_entry_projects(cluedin):
    [clean] = [p for p in iter_clean_projects(cluedin) if p.name == "Customer clean project"]
    facts = read_clean_project(cluedin, clean.id)
    assert facts is not None and facts.keys == ["customer.email"]
    assert facts.condition == "EntityType Equals /Customer"
    [dedup] = [p for p in iter_dedup_projects(cluedin) if p.name == "Customer deduplication"]
    found = read_dedup_project(cluedin, dedup.id)
    assert found is not None
    assert found.scope == "business domains /Customer"
    assert found.matching_rules == ["Same e-mail"] and found.keys == ["customer.email"]
    [mde] = [p for p in iter_mde_projects(cluedin) if p.title == "Account MDE"]
    assert mde.entity_type == "/Customer"
    assert [k for k, _ in mde.fields] == ["customer.id", "customer.name"]
