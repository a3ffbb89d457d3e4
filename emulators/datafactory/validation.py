"""Checks ADF applies to what it is sent, so a wrong body fails here exactly as it would against Azure.

The point is to make the azure-mgmt-datafactory 10.0.0 discriminator bug (Copy activity sent as
`"type": "Execution"`, linked services and datasets without `type`) and dangling references impossible to
miss: every polymorphic object must carry a concrete, known `type`, and every reference must resolve in the
factory when the entity is PUT. Each failure is a 400 whose message and `target` name the JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from emulators.datafactory.discriminators import is_known
from emulators.datafactory.errors import bad_request

Lookup = Callable[[str, str], dict[str, Any] | None]
"""(kind, name) -> the stored entity or None; kinds are "linkedservices", "datasets", "pipelines", "triggers"."""

_ENTITY_NAME = re.compile(r"^[A-Za-z0-9_][^<>*#.%&:\\+?/]*$")
_FACTORY_NAME = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
_RESOURCE_GROUP = re.compile(r"^[-\w._()]+$")
_PARAMETER_TYPES = {"Object", "String", "Int", "Float", "Bool", "Array", "SecureString"}
_DEPENDENCY_CONDITIONS = {"Succeeded", "Failed", "Skipped", "Completed"}
_REFERENCE_KINDS = {"LinkedServiceReference": "linkedservices", "DatasetReference": "datasets"}
_NESTED_ACTIVITY_KEYS = ("activities", "ifTrueActivities", "ifFalseActivities", "defaultActivities")
_FILE_DATASETS = {"DelimitedText", "Json", "Parquet", "Avro", "Orc", "Xml", "Excel", "Binary"}
KIND_LABEL = {"linkedservices": "linked service", "datasets": "dataset", "pipelines": "pipeline", "triggers": "trigger"}


def validate_entity_name(kind: str, name: str) -> None:
    """Apply the REST pattern (max 260) and the naming-rules page: start with a letter, no dashes for some.

    The naming-rules page is stricter than the REST pattern (which also allows a digit or `_` first); the
    stricter rule is enforced so that names the emulator accepts are accepted by ADF too.
    """
    label = KIND_LABEL[kind]
    problem = None
    if not 1 <= len(name) <= 260:
        problem = "must be 1 to 260 characters long"
    elif not _ENTITY_NAME.match(name):
        problem = "must not contain any of . + ? / < > * % & : \\ #"
    elif not name[0].isalpha() or not name[0].isascii():
        problem = "must start with a letter"
    elif "-" in name and kind in {"linkedservices", "datasets"}:
        problem = "must not contain dashes (-) for linked services and datasets"
    if problem:
        raise bad_request(f"Invalid {label} name '{name}': {problem}.", "name", code="InvalidResourceName")


def validate_name_pattern(kind: str, name: str) -> None:
    """Only the REST description's path pattern (max 260): what GET, DELETE and actions check."""
    if not (1 <= len(name) <= 260 and _ENTITY_NAME.match(name)):
        message = f"Invalid {KIND_LABEL[kind]} name '{name}': it does not match the allowed pattern."
        raise bad_request(message, "name", code="InvalidResourceName")


def validate_factory_path(resource_group: str, factory: str) -> None:
    """The resource group and factory name patterns of the REST description's path parameters."""
    if not (1 <= len(resource_group) <= 90 and _RESOURCE_GROUP.match(resource_group)):
        raise bad_request(
            f"Invalid resource group name '{resource_group}'.", "resourceGroupName", "InvalidResourceName"
        )
    if not (3 <= len(factory) <= 63 and _FACTORY_NAME.match(factory)):
        message = f"Invalid factory name '{factory}': 3-63 letters, digits and single inner dashes."
        raise bad_request(message, "factoryName", "InvalidResourceName")


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"'{path}' must be a JSON object.", path)
    return value


