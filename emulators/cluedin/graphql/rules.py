"""Resolvers for processing rules in the `management` namespace: list by scope, get, create, save, operators."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from emulators.cluedin import rules
from emulators.cluedin.graphql.context import Info, ctx, requires
from emulators.cluedin.graphql.management import mutation, query
from emulators.cluedin.graphql.shared import resolve_author, resolve_is_owner
from emulators.cluedin.util import matches_search, page_slice, sort_items

RULES = "management.rulebuilder"
RULES_PAGE_SIZE = 20
"""The server's page size for `rules` (the SDK's `get_rules`: "currently returns 20 rules per page")."""

rule = ObjectType("Rule")


@query.field("rules")
@requires(RULES)
def _rules(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    items = [r for r in ctx(info).store.rules.values() if matches_search(r["name"], args.get("searchName"))]
    if args.get("scope"):
        items = [r for r in items if str(r.get("scope")).lower() == str(args["scope"]).lower()]
    if args.get("isActive") is not None:
        items = [r for r in items if r.get("isActive") == args["isActive"]]
    items = sort_items(items, args.get("sortBy"), args.get("sortDirection"), default=lambda r: r.get("order", 0))
    return {"total": len(items), "data": page_slice(items, args.get("pageNumber"), RULES_PAGE_SIZE, first_page=1)}


@query.field("rule")
@requires(RULES)
def _rule(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return rules.get_rule(ctx(info).store, id)


@query.field("ruleOperators")
@requires(RULES)
def _rule_operators(_obj: Any, _info: Info) -> dict[str, Any]:
    return rules.operator_models()


@mutation.field("createRule")
@requires(RULES, write=True)
def _create_rule(_obj: Any, info: Info, rule: dict[str, Any]) -> dict[str, Any]:
    return rules.create_rule(ctx(info).store, rule, ctx(info).user_id)


@mutation.field("saveRule")
@requires(RULES, write=True)
def _save_rule(_obj: Any, info: Info, rule: dict[str, Any]) -> dict[str, Any]:
    return rules.save_rule(ctx(info).store, rule, ctx(info).user_id)


@rule.field("affectedRecords")
def _affected_records(obj: dict[str, Any], info: Info) -> int:
    return rules.affected_records(ctx(info).store, obj)


rule.set_field("author", resolve_author)
rule.set_field("isOwner", resolve_is_owner)

BINDABLES = [rule]
