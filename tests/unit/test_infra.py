"""The deployment templates, checked by reading them.

No Bicep compiler can be installed where this project is developed and tested, so these tests are the only
guard the templates have here: every setting the app needs is set, secrets are only Key Vault references,
role ids are the built-in ones, modules are pinned, and local module calls match the modules they call.
The small Bicep reader they need lives here too, so the infrastructure's checks stay in one place.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync.core.settings import Settings, SettingsGroup, is_secret, load_settings
from sync.core.telemetry import NOTIFICATIONS
from sync.features.registry import settings_groups
from sync.settings_doc import FEATURE_SETTINGS, feature_settings_text

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = INFRA / "main.bicep"
API = INFRA / "app" / "api.bicep"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))

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
    r"^'@Microsoft\.KeyVault\(SecretUri=\$\{keyVaultUri\}secrets/\$\{secretNames\.(\w+)\}/\)'$"
)
DRY_RUN_ON_IN_AZURE = {"SYNC_DRY_RUN"}  # decision 0701: a fresh deployment only plans until someone looks


# ----- A small Bicep reader ---------------------------------------------------------------------------------------
def code_only(text: str) -> str:
    """The text without // and /* */ comments (string contents kept)."""
    out, i, in_string = [], 0, False
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[i + 1])
                i += 1
            elif char == "'":
                in_string = False
        elif char == "'":
            in_string = True
            out.append(char)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


def without_strings(text: str) -> str:
    """The text with string contents blanked (same length, so positions still match)."""
    return re.sub(r"'(?:\\.|[^'\\])*'", lambda m: "'" + " " * (len(m[0]) - 2) + "'", text)


@dataclass
class Param:
    name: str
    type: str
    default: str | None
    decorators: list[str]

    @property
    def secure(self) -> bool:
        return any(d.startswith("@secure(") for d in self.decorators)


def params(path: Path) -> dict[str, Param]:
    found: dict[str, Param] = {}
    decorators: list[str] = []
    for line in code_only(path.read_text()).splitlines():
        stripped = line.strip()
        if stripped.startswith("@"):
            decorators.append(stripped)
            continue
        match = re.match(r"param (\w+) (\w+)(?: = (.+))?$", stripped)
        if match:
            found[match[1]] = Param(match[1], match[2], match[3], decorators)
        if stripped:
            decorators = []
    return found


def outputs(path: Path) -> set[str]:
    return set(re.findall(r"^output (\w+) ", code_only(path.read_text()), re.MULTILINE))


def block(text: str, opening: str) -> str:
    """The text between the brace that ends `opening` and its matching closing brace."""
    start = text.index(opening) + len(opening)
    assert text[start - 1] == "{", opening
    depth, i = 1, start
    masked = without_strings(text)
    while depth:
        depth += {"{": 1, "}": -1}.get(masked[i], 0)
        i += 1
    return text[start : i - 1]


def module_call(code: str, symbol: str) -> str:
    """The body of `module <symbol> '<source>' = [if (...)] {...}`."""
    opening = re.search(rf"^module {symbol} '[^']+' = [^\n]*\{{$", code, re.MULTILINE)
    assert opening, symbol
    return block(code, opening[0])


def entries(body: str) -> dict[str, str]:
    """Top-level `key: expression` lines of an object body."""
    result, depth = {}, 0
    for line in body.splitlines():
        if depth == 0:
            match = re.match(r"\s*([\w'-]+)\s*:\s*(.*)$", line)
            if match:
                result[match[1].strip("'")] = match[2].strip()
        masked = without_strings(line)
        depth += masked.count("{") + masked.count("[") - masked.count("}") - masked.count("]")
    return result


def literal(expression: str) -> str | bool | int:
    if expression in {"true", "false"}:
        return expression == "true"
    if re.fullmatch(r"-?\d+", expression):
        return int(expression)
    assert expression.startswith("'") and expression.endswith("'"), expression
    return expression[1:-1].replace("\\'", "'")


