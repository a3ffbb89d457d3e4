"""A compiled fast path for read-only GraphQL operations; graphql-core stays the reference executor.

graphql-core's executor spends ~6 µs per field, which caps a page of 100 data source groups at ~120
queries/s. Documents are cached, so each query document is compiled once into a tree of closures that project
the store's dicts directly (resolvers are still called for fields that have them). Whenever anything unusual
happens — a resolver raises, a non-null field is null, a value cannot be serialised — the fast path gives up
and the request is executed again by graphql-core, so errors, paths and null propagation are exactly
graphql-core's. Queries have no side effects, so running resolvers twice is harmless. Operations using
directives, abstract types or introspection are never compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values

Completer = Callable[[Any, "Run"], Any]
FieldFn = Callable[[Any, "Run"], Any]
"""Resolves one field of a source object and completes the value: (source, run) -> JSON-ready value."""

MAX_INT = 2**31 - 1


class Unsupported(Exception):
    """The document uses something the fast path does not compile (directives, abstract types, ...)."""


class GiveUp(Exception):
    """Something unusual happened at run time; let graphql-core execute the request."""


@dataclass
class FastInfo:
    """The part of `GraphQLResolveInfo` the emulator's resolvers use (they only read `context`)."""

    context: Any


@dataclass
class Run:
    """Per-execution state the compiled closures need."""

    variables: VariableValues
    context: Any
    info: FastInfo


def compile_operation(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> Callable[[VariableValues, Any], dict[str, Any]] | None:
    """A function executing a query operation, or None when the fast path does not apply."""
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.query_type
    if root is None:
        return None
    try:
        fields = _compile_selection(schema, root, [operation.selection_set], fragments)
    except Unsupported:
        return None

    def execute(variables: VariableValues, context: Any) -> dict[str, Any]:
        run = Run(variables, context, FastInfo(context))
        return {key: resolve(None, run) for key, resolve in fields}

    return execute


def _collect(
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    into: dict[str, list[FieldNode]],
) -> None:
    for selection in selection_set.selections:
        if selection.directives:
            raise Unsupported("directives")
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            into.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            if selection.type_condition and selection.type_condition.name.value != parent.name:
                raise Unsupported("type condition")
            _collect(parent, selection.selection_set, fragments, into)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.type_condition.name.value != parent.name:
                raise Unsupported("fragment")
            _collect(parent, fragment.selection_set, fragments, into)
        else:  # pragma: no cover - no other selection kinds exist
            raise Unsupported(type(selection).__name__)


def _compile_selection(
    schema: GraphQLSchema,
    parent: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> tuple[tuple[str, FieldFn], ...]:
    grouped: dict[str, list[FieldNode]] = {}
    for selection_set in selection_sets:
        _collect(parent, selection_set, fragments, grouped)
    compiled = []
    for key, nodes in grouped.items():
        name = nodes[0].name.value
        if name == "__typename":
            compiled.append((key, _constant(parent.name)))
            continue
        if name.startswith("__"):
            raise Unsupported("introspection")
        definition = parent.fields[name]
        subsets = [n.selection_set for n in nodes if n.selection_set is not None]
        compiled.append((key, _field(schema, definition, name, node=nodes[0], subsets=subsets, fragments=fragments)))
    return tuple(compiled)


def _constant(value: str) -> FieldFn:
    def constant(_source: Any, _run: Run) -> str:
        return value

    return constant


def _field(
    schema: GraphQLSchema,
    definition: GraphQLField,
    name: str,
    *,
    node: FieldNode,
    subsets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> FieldFn:
    resolver = definition.resolve
    if resolver is None:
        plain = _plain_leaf(definition.type, name)
        if plain is not None:
            return plain
    complete = _completer(schema, definition.type, subsets, fragments)
    if resolver is None:

        def default(source: Any, run: Run) -> Any:
            return complete(source.get(name), run)

        return default
    if definition.args:

        def with_args(source: Any, run: Run) -> Any:
            args = get_argument_values(definition, node, run.variables)
            return complete(resolver(source, run.info, **args), run)

        return with_args

    def resolved(source: Any, run: Run) -> Any:
        return complete(resolver(source, run.info), run)

    return resolved


def _plain_leaf(gql_type: GraphQLOutputType, name: str) -> FieldFn | None:
    """A dict lookup for a String/ID/Int/Boolean field that needs no resolver (the bulk of every answer)."""
    if isinstance(gql_type, GraphQLNonNull):
        optional = _plain_leaf(gql_type.of_type, name)
        if optional is None:
            return None

        def required(source: Any, run: Run) -> Any:
            value = optional(source, run)
            if value is None:
                raise GiveUp("null for non-null field")
            return value

        return required
    kind = getattr(gql_type, "name", None)
    if not is_leaf_type(gql_type) or kind not in {"String", "ID", "Int", "Boolean"}:
        return None
    serialize = gql_type.serialize
    if kind in {"String", "ID"}:

        def text(source: Any, _run: Run) -> Any:
            value = source.get(name)
            return value if value is None or type(value) is str else serialize(value)

        return text
    if kind == "Int":

        def integer(source: Any, _run: Run) -> Any:
            value = source.get(name)
            return (
                value
                if value is None or (type(value) is int and -MAX_INT - 1 <= value <= MAX_INT)
                else serialize(value)
            )

        return integer

    def boolean(source: Any, _run: Run) -> Any:
        value = source.get(name)
        return value if value is None or type(value) is bool else serialize(value)

    return boolean


def _completer(
    schema: GraphQLSchema,
    gql_type: GraphQLOutputType,
    subsets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> Completer:
    if isinstance(gql_type, GraphQLNonNull):
        inner = _completer(schema, gql_type.of_type, subsets, fragments)

        def non_null(value: Any, run: Run) -> Any:
            if value is None:
                raise GiveUp("null for non-null field")
            return inner(value, run)

        return non_null
    if isinstance(gql_type, GraphQLList):
        item = _completer(schema, gql_type.of_type, subsets, fragments)

        def list_value(value: Any, run: Run) -> Any:
            if value is None:
                return None
            if type(value) is not list:
                raise GiveUp("list expected")
            return [item(v, run) for v in value]

        return list_value
    if is_leaf_type(gql_type):
        serialize = gql_type.serialize

        def leaf(value: Any, _run: Run) -> Any:
            return None if value is None else serialize(value)

        return leaf
    if not isinstance(gql_type, GraphQLObjectType):
        raise Unsupported("abstract type")
    fields = _compile_selection(schema, gql_type, subsets, fragments)

    def obj(value: Any, run: Run) -> Any:
        if value is None:
            return None
        if type(value) is not dict:
            raise GiveUp("objects are dicts in this emulator")
        return {key: resolve(value, run) for key, resolve in fields}

    return obj
