"""Builds the two executable schemas from the SDL files next to this module (schema first, via ariadne)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ariadne import load_schema_from_path, make_executable_schema
from graphql import GraphQLSchema

from emulators.cluedin.graphql import (
    administration,
    consume,
    glossary,
    inbound,
    management,
    mapping,
    projects,
    rules,
    shared,
)

SCHEMA_DIR = Path(__file__).parent / "schema"


@cache
def ui_schema() -> GraphQLSchema:
    """The UI GraphQL served at `/graphql` (namespaces administration, inbound, management, ...)."""
    type_defs = load_schema_from_path(SCHEMA_DIR / "ui")
    return make_executable_schema(
        type_defs,
        *shared.BINDABLES,
        *inbound.BINDABLES,
        *management.BINDABLES,
        *glossary.BINDABLES,
        *rules.BINDABLES,
        *projects.BINDABLES,
        *mapping.BINDABLES,
        *administration.BINDABLES,
        *consume.UI_BINDABLES,
    )


@cache
def data_schema() -> GraphQLSchema:
    """The data GraphQL served at `/api/api/graphql` (search, entity, metrics)."""
    type_defs = load_schema_from_path(SCHEMA_DIR / "data.graphql")
    return make_executable_schema(type_defs, *consume.DATA_BINDABLES)