MAIN_CODE = code_only(MAIN.read_text())
MAIN_PARAMS = params(MAIN)
SYNC_SETTINGS = entries(block(MAIN_CODE, "var namedSettings = {"))
GENERATED_SETTINGS: dict[str, str] = json.loads(FEATURE_SETTINGS.read_text())
SECRET_SETTINGS = dict(re.findall(r"\{ (\w+): ('@Microsoft\.KeyVault[^']*') \}", MAIN_CODE))
PLATFORM = entries(block(code_only(API.read_text()), "var platformSettings = {"))
CHANGE_FEED_CONNECTION = entries(
    block(code_only(API.read_text()), "var changeFeedConnection = purviewChangeFeedEnabled ? {")
)
ALL_SETTINGS = {**GENERATED_SETTINGS, **SYNC_SETTINGS, **SECRET_SETTINGS, **PLATFORM, **CHANGE_FEED_CONNECTION}
CHANGE_FEED = INFRA / "app" / "changefeed.bicep"
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


def plain_param(expression: str) -> str | None:
    """The parameter an app setting is a plain copy of (`x` or `x ? 'true' : 'false'`), else None."""
    match = re.fullmatch(r"(\w+)(?: \? 'true' : 'false')?", expression)
    return match[1] if match and match[1] in MAIN_PARAMS else None


