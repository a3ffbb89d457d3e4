"""The deployment templates, checked by reading them (parsed by pycep-parser: tests/support/bicep.py).

No Bicep compiler can be installed where this project is developed and tested, so these tests and checkov's
scan (test_infra_scan.py) are the only guard the templates have here: every setting the app needs is set,
secrets are only Key Vault references, role ids are the built-in ones, modules are pinned, and local module
calls match the modules they call.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest

from sync.core.settings import Settings, SettingsGroup, is_secret, load_settings
from sync.core.telemetry import NOTIFICATIONS
from sync.features.registry import settings_groups
from sync.settings_doc import FEATURE_SETTINGS, feature_settings_text
from tests.support import bicep

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = INFRA / "main.bicep"
API = INFRA / "app" / "api.bicep"
BICEP_FILES = bicep.FILES

# Built-in role definition ids (Azure built-in roles reference; the AVM modules' builtInRoleNames tables agree).
BUILT_IN_ROLES = {
    "storageBlobDataOwner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "storageQueueDataContributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "storageTableDataContributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "monitoringMetricsPublisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "keyVaultSecretsUser": "4633458b-17de-408a-b874-0445c86b69e6",
    "keyVaultSecretsOfficer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "dataFactoryContributor": "673868aa-7521-48a0-acc6-0f60742d39f5",
    "azureEventHubsDataReceiver": "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    "contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
}
# Versions whose sources were read at their release tags in Azure/bicep-registry-modules; the first six are the
# set the Azure-Samples Flex Consumption quickstarts deploy together.
AVM_VERSIONS = {
    "avm/res/managed-identity/user-assigned-identity": "0.4.1",
    "avm/res/web/serverfarm": "0.1.1",
    "avm/res/storage/storage-account": "0.8.3",
    "avm/res/operational-insights/workspace": "0.11.1",
    "avm/res/insights/component": "0.6.0",
    "avm/res/web/site": "0.15.1",
    "avm/res/key-vault/vault": "0.13.3",
}
# Settings of the app that a deployment must not set, and why.
NOT_DEPLOYED = {
    "PURVIEW_STATIC_TOKEN": "development only: a fixed token for the emulators",
    "DATA_FACTORY_STATIC_TOKEN": "development only: a fixed token for the emulator",
    "AzureWebJobsStorage": "a connection string would override identity-based storage (sync/core/storage.py)",
}
# App settings that configure the platform, not the app's own model.
PLATFORM_SETTINGS = {
    "AzureWebJobsStorage__credential",
    "AZURE_CLIENT_ID",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY",
    "PYTHON_APPLICATIONINSIGHTS_LOGGER_NAME",
    "PURVIEW_CHANGE_FEED__credential",
    "PURVIEW_CHANGE_FEED__clientId",
}
# Replaced by functionAppConfig or unsupported on Flex Consumption (Learn: "Flex Consumption plan deprecations").
FLEX_DEPRECATED = [
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "ENABLE_ORYX_BUILD",
    "WEBSITE_TIME_ZONE",
    "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
    "linuxFxVersion",
]
KEY_VAULT_REFERENCE = re.compile(
    r"^@Microsoft\.KeyVault\(SecretUri=\$\{keyVaultUri\}secrets/\$\{secretNames\.(\w+)\}/\)$"
)
DRY_RUN_ON_IN_AZURE = {"SYNC_DRY_RUN_UNTIL_SWITCHED"}  # decision 0701: a fresh deployment plans until switched


# ----- The templates, parsed by pycep (tests/support/bicep.py) ----------------------------------------------------
MAIN_PARAMS = bicep.params(MAIN)
SYNC_SETTINGS: dict[str, Any] = bicep.variable(MAIN, "namedSettings")
GENERATED_SETTINGS: dict[str, str] = json.loads(FEATURE_SETTINGS.read_text())
SECRET_SETTINGS: dict[str, str] = {
    name: value
    for _, item in bicep.walk(bicep.parse(MAIN)["variables"])
    if isinstance(item, dict)
    for name, value in item.items()
    if isinstance(value, str) and value.startswith("@Microsoft.KeyVault")
}
PLATFORM: dict[str, Any] = bicep.variable(API, "platformSettings")
CHANGE_FEED = INFRA / "app" / "changefeed.bicep"


def when_true(expression: Any) -> Any:
    """The value of `condition ? value : other` when the condition holds (pycep's ternary operator)."""
    return expression["operator"]["operands"]["true_value"]


CHANGE_FEED_CONNECTION: dict[str, Any] = when_true(bicep.variable(API, "changeFeedConnection"))
ALL_SETTINGS = {**GENERATED_SETTINGS, **SYNC_SETTINGS, **SECRET_SETTINGS, **PLATFORM, **CHANGE_FEED_CONNECTION}
SECRET_NAMES = json.loads((INFRA / "app" / "secret-names.json").read_text())
ROLES = json.loads((INFRA / "app" / "roles.json").read_text())


def app_settings() -> dict[str, tuple[type[SettingsGroup], str]]:
    """Every App Setting of the app → (its group, its field)."""
    found: dict[str, tuple[type[SettingsGroup], str]] = {}
    for group in settings_groups():
        for name in group.model_fields:
            found.setdefault(group.env_name(name), (group, name))
    return found


def secret_fields() -> set[str]:
    return {
        setting for setting, (group, name) in app_settings().items() if is_secret(group.model_fields[name].annotation)
    }


def plain_param(expression: Any) -> str | None:
    """The parameter an app setting is a plain copy of (`x` or `x ? 'true' : 'false'`), else None."""
    if isinstance(expression, dict):
        operands = (expression.get("operator") or {}).get("operands") or {}
        if operands.get("true_value") != "true" or operands.get("false_value") != "false":
            return None
        expression = operands.get("condition")
    return expression if isinstance(expression, str) and expression in MAIN_PARAMS else None


def bicep_default(param: bicep.Param) -> str:
    """A parameter's default as the App Setting text it becomes."""
    default = param.default
    return str(default).lower() if isinstance(default, bool) else str(default)


def identifiers(value: Any) -> list[tuple[tuple[str, ...], str]]:
    """Every (path, string) in a parsed template: pycep gives identifiers and literals alike as strings."""
    return [(trail, item) for trail, item in bicep.walk(value) if isinstance(item, str)]


# ----- App settings -----------------------------------------------------------------------------------------------
def test_settings_the_host_needs_at_start_are_set():
    from devhost.registry import collect_functions
    from function_app import app

    bindings = [str(v) for f in collect_functions(app) for b in f.get_bindings() for v in b.get_dict_repr().values()]
    placeholders = {name for value in bindings for name in re.findall(r"%(\w+)%", value)}
    assert {"SYNC_SCHEDULE", "POLL_SCHEDULE", "PIPELINE_AUTOMATION_SCHEDULE", "SYNC_QUEUE_PREFIX"} <= placeholders
    assert placeholders <= set(ALL_SETTINGS), f"unset binding expressions: {placeholders - set(ALL_SETTINGS)}"
    assert PLATFORM["AzureWebJobsStorage__accountName"] == "storageAccountName"
    assert PLATFORM["AzureWebJobsStorage__credential"] == "managedidentity"
    assert PLATFORM["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert "AzureWebJobsStorage" not in ALL_SETTINGS


def test_generated_deployment_settings_are_current():
    assert FEATURE_SETTINGS.read_text() == feature_settings_text(MAIN.read_text()), (
        "run: .venv/bin/python -m sync.settings_doc --write"
    )
    loaded = [
        v for _, v in bicep.walk(bicep.variable(MAIN, "generatedSettings")) if isinstance(v, dict) and "file_path" in v
    ]
    assert [v["file_path"] for v in loaded] == ["app/feature-settings.json"]
    assert "appSettingsJson" in MAIN_PARAMS


def test_every_deployable_setting_of_the_app_is_set_and_nothing_unknown():
    model = set(app_settings())
    assert set(NOT_DEPLOYED) <= model
    missing = model - set(ALL_SETTINGS) - set(NOT_DEPLOYED)
    assert not missing, f"settings of sync/settings.py the templates do not set: {sorted(missing)}"
    unknown = set(ALL_SETTINGS) - model - PLATFORM_SETTINGS
    assert not unknown, f"app settings the app does not know: {sorted(unknown)}"
    assert not set(SYNC_SETTINGS) & set(PLATFORM), "a platform setting would silently override a sync setting"


def test_no_deprecated_flex_consumption_setting_anywhere():
    for path in BICEP_FILES:
        keys = {trail[-1] for trail, _ in bicep.walk(bicep.parse(path)) if trail}
        for name in [*FLEX_DEPRECATED, *NOT_DEPLOYED]:
            assert name not in keys, f"{name} in {path.name}"


def test_secrets_are_only_ever_key_vault_references():
    secrets = secret_fields()
    assert {"PURVIEW_CLIENT_SECRET", "CLUEDIN_PASSWORD", "CLUEDIN_API_TOKEN", "DATA_FACTORY_CLIENT_SECRET"} <= secrets
    for path in BICEP_FILES:
        for trail, value in bicep.walk(bicep.parse(path)):
            if trail and trail[-1] in secrets:
                reference = KEY_VAULT_REFERENCE.match(value) if isinstance(value, str) else None
                assert reference, f"{trail[-1]} in {path.name} is not a Key Vault reference: {value}"
                assert reference[1] in SECRET_NAMES
    assert set(SECRET_SETTINGS) == secrets - set(NOT_DEPLOYED)


def test_secure_parameters_only_reach_the_secrets_module():
    secure = [p for p in MAIN_PARAMS.values() if p.secure]
    assert {p.name for p in secure} >= {"purviewClientSecret", "cluedinPassword", "cluedinIngestionToken"}
    secrets_call = bicep.module_params(MAIN, "secrets")
    parsed = bicep.parse(MAIN)
    uses = identifiers({k: v for k, v in parsed.items() if k != "parameters"})
    for param in secure:
        assert param.default == "", f"{param.name} must default to empty"
        for trail, value in uses:
            if value != param.name:
                continue
            passed_on = trail[:1] == ("modules",) and trail[1] == "secrets" and trail[-1] == param.name
            emptiness = trail[-1] == "item_to_test"  # empty(<param>)
            assert passed_on or emptiness, f"secure parameter {param.name} used at {'.'.join(trail)}"
        assert secrets_call.get(param.name) == param.name
    assert not any(p.secure for p in bicep.params(API).values())
    for path in BICEP_FILES:
        for param in bicep.params(path).values():
            if param.secure:
                assert param.required or param.default == "", f"{path.name}: {param.name} has a default value"


def test_infra_defaults_are_the_app_defaults():
    environment = dict.fromkeys(SECRET_SETTINGS, "x") | {"AzureWebJobsStorage__accountName": "st"}
    compared = 0
    for setting, expression in SYNC_SETTINGS.items():
        name = plain_param(expression)
        if name is None:
            continue
        default = MAIN_PARAMS[name].default
        environment[setting] = bicep_default(MAIN_PARAMS[name])
        group, field = app_settings()[setting]
        app_default = group.model_fields[field].default
        if setting in DRY_RUN_ON_IN_AZURE:
            assert default is True
            continue
        compared += 1
        if isinstance(app_default, float):
            assert float(str(default)) == app_default, setting
        else:
            assert default == (app_default if app_default is not None else ""), setting
    assert compared >= 20
    settings = load_settings(environment | GENERATED_SETTINGS)  # the defaults, as the app reads them, are valid
    for group in settings_groups():
        settings.get(group)
    assert isinstance(settings, Settings)


def test_allowed_delete_policies_are_the_apps():
    from sync.core.settings import DeletePolicy

    assert set(MAIN_PARAMS["syncDeletePolicy"].decorators["allowed"]) == {p.value for p in DeletePolicy}


def test_telemetry_goes_through_the_worker_with_entra_auth():
    assert PLATFORM["PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY"] == "true"
    assert NOTIFICATIONS.name.startswith(f"{PLATFORM['PYTHON_APPLICATIONINSIGHTS_LOGGER_NAME']}.")
    assert "Authorization=AAD" in PLATFORM["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
    assert "ClientId=${identityClientId}" in PLATFORM["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
    assert re.search(r"^azure-monitor-opentelemetry==", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert json.loads((ROOT / "host.json").read_text())["telemetryMode"] == "OpenTelemetry"


# ----- Resources --------------------------------------------------------------------------------------------------
def test_flex_consumption_app_configuration():
    site = bicep.module_params(API, "site")
    config = site["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    assert "3.11" in (ROOT / "pyproject.toml").read_text().split("requires-python", 1)[1].splitlines()[0]
    storage = config["deployment"]["storage"]
    assert storage["type"] == "blobContainer" and storage["authentication"]["type"] == "UserAssignedIdentity"
    assert config["scaleAndConcurrency"] == {
        "instanceMemoryMB": "instanceMemoryMB",
        "maximumInstanceCount": "maximumInstanceCount",
    }
    assert site["keyVaultAccessIdentityResourceId"] == "identityResourceId"
    assert {"instanceMemoryMB", "maximumInstanceCount"} <= set(MAIN_PARAMS)
    assert bicep.module_params(MAIN, "plan")["sku"] == {"name": "FC1", "tier": "FlexConsumption"}


def test_secure_defaults_of_storage_monitoring_and_vault():
    assert bicep.module_params(MAIN, "storage")["allowSharedKeyAccess"] is False
    assert bicep.module_params(MAIN, "appInsights")["disableLocalAuth"] is True
    assert bicep.module_params(MAIN, "keyVault")["enableRbacAuthorization"] is True


def test_role_definition_ids_are_the_built_in_ones():
    assert ROLES == BUILT_IN_ROLES
    used = set()
    for path in BICEP_FILES:
        parsed = bicep.parse(path)
        guids = [v for _, v in identifiers(parsed) if re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", v)]
        assert not guids, f"{path.name}: role ids belong in roles.json: {guids}"
        for resource in parsed["resources"].values():
            if resource["type"] != "Microsoft.Authorization/roleAssignments" or resource.get("existing"):
                continue
            body = bicep.config(resource)
            assert "guid" in json.dumps(body["name"]), f"{path.name}: role assignment names must be deterministic"
            names = bicep.accessed(body["properties"]["roleDefinitionId"], "roles")
            assert names and names <= set(ROLES)
            used |= names
    assert used == set(ROLES), f"roles never assigned: {set(ROLES) - used}"


def test_modules_are_pinned_and_local_module_calls_match_the_modules():
    seen = {}
    for path in BICEP_FILES:
        parsed = bicep.parse(path)
        for symbol, module in parsed["modules"].items():
            detail = module["detail"]
            if module["type"] != "local":
                assert detail.get("public") and re.fullmatch(r"\d+\.\d+\.\d+", detail["tag"]), detail
                seen[detail["path"]] = detail["tag"]
                continue
            child = path.parent / detail["path"]
            assert child.is_file(), detail
            passed = set(bicep.module_params(path, symbol))
            declared = bicep.params(child)
            assert passed <= set(declared), f"{symbol}: unknown parameters {passed - set(declared)}"
            required = {n for n, p in declared.items() if p.required}
            assert required <= passed, f"{symbol}: missing parameters {required - passed}"
            for value in bicep.walk(parsed):
                item = value[1]
                if isinstance(item, dict) and item.get("type") == "property_accessor":
                    operands = item["operands"]
                    if operands.get("operand_1") == symbol:
                        read = bicep.accessed(operands.get("operand_2"), "outputs")
                        assert read <= bicep.outputs(child), f"{symbol}.outputs.{read}"
    assert seen == AVM_VERSIONS


def test_json_files_and_the_keys_read_from_them_exist():
    for path in BICEP_FILES:
        parsed = bicep.parse(path)
        for name, spec in parsed["variables"].items():
            function = (spec["value"] or {}).get("function") if isinstance(spec["value"], dict) else None
            if not function or function.get("type") != "load_json_content":
                continue
            data = json.loads((path.parent / function["parameters"]["file_path"]).read_text())
            for key in bicep.accessed(parsed, name):
                assert key in data, f"{path.name}: {name}.{key} not in {function['parameters']['file_path']}"


def test_every_template_parses_and_every_parameter_is_used():
    for path in BICEP_FILES:
        parsed = bicep.parse(path)
        used = {v for _, v in identifiers({k: v for k, v in parsed.items() if k != "parameters"})}
        text = json.dumps({k: v for k, v in parsed.items() if k != "parameters"})
        for name in bicep.params(path):
            assert name in used or f"{{{name}}}" in text, f"{path.name}: {name} unused"


def test_outputs_name_what_the_operator_needs():
    assert {
        "FUNCTION_APP_NAME",
        "FUNCTION_APP_URL",
        "FUNCTION_APP_IDENTITY_CLIENT_ID",
        "FUNCTION_APP_IDENTITY_PRINCIPAL_ID",
        "KEY_VAULT_NAME",
    } <= bicep.outputs(MAIN)
    secure = {p.name for p in MAIN_PARAMS.values() if p.secure}
    assert not secure & {v for _, v in identifiers(bicep.parse(MAIN)["outputs"])}


def test_the_change_feed_connects_with_the_apps_identity_and_is_off_unless_enabled():
    from devhost.registry import collect_functions
    from function_app import app
    from sync.features.purview_feed.settings import CONNECTION

    [function] = [f for f in collect_functions(app) if '"eventHubTrigger"' in f.get_function_json()]
    assert json.loads(function.get_function_json())["bindings"][0]["connection"] == CONNECTION
    assert {
        f"{CONNECTION}__credential": "managedidentity",
        f"{CONNECTION}__clientId": "identityClientId",
    } == CHANGE_FEED_CONNECTION
    namespace = json.dumps(SYNC_SETTINGS[f"{CONNECTION}__fullyQualifiedNamespace"])
    assert "purviewChangeFeedEnabled" in namespace and "fullyQualifiedNamespace" in namespace
    states = {key.strip("'"): value for key, value in bicep.variable(API, "functionStates").items()}  # quoted key
    disabled = states[f"AzureWebJobs.{function.get_function_name()}.Disabled"]["operator"]["operands"]
    assert disabled == {"condition": "purviewChangeFeedEnabled", "true_value": "false", "false_value": "true"}
    assert [v for _, v in identifiers(bicep.module_params(API, "site")["appSettingsKeyValuePairs"])] >= [
        "changeFeedConnection",
        "functionStates",
    ]
    assert MAIN_PARAMS["purviewChangeFeedEnabled"].default is False
    module = bicep.parse(MAIN)["modules"]["changeFeed"]
    assert module["detail"]["path"] == "app/changefeed.bicep" and "condition" in module["config"]


def test_the_change_feed_hub_grants_only_what_reading_and_purview_need():
    resources = bicep.parse(CHANGE_FEED)["resources"]
    receiver = bicep.config(resources["appReceiver"])
    assert receiver["scope"] == "hub"  # the hub, not the namespace
    assert bicep.accessed(receiver["properties"]["roleDefinitionId"], "roles") == {"azureEventHubsDataReceiver"}
    purview = bicep.config(resources["purviewContributor"])
    assert purview["scope"] == "namespace"
    assert bicep.accessed(purview["properties"]["roleDefinitionId"], "roles") == {"contributor"}
    namespace = bicep.config(resources["newNamespace"])
    assert namespace["sku"]["name"] == "Standard"  # Basic has no Kafka endpoint and no consumer group but $Default
    assert namespace["properties"]["disableLocalAuth"] is True
    assert bicep.config(resources["appConsumerGroup"])["name"] == "consumerGroup"
    assert not any("kafkaConfigurations" in r["type"] for r in resources.values())  # Purview's own, never overwritten


# ----- Parameters file and azd ------------------------------------------------------------------------------------
def test_parameters_file_holds_no_secrets_and_mirrors_the_defaults():
    values = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert set(values) <= set(MAIN_PARAMS)
    setting_of = {plain_param(e): s for s, e in SYNC_SETTINGS.items() if plain_param(e)}
    for name, entry in values.items():
        assert not MAIN_PARAMS[name].secure, f"secure parameter {name} in the parameters file"
        match = re.fullmatch(r"\$\{(\w+)(?:=([^}]*))?\}", entry["value"])
        assert match, f"{name}: only azd environment references belong here, got {entry['value']!r}"
        if name in setting_of:
            assert match[1] == setting_of[name], f"{name} should read the environment variable {setting_of[name]}"
        if match[2] is not None:
            assert match[2] == bicep_default(MAIN_PARAMS[name]), name
    assert {"environmentName", "location", "principalId"} <= set(values)
    not_mapped = {name for name, param in MAIN_PARAMS.items() if not param.secure} - set(values)
    assert not not_mapped, f"azd users could not set: {sorted(not_mapped)}"


def azure_yaml() -> dict[str, typing.Any]:
    """A tiny reader for the indentation-nested `key: value` subset azure.yaml uses."""
    root: dict[str, typing.Any] = {}
    stack: list[tuple[int, dict[str, typing.Any]]] = [(-1, root)]
    for line in (ROOT / "azure.yaml").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, _, value = line.strip().partition(":")
        while stack[-1][0] >= indent:
            stack.pop()
        if value.strip():
            stack[-1][1][key] = value.strip()
        else:
            stack[-1][1][key] = {}
            stack.append((indent, stack[-1][1][key]))
    return root


def test_azure_yaml_deploys_the_repository_root_as_the_python_function_service():
    services = azure_yaml()["services"]
    assert list(services) == ["api"]
    assert services["api"] == {"project": ".", "language": "python", "host": "function"}
    for needed in ["function_app.py", "host.json", "requirements.txt", ".funcignore"]:
        assert (ROOT / needed).is_file()
    assert "azd-service-name" in json.dumps(bicep.module_params(API, "site")["tags"])
    assert not (ROOT / "infra" / "main.bicepparam").exists()


# ----- Docs -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "event", ["RunPlanned", "ChangeApplied", "MessagePoisoned", "DeleteFailSafe", "ChangeFeedBatch"]
)
def test_deploy_docs_query_events_the_app_really_logs(event: str):
    docs = (ROOT / "docs" / "deploy.md").read_text()
    code = "\n".join(path.read_text() for path in (ROOT / "sync").rglob("*.py"))
    assert f'"{event}"' in code
    assert f'"{event}"' in docs
    assert NOTIFICATIONS.name in docs


def test_deploy_docs_name_every_secret_and_the_untested_compile():
    docs = (ROOT / "docs" / "deploy.md").read_text()
    for secret in [*SECRET_NAMES.values(), MAIN_PARAMS["dataFactoryCluedinTokenSecretName"].default]:
        assert f"`{secret}`" in docs
    assert "az bicep build" in docs
