"""CluedIn-style authentication: IdentityServer password and refresh-token grants, JWTs, API tokens.

The product issues two kinds of JWT: user access tokens (password grant, ~60 minutes, refreshable) and
long-lived API tokens made in Administration > API Tokens. The UI GraphQL endpoint (`/graphql`) accepts only
user access tokens; the data GraphQL (`/api/api/graphql`), REST and upload endpoints accept both. This module
issues and verifies both kinds against the emulator clock, so tests can expire tokens by moving time forward.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, new_guid

ACCESS_TOKEN = "AccessToken"
API_TOKEN = "ApiToken"
TOKEN_KIND_CLAIM = "TokenType"
"""Claim telling user access tokens from API tokens. CluedIn's real marker is unpublished: a guess."""

REFRESH_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600
DEFAULT_API_TOKEN_HOURS = 732
SCOPE = "openid profile ServerApiForUI offline_access"

VERIFIED_CACHE_SIZE = 4096
ACCESS_LEVELS = ("None", "Informed", "Consulted", "Responsible", "Accountable")


class AuthError(Exception):
    """A request the auth layer refuses (401 for a bad or missing token, 403 for the wrong kind)."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user the token belongs to, and which kind of token it was."""

    user: dict[str, Any]
    kind: str
    claims: dict[str, Any]

    @property
    def user_id(self) -> str:
        """The user's id, the `author` of what they create."""
        return str(self.user["id"])

    def level(self, claim: str) -> int:
        """The user's access level for a claim (index into ACCESS_LEVELS); `*` grants a level to every claim."""
        granted = self.user.get("claims") or {}
        value = granted.get(claim, granted.get(claim.split(".", 1)[0] + ".*", granted.get("*", "None")))
        return ACCESS_LEVELS.index(value) if value in ACCESS_LEVELS else 0


