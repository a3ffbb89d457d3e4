"""The templates scanned offline by checkov (its Bicep checks; pycep parses, no compiler needed), and the
optional private networking wired as in the Azure-Samples Flex Consumption quickstarts.

checkov lives in a virtualenv of its own (`.checkov-venv`, from requirements-checkov.txt, made by `make deps`):
its pins clash with the test tools. Without it the scan is skipped locally and fails in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import bicep

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".checkov-venv" / "bin" / "checkov"
MAIN = bicep.INFRA / "main.bicep"
NETWORK = bicep.INFRA / "app" / "network.bicep"


def test_checkov_finds_nothing_in_the_templates():
    if not CHECKOV.exists():
        if os.environ.get("CI"):
            pytest.fail("checkov is missing: `make deps` installs it into .checkov-venv")
        pytest.skip("checkov is not installed (make deps installs it into .checkov-venv)")
    command = [str(CHECKOV), "-d", str(bicep.INFRA), "--framework", "bicep", "--skip-download", "--quiet"]
    done = subprocess.run([*command, "-o", "json"], check=False, capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    results = report if isinstance(report, list) else [report]
    failed = [(c["check_id"], c["resource"]) for r in results for c in r["results"]["failed_checks"]]
    assert failed == [], failed
    summary = results[0]["summary"]
    assert summary["parsing_errors"] == 0 and summary["passed"] >= 10
    assert summary["resource_count"] >= 20


def test_every_secret_has_a_content_type_and_an_expiry():
    secret = bicep.parse(bicep.INFRA / "app" / "secret.bicep")["resources"]["secret"]
    properties = bicep.config(secret)["properties"]
    assert properties["contentType"] == "text/plain"
    assert properties["attributes"] == {"enabled": True, "exp": "expiresAt"}
    modules = bicep.parse(bicep.INFRA / "app" / "secrets.bicep")["modules"]
    assert len(modules) == 5 and {m["detail"]["path"] for m in modules.values()} == {"secret.bicep"}
    assert not [
        r
        for r in bicep.parse(bicep.INFRA / "app" / "secrets.bicep")["resources"].values()
        if r["type"] == "Microsoft.KeyVault/vaults/secrets" and not r.get("existing")
    ], "secrets are written by secret.bicep only"


def test_private_networking_is_optional_and_complete():
    vnet_enabled = bicep.params(MAIN)["vnetEnabled"]
    assert vnet_enabled.type == "bool" and vnet_enabled.default is False
    network = bicep.parse(MAIN)["modules"]["network"]
    assert network["config"]["condition"] == "vnetEnabled" and network["detail"]["path"] == "app/network.bicep"
    for symbol in ("storage", "keyVault"):
        access = bicep.module_params(MAIN, symbol)
        assert access["publicNetworkAccess"]["operator"]["operands"] == {
            "condition": "vnetEnabled",
            "true_value": "Disabled",
            "false_value": "Enabled",
        }
        assert access["networkAcls"]["defaultAction"]["operator"]["operands"]["true_value"] == "Deny"
    subnet = bicep.module_params(MAIN, "api")["virtualNetworkSubnetId"]["operator"]["operands"]
    assert subnet["condition"] == "vnetEnabled" and "appSubnetId" in json.dumps(subnet["true_value"])
    site = bicep.module_params(bicep.INFRA / "app" / "api.bicep", "site")
    assert "virtualNetworkSubnetId" in json.dumps(site["virtualNetworkSubnetId"])

    resources = bicep.parse(NETWORK)["resources"]
    vnet = bicep.config(resources["vnet"])
    app_subnet, endpoint_subnet = vnet["properties"]["subnets"]
    assert app_subnet["properties"]["delegations"][0]["properties"]["serviceName"] == "Microsoft.App/environments"
    assert endpoint_subnet["name"] == "private-endpoints"
    groups = json.dumps(
        [bicep.config(r) for r in resources.values() if r["type"] == "Microsoft.Network/privateEndpoints"]
    )
    for group in ("vault",):
        assert f'"groupIds": ["{group}"]' in groups
    assert bicep.variable(NETWORK, "storageServices") == ["blob", "queue", "table"]
    zones = [r for r in resources.values() if r["type"] == "Microsoft.Network/privateDnsZones"]
    links = [r for r in resources.values() if r["type"] == "Microsoft.Network/privateDnsZones/virtualNetworkLinks"]
    zone_groups = [r for r in resources.values() if r["type"].endswith("/privateDnsZoneGroups")]
    assert len(zones) == len(links) == len(zone_groups) == 2  # storage (one per service, in a loop) and the vault
