"""Auth like CluedIn's IdentityServer: password and refresh grants, JWT claims, API tokens vs access tokens."""

from __future__ import annotations

import jwt
import requests

from tests.emulators.cluedin.conftest import Client

ME = "query { administration { me { client entity } } }"


def _token(emu, **form):
    data = {"client_id": "demo", "grant_type": "password", "username": emu.username, "password": emu.password, **form}
    return requests.post(f"{emu.url}/auth/connect/token", data=data)


def test_password_grant_issues_a_jwt_with_the_claims_clients_read(emu):
    response = _token(emu)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"]
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["iss"] == f"{emu.url}/auth"
    assert claims["ClientId"] == "demo" and claims["OrganizationName"] == "demo"
    assert claims["OrganizationId"] == emu.services.store.org["id"]
    assert claims["Id"] == next(iter(emu.services.store.users))
    assert claims["exp"] - claims["iat"] == 3600


def test_bad_credentials_and_clients_get_oauth_errors(emu):
    wrong = _token(emu, password="nope")
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "invalid_username_or_password"}
    assert _token(emu, client_id="other").json()["error"] == "invalid_client"
    assert _token(emu, grant_type="client_credentials").json()["error"] == "unsupported_grant_type"
    missing = requests.post(f"{emu.url}/auth/connect/token", data={"client_id": "demo"})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    garbage = requests.post(f"{emu.url}/auth/connect/token", data=b"\xff\xfe%%%")
    assert garbage.status_code == 400


def test_refresh_tokens_are_one_time_and_rotate(emu):
    first = _token(emu).json()
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": "demo"}
    refreshed = requests.post(f"{emu.url}/auth/connect/token", data=form)
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != first["refresh_token"]
    again = requests.post(f"{emu.url}/auth/connect/token", data=form)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    token = refreshed.json()["access_token"]
    me = requests.post(f"{emu.url}/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
    assert me.json()["data"]["administration"]["me"]["client"]["username"] == emu.username


def test_tokens_expire_on_the_emulator_clock_and_refresh_keeps_working(emu):
    tokens = _token(emu).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.post(f"{emu.url}/graphql", json={"query": ME}, headers=headers).status_code == 200
    requests.post(f"{emu.url}/_emulator/clock", json={"advanceSeconds": 3601}).raise_for_status()
    expired = requests.post(f"{emu.url}/graphql", json={"query": ME}, headers=headers)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "invalid_token" in expired.headers["WWW-Authenticate"]
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": "demo"}
    fresh = requests.post(f"{emu.url}/auth/connect/token", data=form).json()["access_token"]
    ok = requests.post(f"{emu.url}/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {fresh}"})
    assert ok.status_code == 200


def test_token_lifetime_comes_from_the_seed(emu):
    emu.seed({"accessTokenLifetimeMinutes": 5})
    assert _token(emu).json()["expires_in"] == 300


def test_graphql_ui_refuses_api_tokens_but_data_graphql_upload_and_rest_accept_them(emu):
    api = emu.api_token()
    headers = {"Authorization": f"Bearer {api}"}
    refused = requests.post(f"{emu.url}/graphql", json={"query": ME}, headers=headers)
    assert refused.status_code == 401
    search = requests.post(
        f"{emu.url}/api/api/graphql", json={"query": '{ search(query: "*") { totalResults } }'}, headers=headers
    )
    assert search.json() == {"data": {"search": {"totalResults": 0}}}
    assert requests.get(f"{emu.url}/api/api/configuration/providers", headers=headers).status_code == 200
    client = Client(emu)
    data_set = client.activity("activity/data-set", {"dataSet": "x"})["dataSetId"]
    upload = requests.post(f"{emu.url}/upload/api/endpoint/{data_set}", json=[{"a": 1}], headers=headers)
    assert upload.status_code == 200 and upload.json()["success"] is True


def test_missing_or_forged_tokens_are_401(emu):
    assert requests.post(f"{emu.url}/graphql", json={"query": ME}).status_code == 401
    forged = jwt.encode(
        {"Id": "x", "OrganizationId": "y", "exp": 9999999999},
        "not-the-signing-key-of-this-emulator-at-all",
        algorithm="HS256",
    )
    headers = {"Authorization": f"Bearer {forged}"}
    assert requests.post(f"{emu.url}/graphql", json={"query": ME}, headers=headers).status_code == 401
    assert requests.get(f"{emu.url}/api/v1/notification/all", headers={"Authorization": "Basic abc"}).status_code == 401


def test_api_tokens_are_listed_with_their_expiry(client):
    created = client.ok(
        "mutation($t: ApiTokenInput!) { administration { id createToken(token: $t) { id name accessToken } } }",
        {"t": {"name": "ingest", "expiredInHours": 48}},
    )["administration"]["createToken"]
    listed = client.ok("{ administration { apiTokens { id name accessToken expiryDate expiresInDays } } }")
    [token] = listed["administration"]["apiTokens"]
    assert token["id"] == created["id"] and token["name"] == "ingest"
    assert token["accessToken"] == created["accessToken"]
    assert token["expiresInDays"] in (1, 2)
    bad = client.raw('mutation { administration { createToken(token: {name: "x", expiredInHours: 0}) { id } } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_openid_configuration_points_at_the_token_endpoint(emu):
    body = requests.get(f"{emu.url}/auth/.well-known/openid-configuration").json()
    assert body["token_endpoint"] == f"{emu.url}/auth/connect/token"
    assert "password" in body["grant_types_supported"]