def _optional_object(parent: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    value = parent.get(key)
    return None if value is None else _object(value, f"{path}.{key}")


def require_type(obj: Any, path: str, group: str, what: str) -> str:
    """The object's `type`, which must be a concrete discriminator ADF knows for this position."""
    node = _object(obj, path)
    value = node.get("type")
    if value is None:
        raise bad_request(f"'{path}.type' is missing: every {what} must carry its type discriminator.", f"{path}.type")
    if not isinstance(value, str) or not is_known(group, value):
        message = f"'{path}.type' has unknown {what} type {value!r}; ADF does not know this type here."
        raise bad_request(message, f"{path}.type")
    return value


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "Expression"


def _validate_parameters(props: dict[str, Any], path: str) -> None:
    params = _optional_object(props, "parameters", path)
    for name, spec in (params or {}).items():
        spec_path = f"{path}.parameters.{name}"
        kind = _object(spec, spec_path).get("type")
        if not isinstance(kind, str) or kind not in _PARAMETER_TYPES:
            allowed = ", ".join(sorted(_PARAMETER_TYPES))
            raise bad_request(f"'{spec_path}.type' must be one of {allowed}; got {kind!r}.", f"{spec_path}.type")


def _iter_objects(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        yield path, value
        for key, child in value.items():
            yield from _iter_objects(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _iter_objects(child, f"{path}[{index}]")


def _check_references_and_secrets(props: dict[str, Any], lookup: Lookup) -> None:
    """Every entity reference must resolve now; every secret object must be well-formed."""
    for path, node in _iter_objects(props, "properties"):
        kind = node.get("type")
        if not isinstance(kind, str) or path.startswith(("properties.parameters.", "properties.variables.")):
            continue  # parameter and variable definitions use "type" for their data type
        if kind in _REFERENCE_KINDS:
            _resolve(node, path, _REFERENCE_KINDS[kind], lookup)
        elif kind == "PipelineReference":
            _resolve(node, path, "pipelines", lookup)
        elif kind == "SecureString":
            if not isinstance(node.get("value"), str):
                raise bad_request(f"'{path}.value' must be a string for a SecureString.", f"{path}.value")
        elif kind == "AzureKeyVaultSecret":
            _check_key_vault_reference(node, path, lookup)


def _resolve(ref: dict[str, Any], path: str, kind: str, lookup: Lookup) -> dict[str, Any]:
    name = ref.get("referenceName")
    if not isinstance(name, str) or not name:
        raise bad_request(f"'{path}.referenceName' must be a non-empty string.", f"{path}.referenceName")
    target = lookup(kind, name)
    if target is None:
        message = f"'{path}' references {KIND_LABEL[kind]} '{name}', which does not exist in this factory."
        raise bad_request(message, f"{path}.referenceName")
    return target


def _check_key_vault_reference(node: dict[str, Any], path: str, lookup: Lookup) -> None:
    store = node.get("store")
    if not isinstance(store, dict) or store.get("type") != "LinkedServiceReference":
        raise bad_request(f"'{path}.store' must be a LinkedServiceReference to an AzureKeyVault linked service.", path)
    vault = _resolve(store, f"{path}.store", "linkedservices", lookup)
    if vault.get("properties", {}).get("type") != "AzureKeyVault":
        message = f"'{path}.store' references '{store['referenceName']}', which is not an AzureKeyVault linked service."
        raise bad_request(message, f"{path}.store.referenceName")
    secret_name = node.get("secretName")
    if not (isinstance(secret_name, str) and secret_name) and not _is_expression(secret_name):
        raise bad_request(f"'{path}.secretName' must be a non-empty string.", f"{path}.secretName")


def _reference(value: Any, path: str, expected: str) -> None:
    node = _object(value, path)
    if node.get("type") != expected:
        raise bad_request(f"'{path}.type' must be '{expected}'; got {node.get('type')!r}.", f"{path}.type")


def _properties(body: Any) -> dict[str, Any]:
    return _object(_object(body, "body").get("properties"), "properties")


def validate_linked_service(body: Any, lookup: Lookup) -> dict[str, Any]:
    """Validate a LinkedServiceResource body; returns its `properties`."""
    props = _properties(body)
    ls_type = require_type(props, "properties", "linkedService", "linked service")
    type_props = _optional_object(props, "typeProperties", "properties") or {}
    if ls_type == "AzureKeyVault" and not type_props.get("baseUrl"):
        raise bad_request(
            "'properties.typeProperties.baseUrl' is required for AzureKeyVault.", "properties.typeProperties.baseUrl"
        )
    connect_via = props.get("connectVia")
    if connect_via is not None:
        _reference(connect_via, "properties.connectVia", "IntegrationRuntimeReference")
    _validate_parameters(props, "properties")
    _check_references_and_secrets(props, lookup)
    return props


def validate_dataset(body: Any, lookup: Lookup) -> dict[str, Any]:
    """Validate a DatasetResource body; returns its `properties`."""
    props = _properties(body)
    ds_type = require_type(props, "properties", "dataset", "dataset")
    if props.get("linkedServiceName") is None:
        raise bad_request("'properties.linkedServiceName' is required.", "properties.linkedServiceName")
    _reference(props["linkedServiceName"], "properties.linkedServiceName", "LinkedServiceReference")
    type_props = _optional_object(props, "typeProperties", "properties") or {}
    path = "properties.typeProperties"
    if "location" in type_props:
        require_type(type_props["location"], f"{path}.location", "datasetLocation", "dataset location")
    elif ds_type in _FILE_DATASETS:
        raise bad_request(f"'{path}.location' is required for a {ds_type} dataset.", f"{path}.location")
    if type_props.get("format") is not None:
        require_type(type_props["format"], f"{path}.format", "datasetStorageFormat", "dataset format")
    _validate_parameters(props, "properties")
    _check_references_and_secrets(props, lookup)
    return props


def validate_pipeline(body: Any, lookup: Lookup) -> dict[str, Any]:
    """Validate a PipelineResource body; returns its `properties`."""
    props = _properties(body)
    activities = props.get("activities", [])
    _validate_activities(activities, "properties.activities")
    _validate_parameters(props, "properties")
    _check_references_and_secrets(props, lookup)
    return props


def _validate_activities(activities: Any, path: str) -> None:
    if not isinstance(activities, list):
        raise bad_request(f"'{path}' must be a JSON array.", path)
    names: set[str] = set()
    for index, activity in enumerate(activities):
        item = f"{path}[{index}]"
        node = _object(activity, item)
        name = node.get("name")
        if not isinstance(name, str) or not name:
            raise bad_request(f"'{item}.name' must be a non-empty string.", f"{item}.name")
        if name.lower() in names:
            raise bad_request(f"Activity name '{name}' is used twice in '{path}'.", f"{item}.name")
        names.add(name.lower())
        _validate_activity(node, item)
    for index, activity in enumerate(activities):
        for dep_index, dependency in enumerate(activity.get("dependsOn") or []):
            dep_path = f"{path}[{index}].dependsOn[{dep_index}]"
            dep = _object(dependency, dep_path)
            if str(dep.get("activity", "")).lower() not in names:
                raise bad_request(f"'{dep_path}.activity' names no activity of this pipeline.", f"{dep_path}.activity")
            conditions = dep.get("dependencyConditions")
            if (
                not isinstance(conditions, list)
                or not conditions
                or not all(c in _DEPENDENCY_CONDITIONS for c in conditions)
            ):
                allowed = ", ".join(sorted(_DEPENDENCY_CONDITIONS))
                message = f"'{dep_path}.dependencyConditions' must be a non-empty list of {allowed}."
                raise bad_request(message, f"{dep_path}.dependencyConditions")


def _validate_activity(node: dict[str, Any], path: str) -> None:
    activity_type = require_type(node, path, "activity", "activity")
    if node.get("linkedServiceName") is not None:
        _reference(node["linkedServiceName"], f"{path}.linkedServiceName", "LinkedServiceReference")
    _validate_policy(node.get("policy"), f"{path}.policy")
    type_props = _optional_object(node, "typeProperties", path) or {}
    if activity_type == "Copy":
        _validate_copy(node, type_props, path)
    for key in _NESTED_ACTIVITY_KEYS:
        if key in type_props:
            _validate_activities(type_props[key], f"{path}.typeProperties.{key}")
    for case_index, case in enumerate(type_props.get("cases") or []):
        case_path = f"{path}.typeProperties.cases[{case_index}]"
        _validate_activities(_object(case, case_path).get("activities", []), f"{case_path}.activities")


def _validate_policy(policy: Any, path: str) -> None:
    if policy is None:
        return
    node = _object(policy, path)
    retry = node.get("retry")
    if retry is not None and not _is_expression(retry) and not (isinstance(retry, int) and retry >= 0):
        raise bad_request(f"'{path}.retry' must be a non-negative integer.", f"{path}.retry")
    interval = node.get("retryIntervalInSeconds")
    if interval is not None and not (isinstance(interval, int) and 30 <= interval <= 86400):
        raise bad_request(
            f"'{path}.retryIntervalInSeconds' must be an integer from 30 to 86400.", f"{path}.retryIntervalInSeconds"
        )


def _validate_copy(node: dict[str, Any], type_props: dict[str, Any], path: str) -> None:
    tp = f"{path}.typeProperties"
    for direction, group in (("inputs", "source"), ("outputs", "sink")):
        refs = node.get(direction)
        if not isinstance(refs, list) or len(refs) != 1:
            raise bad_request(
                f"'{path}.{direction}' must hold exactly one DatasetReference for a Copy activity.",
                f"{path}.{direction}",
            )
        _reference(refs[0], f"{path}.{direction}[0]", "DatasetReference")
        if group not in type_props:
            raise bad_request(f"'{tp}.{group}' is required for a Copy activity.", f"{tp}.{group}")
    source = type_props["source"]
    sink = type_props["sink"]
    require_type(source, f"{tp}.source", "copySource", "copy source")
    require_type(sink, f"{tp}.sink", "copySink", "copy sink")
    checks = (
        (source, "storeSettings", "storeReadSettings", "store read settings", f"{tp}.source"),
        (source, "formatSettings", "formatReadSettings", "format read settings", f"{tp}.source"),
        (sink, "storeSettings", "storeWriteSettings", "store write settings", f"{tp}.sink"),
        (sink, "formatSettings", "formatWriteSettings", "format write settings", f"{tp}.sink"),
    )
    for parent, key, group, what, parent_path in checks:
        if parent.get(key) is not None:
            require_type(parent[key], f"{parent_path}.{key}", group, what)
    compression = (source.get("formatSettings") or {}).get("compressionProperties")
    if compression is not None:
        path_c = f"{tp}.source.formatSettings.compressionProperties"
        require_type(compression, path_c, "compressionReadSettings", "compression read settings")
    translator = type_props.get("translator")
    if isinstance(translator, dict) and not _is_expression(translator):
        require_type(translator, f"{tp}.translator", "copyTranslator", "copy translator")


def references_in(props: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, lower-case name) of every entity that these properties reference."""
    kinds = {**_REFERENCE_KINDS, "PipelineReference": "pipelines"}
    for _, node in _iter_objects(props, "properties"):
        kind = kinds.get(str(node.get("type")))
        if kind and isinstance(node.get("referenceName"), str):
            yield kind, node["referenceName"].lower()