# ----- App settings -----------------------------------------------------------------------------------------------
def test_settings_the_host_needs_at_start_are_set():
    from devhost.registry import collect_functions
    from function_app import app

    bindings = [str(v) for f in collect_functions(app) for b in f.get_bindings() for v in b.get_dict_repr().values()]
    placeholders = {name for value in bindings for name in re.findall(r"%(\w+)%", value)}
    assert {"SYNC_SCHEDULE", "POLL_SCHEDULE", "PIPELINE_AUTOMATION_SCHEDULE", "SYNC_QUEUE_PREFIX"} <= placeholders
    assert placeholders <= set(ALL_SETTINGS), f"unset binding expressions: {placeholders - set(ALL_SETTINGS)}"
    assert PLATFORM["AzureWebJobsStorage__accountName"] == "storageAccountName"
    assert PLATFORM["AzureWebJobsStorage__credential"] == "'managedidentity'"
    assert PLATFORM["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert "AzureWebJobsStorage" not in ALL_SETTINGS


def test_generated_deployment_settings_are_current():
    assert FEATURE_SETTINGS.read_text() == feature_settings_text(MAIN.read_text()), (
        "run: .venv/bin/python -m sync.settings_doc --write"
    )
    assert "loadJsonContent('app/feature-settings.json')" in MAIN_CODE
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
        code = code_only(path.read_text())
        for name in [*FLEX_DEPRECATED, *NOT_DEPLOYED]:
            assert not re.search(rf"\b{name}\b(?!__)", code), f"{name} in {path.name}"


def test_secrets_are_only_ever_key_vault_references():
    secrets = secret_fields()
    assert {"PURVIEW_CLIENT_SECRET", "CLUEDIN_PASSWORD", "CLUEDIN_API_TOKEN", "DATA_FACTORY_CLIENT_SECRET"} <= secrets
    for path in BICEP_FILES:
        code = code_only(path.read_text())
        for name in secrets:
            for value in re.findall(rf"\b{name}\s*:\s*('(?:\\.|[^'\\])*'|[^\s}}]+)", code):
                reference = KEY_VAULT_REFERENCE.match(value)
                assert reference, f"{name} in {path.name} is not a Key Vault reference: {value}"
                assert reference[1] in SECRET_NAMES
    assert set(SECRET_SETTINGS) == secrets - set(NOT_DEPLOYED)


def test_secure_parameters_only_reach_the_secrets_module():
    secure = [p for p in MAIN_PARAMS.values() if p.secure]
    assert {p.name for p in secure} >= {"purviewClientSecret", "cluedinPassword", "cluedinIngestionToken"}
    secrets_call = module_call(MAIN_CODE, "secrets")
    for param in secure:
        assert param.default == "''", f"{param.name} must default to empty"
        uses = re.findall(rf"[^\n]*(?<![.\w]){param.name}\b[^\n]*", MAIN_CODE)
        for use in uses:
            allowed = (
                use.strip().startswith(f"param {param.name} ")
                or use.strip() == f"{param.name}: {param.name}"
                or f"empty({param.name})" in use
            )
            assert allowed, f"secure parameter {param.name} used outside the secrets module: {use.strip()}"
        assert f"{param.name}: {param.name}" in secrets_call
    assert not any(p.secure for p in params(API).values())
    for path in BICEP_FILES:
        for param in params(path).values():
            if param.secure:
                assert param.default in {None, "''"}, f"{path.name}: {param.name} has a default value"


def test_infra_defaults_are_the_app_defaults():
    environment = dict.fromkeys(SECRET_SETTINGS, "x") | {"AzureWebJobsStorage__accountName": "st"}
    compared = 0
    for setting, expression in SYNC_SETTINGS.items():
        name = plain_param(expression)
        if name is None:
            continue
        default = literal(str(MAIN_PARAMS[name].default))
        environment[setting] = str(default).lower() if isinstance(default, bool) else str(default)
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

    allowed = next(d for d in MAIN_PARAMS["syncDeletePolicy"].decorators if d.startswith("@allowed"))
    assert set(re.findall(r"'([^']+)'", allowed)) == {p.value for p in DeletePolicy}


def test_telemetry_goes_through_the_worker_with_entra_auth():
    assert PLATFORM["PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY"] == "'true'"
    logger_root = literal(PLATFORM["PYTHON_APPLICATIONINSIGHTS_LOGGER_NAME"])
    assert NOTIFICATIONS.name.startswith(f"{logger_root}.")
    assert "Authorization=AAD" in PLATFORM["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
    assert "ClientId=${identityClientId}" in PLATFORM["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
    assert re.search(r"^azure-monitor-opentelemetry==", (ROOT / "requirements.txt").read_text(), re.MULTILINE)


# ----- Resources --------------------------------------------------------------------------------------------------
def test_flex_consumption_app_configuration():
    api = code_only(API.read_text())
    config = block(api, "functionAppConfig: {")
    assert re.search(r"runtime: \{\s*name: 'python'\s*version: '3\.11'\s*\}", config)
    assert "3.11" in (ROOT / "pyproject.toml").read_text().split("requires-python", 1)[1].splitlines()[0]
    assert "type: 'blobContainer'" in config and "type: 'UserAssignedIdentity'" in config
    assert "instanceMemoryMB: instanceMemoryMB" in config and "maximumInstanceCount: maximumInstanceCount" in config
    assert "keyVaultAccessIdentityResourceId: identityResourceId" in api
    assert {"instanceMemoryMB", "maximumInstanceCount"} <= set(MAIN_PARAMS)
    assert "sku: {\n      name: 'FC1'\n      tier: 'FlexConsumption'" in MAIN_CODE


def test_secure_defaults_of_storage_monitoring_and_vault():
    assert "allowSharedKeyAccess: false" in module_call(MAIN_CODE, "storage")
    assert "disableLocalAuth: true" in module_call(MAIN_CODE, "appInsights")
    assert "enableRbacAuthorization: true" in module_call(MAIN_CODE, "keyVault")


def test_role_definition_ids_are_the_built_in_ones():
    assert ROLES == BUILT_IN_ROLES
    used = set()
    for path in BICEP_FILES:
        code = code_only(path.read_text())
        text = without_strings(code)
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text), f"{path.name}: role ids belong in roles.json"
        for name in re.findall(r"roleDefinitions', roles\.(\w+)\)", code):
            assert name in ROLES
            used.add(name)
        for body in re.findall(r"roleAssignments@2022-04-01' = (?:if \([^\n]*\) )?\{\n  name: ([^\n]+)", code):
            assert body.startswith("guid("), f"{path.name}: role assignment names must be deterministic"
    assert used == set(ROLES), f"roles never assigned: {set(ROLES) - used}"


def test_modules_are_pinned_and_local_module_calls_match_the_modules():
    seen = {}
    for path in BICEP_FILES:
        code = code_only(path.read_text())
        for symbol, source in re.findall(r"^module (\w+) '([^']+)'", code, re.MULTILINE):
            if source.startswith("br/public:"):
                module, _, version = source.removeprefix("br/public:").rpartition(":")
                assert re.fullmatch(r"\d+\.\d+\.\d+", version), source
                seen[module] = version
                continue
            child = path.parent / source
            assert child.is_file(), source
            passed = set(entries(block(module_call(code, symbol), "params: {")))
            declared = params(child)
            assert passed <= set(declared), f"{symbol}: unknown parameters {passed - set(declared)}"
            required = {n for n, p in declared.items() if p.default is None}
            assert required <= passed, f"{symbol}: missing parameters {required - passed}"
            for name in re.findall(rf"\b{symbol}\.outputs\.(\w+)", code):
                assert name in outputs(child), f"{symbol}.outputs.{name}"
    assert seen == AVM_VERSIONS


def test_json_files_and_the_keys_read_from_them_exist():
    for path in BICEP_FILES:
        code = code_only(path.read_text())
        for variable, file in re.findall(r"var (\w+) = loadJsonContent\('([^']+)'\)", code):
            data = json.loads((path.parent / file).read_text())
            for key in re.findall(rf"(?<![.\w]){variable}\.(\w+)", re.sub(r"loadJsonContent\('[^']*'\)", "", code)):
                assert key in data, f"{path.name}: {variable}.{key} not in {file}"


def test_brackets_balance_and_every_parameter_is_used():
    for path in BICEP_FILES:
        code = without_strings(code_only(path.read_text()))
        for opening, closing in [("{", "}"), ("[", "]"), ("(", ")")]:
            assert code.count(opening) == code.count(closing), f"{path.name}: {opening}{closing} unbalanced"
        for name in params(path):
            assert len(re.findall(rf"\b{name}\b", code_only(path.read_text()))) >= 2, f"{path.name}: {name} unused"


def test_outputs_name_what_the_operator_needs():
    assert {
        "FUNCTION_APP_NAME",
        "FUNCTION_APP_URL",
        "FUNCTION_APP_IDENTITY_CLIENT_ID",
        "FUNCTION_APP_IDENTITY_PRINCIPAL_ID",
        "KEY_VAULT_NAME",
    } <= outputs(MAIN)
    for line in re.findall(r"^output .*$", MAIN_CODE, re.MULTILINE):
        assert not any(re.search(rf"\b{p.name}\b", line) for p in MAIN_PARAMS.values() if p.secure), line


def test_the_change_feed_connects_with_the_apps_identity_and_is_off_unless_enabled():
    from devhost.registry import collect_functions
    from function_app import app
    from sync.features.purview_feed.settings import CONNECTION

    [function] = [f for f in collect_functions(app) if '"eventHubTrigger"' in f.get_function_json()]
    assert json.loads(function.get_function_json())["bindings"][0]["connection"] == CONNECTION
    assert {
        f"{CONNECTION}__credential": "'managedidentity'",
        f"{CONNECTION}__clientId": "identityClientId",
    } == CHANGE_FEED_CONNECTION
    assert SYNC_SETTINGS[f"{CONNECTION}__fullyQualifiedNamespace"] == (
        "purviewChangeFeedEnabled ? changeFeed.outputs.fullyQualifiedNamespace : ''"
    )
    api = code_only(API.read_text())
    disabled = f"'AzureWebJobs.{function.get_function_name()}.Disabled': purviewChangeFeedEnabled ? 'false' : 'true'"
    assert disabled in api
    assert "union(appSettings, platformSettings, changeFeedConnection, functionStates)" in api
    assert MAIN_PARAMS["purviewChangeFeedEnabled"].default == "false"
    assert "module changeFeed 'app/changefeed.bicep' = if (purviewChangeFeedEnabled) {" in MAIN_CODE


def test_the_change_feed_hub_grants_only_what_reading_and_purview_need():
    code = code_only(CHANGE_FEED.read_text())
    receiver = block(code, "resource appReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {")
    assert "scope: hub" in receiver and "roles.azureEventHubsDataReceiver" in receiver  # the hub, not the namespace
    purview = block(
        code,
        "resource purviewContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' "
        "= if (!empty(purviewPrincipalId)) {",
    )
    assert "scope: namespace" in purview and "roles.contributor" in purview
    namespace = block(code, "resource newNamespace 'Microsoft.EventHub/namespaces@2024-01-01' = if (createNamespace) {")
    assert "name: 'Standard'" in namespace  # Basic has no Kafka endpoint and no consumer group but $Default
    assert "disableLocalAuth: true" in namespace
    group = block(
        code, "resource appConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {"
    )
    assert "name: consumerGroup" in group
    assert "kafkaConfigurations" not in code  # one Notification configuration per account: never overwritten here


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
            default = literal(str(MAIN_PARAMS[name].default))
            assert match[2] == (str(default).lower() if isinstance(default, bool) else str(default)), name
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
    assert "'azd-service-name': 'api'" in code_only(API.read_text())
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
    for secret in [*SECRET_NAMES.values(), literal(str(MAIN_PARAMS["dataFactoryCluedinTokenSecretName"].default))]:
        assert f"`{secret}`" in docs
    assert "az bicep build" in docs