class AuthService:
    """Issues and verifies tokens for the emulated organization."""

    def __init__(self, store: CluedInStore) -> None:
        self.store = store
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}
        """Signatures already checked (the claims are still checked on every request: expiry, org, user)."""

    # ------------------------------------------------------------------ issuing

    def token_response(self, user: dict[str, Any], issuer: str) -> dict[str, Any]:
        """The token endpoint's success body: access token, its lifetime, a one-time refresh token."""
        lifetime = int(self.store.token_lifetime_minutes * 60)
        access = self.issue_jwt(user, issuer, kind=ACCESS_TOKEN, lifetime_seconds=lifetime)
        refresh = secrets.token_hex(32).upper()
        self.store.refresh_tokens[refresh] = {
            "token": refresh,
            "userId": user["id"],
            "issuer": issuer,
            "expiresAt": self.store.clock.epoch() + REFRESH_TOKEN_LIFETIME_SECONDS,
        }
        return {
            "access_token": access,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "scope": SCOPE,
        }

    def issue_jwt(
        self, user: dict[str, Any], issuer: str, *, kind: str, lifetime_seconds: int, token_id: str | None = None
    ) -> str:
        """A signed JWT with the claims CluedIn clients read (`exp`, `iss`, `ClientId`, `OrganizationId`, ...)."""
        now = int(self.store.clock.epoch())
        org = self.store.org
        claims = {
            "iss": issuer,
            "nbf": now,
            "iat": now,
            "exp": now + lifetime_seconds,
            "aud": f"{issuer}/resources",
            "client_id": org["name"],
            "sub": user["id"],
            "jti": token_id or new_guid(),
            "Id": user["id"],
            "ClientId": org["name"],
            "OrganizationId": org["id"],
            "OrganizationName": org["name"],
            "UserName": user["username"],
            "Email": user["username"],
            "role": list(user.get("roles") or []),
            TOKEN_KIND_CLAIM: kind,
        }
        return jwt.encode(claims, self.store.signing_key, algorithm="HS256")

    def create_api_token(
        self, user: dict[str, Any], name: str | None, hours: int | None, issuer: str
    ) -> dict[str, Any]:
        """An API token (Administration > API Tokens), stored so it can be listed and revoked."""
        token_id = new_guid()
        lifetime_hours = DEFAULT_API_TOKEN_HOURS if hours is None else hours
        if lifetime_hours <= 0:
            raise EmulatorError("expiredInHours must be positive")
        token = self.issue_jwt(user, issuer, kind=API_TOKEN, lifetime_seconds=lifetime_hours * 3600, token_id=token_id)
        expires = self.store.clock.epoch() + lifetime_hours * 3600
        record = {
            "id": token_id,
            "name": name or token_id,
            "accessToken": token,
            "userId": user["id"],
            "expiresAtEpoch": expires,
            "expiryDate": datetime.fromtimestamp(expires, UTC).isoformat(),
        }
        self.store.stamp_new(record)
        self.store.api_tokens[token_id] = record
        return record

    # ------------------------------------------------------------------ grants

    def password_grant(self, form: dict[str, str], issuer: str) -> dict[str, Any]:
        """`grant_type=password`: the org is a public client (client_id = organization name, no secret)."""
        self._check_client(form)
        username, password = form.get("username"), form.get("password")
        if not username or password is None:
            raise GrantError("invalid_request", "username and password are required")
        user = self.find_user(username)
        if user is None or user.get("password") != password or not user.get("active", True):
            raise GrantError("invalid_grant", "invalid_username_or_password")
        return self.token_response(user, issuer)

    def refresh_grant(self, form: dict[str, str], issuer: str) -> dict[str, Any]:
        """`grant_type=refresh_token`: one-time refresh tokens, rotated on every use (IdentityServer default)."""
        self._check_client(form)
        token = form.get("refresh_token")
        if not token:
            raise GrantError("invalid_request", "refresh_token is required")
        record = self.store.refresh_tokens.pop(token, None)
        if record is None or record["expiresAt"] < self.store.clock.epoch():
            raise GrantError("invalid_grant", "invalid_refresh_token")
        user = self.store.users.get(record["userId"])
        if user is None or not user.get("active", True):
            raise GrantError("invalid_grant", "invalid_refresh_token")
        return self.token_response(user, issuer)

    def _check_client(self, form: dict[str, str]) -> None:
        if form.get("client_id", "").lower() != str(self.store.org["name"]).lower():
            raise GrantError("invalid_client", f"unknown client_id {form.get('client_id')!r}")

    def find_user(self, username: str) -> dict[str, Any] | None:
        """A user by login name (case-insensitive, as e-mail addresses are)."""
        wanted = username.strip().lower()
        return next((u for u in self.store.users.values() if str(u["username"]).lower() == wanted), None)

    # ------------------------------------------------------------------ verifying

    def authenticate(self, request: Request, *, allow_api_tokens: bool) -> Principal:
        """The caller of a request, or AuthError (401 missing/invalid/expired, 401 API token where refused)."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("missing bearer token")
        principal = self.verify(token.strip())
        if principal.kind == API_TOKEN and not allow_api_tokens:
            raise AuthError("this endpoint only accepts user access tokens, not API tokens")
        return principal

    def verify(self, token: str) -> Principal:
        """Check signature, organization and expiry (against the emulator clock) of a token."""
        cache_key = (self.store.signing_key, token)
        claims = self._verified.get(cache_key)
        if claims is None:
            try:
                claims = jwt.decode(
                    token,
                    self.store.signing_key,
                    algorithms=["HS256"],
                    options={"verify_exp": False, "verify_aud": False, "verify_nbf": False, "verify_iat": False},
                )
            except jwt.PyJWTError as exc:
                raise AuthError(f"invalid token: {exc}") from None
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[cache_key] = claims
        if claims.get("OrganizationId") != self.store.org["id"]:
            raise AuthError("token was issued for another organization")
        if float(claims.get("exp", 0)) < self.store.clock.epoch():
            raise AuthError("token expired")
        kind = claims.get(TOKEN_KIND_CLAIM, ACCESS_TOKEN)
        if kind == API_TOKEN and claims.get("jti") not in self.store.api_tokens:
            raise AuthError("API token was revoked")
        user = self.store.users.get(str(claims.get("Id")))
        if user is None or not user.get("active", True):
            raise AuthError("token user no longer exists")
        return Principal(user=user, kind=kind, claims=claims)


class GrantError(Exception):
    """An OAuth error answered by the token endpoint (400 with `error` and `error_description`)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def issuer_for(request: Request) -> str:
    """The `iss` claim: this server's auth base URL as the client addressed it (`<scheme>://<host>/auth`)."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}/auth"


async def token_endpoint(request: Request) -> Response:
    """`POST /auth/connect/token` (form-encoded), the IdentityServer token endpoint."""
    auth: AuthService = request.state.cluedin.auth
    request.state.operation = "auth:token"
    request.state.write = False
    body = (await request.body()).decode("utf-8", errors="replace")
    form = dict(parse_qsl(body, keep_blank_values=True))
    grant = form.get("grant_type")
    try:
        if grant == "password":
            result = auth.password_grant(form, issuer_for(request))
        elif grant == "refresh_token":
            result = auth.refresh_grant(form, issuer_for(request))
        elif not grant:
            raise GrantError("invalid_request", "grant_type is required")
        else:
            raise GrantError("unsupported_grant_type", f"grant type {grant!r} is not supported")
    except GrantError as exc:
        return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=400)
    return JSONResponse(result, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def openid_configuration(request: Request) -> Response:
    """`GET /auth/.well-known/openid-configuration`, where clients may discover the token endpoint."""
    request.state.operation = "auth:discovery"
    issuer = issuer_for(request)
    return JSONResponse(
        {
            "issuer": issuer,
            "token_endpoint": f"{issuer}/connect/token",
            "grant_types_supported": ["password", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none"],
            "response_types_supported": ["token"],
            "scopes_supported": SCOPE.split(),
        }
    )
