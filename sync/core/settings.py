"""Settings in groups: the engine's own here, each service's and each feature's beside its code.

Every setting is an App Setting (an environment variable). Names mirror the labels of CluedIn's own Purview
settings page where one exists ("Sync CluedIn Data Sources Keywords" → `SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS`);
the README's table is generated from the groups (`python -m sync.settings_doc`). In Azure, secrets are Key Vault
references resolved by the platform, so the app only ever sees environment variables.

Why groups, validated one at a time: a wrong setting must stop only what needs it. A regex that only the Data
Factory automation uses must not stop the data-source sync, the plan endpoint or the run reports. So `Settings`
holds the raw environment and validates a group the first time something asks for it; a `SettingsError` names
the setting (never its value) and reaches only the feature or client that asked.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self, TypeVar, get_args
from urllib.parse import urlparse

from pydantic import AliasChoices, BeforeValidator, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.core.errors import SettingsError

NCRONTAB_FIELDS = 6


def env(name: str) -> AliasChoices:
    """The validation alias of a setting: its App Setting name."""
    return AliasChoices(name)


def _http_url(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        return value
    text = value.strip()
    parsed = urlparse(text)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ValueError(f"must be an http(s) URL, got {text!r}")
    return text.rstrip("/")


def _ncrontab(value: object) -> object:
    if isinstance(value, str) and not value.startswith("%") and len(value.split()) != NCRONTAB_FIELDS:
        raise ValueError(f"must be an NCRONTAB expression with 6 fields (second first), got {value!r}")
    return value


def _regex(value: object) -> object:
    if isinstance(value, str):
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from exc
    return value


def _blank_is_unset(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def ceiling_not_below(ceiling: float | None, start: object) -> float | None:
    """Validate a rate ceiling against the rate it probes up from (a ceiling below it would be a typo)."""
    if ceiling is not None and isinstance(start, (int, float)) and ceiling < start:
        raise ValueError(f"must be at least the starting rate ({start:g}), got {ceiling:g}")
    return ceiling


HttpUrl = Annotated[str | None, BeforeValidator(_http_url)]
"""An http(s) URL without its trailing slash; empty means unset."""
Ncrontab = Annotated[str, BeforeValidator(_ncrontab)]
"""A six-field NCRONTAB expression (as the Functions timer trigger reads it)."""
Regex = Annotated[str, BeforeValidator(_regex)]
"""A regular expression that compiles."""
OptionalFloat = Annotated[float | None, BeforeValidator(_blank_is_unset)]
"""A number; empty means unset (an App Setting left blank)."""


class SettingsGroup(BaseSettings):
    """A group of settings validated together. Subclasses declare fields with `validation_alias=env(NAME)`."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", populate_by_name=False)

    title: ClassVar[str] = ""
    """Heading of the group in the README's settings table."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object, info: ValidationInfo) -> object:
        """An empty secret (an app setting left blank) means 'not set', exactly like an absent one."""
        field = cls.model_fields.get(str(info.field_name))
        if field is None or not is_secret(field.annotation):
            return value
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            return None
        return value

    @classmethod
    def env_name(cls, field_name: str) -> str:
        """The App Setting name of one of the group's fields."""
        alias = cls.model_fields[field_name].validation_alias
        if isinstance(alias, AliasChoices):
            return str(alias.choices[0])
        return field_name.upper()

    @classmethod
    def env_names(cls) -> list[str]:
        """Every App Setting the group reads."""
        return [cls.env_name(name) for name in cls.model_fields]

    @classmethod
    def load(cls, environ: Mapping[str, str]) -> Self:
        """Validate the group from an environment, naming every invalid setting (never its value)."""
        try:
            return cls.model_validate(dict(environ))
        except ValidationError as exc:
            problems: list[str] = []
            names: list[str] = []
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else "?"
                name = cls.env_name(field) if field in cls.model_fields else field
                names.append(name)
                problems.append(f"{name}: {error['msg']}")
            raise SettingsError("invalid app settings: " + "; ".join(problems), settings=names) from None

    def missing(self, *names: str) -> list[str]:
        """App Setting names of the given fields that are empty."""
        empty = []
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                empty.append(self.env_name(name))
        return empty

    def require(self, *names: str, purpose: str) -> None:
        """Raise SettingsError naming every empty setting among the fields `names`."""
        empty = self.missing(*names)
        if empty:
            raise SettingsError(f"{purpose} needs the setting(s) {', '.join(empty)}", settings=empty)


def is_secret(annotation: Any) -> bool:
    """Whether a field holds a secret (shown as "(secret)" in docs, never logged)."""
    return annotation is SecretStr or SecretStr in get_args(annotation)


def secret_value(value: SecretStr | None) -> str | None:
    """The plain text of an optional secret."""
    return value.get_secret_value() if value is not None else None


class DeletePolicy(StrEnum):
    """What happens to objects the app created when their source disappears."""

    RETAIN = "retain"
    SOFT_DELETE = "soft-delete"


class EngineSettings(SettingsGroup):
    """How every feature plans and applies, and where state and queues live."""

    title: ClassVar[str] = "Engine and storage"

    sync_schedule: Ncrontab = Field(
        "0 */1 * * * *",
        validation_alias=env("SYNC_SCHEDULE"),
        description="NCRONTAB (6 fields, UTC) of the main planning timer. CluedIn's integration polls every minute.",
    )
    sync_dry_run: bool = Field(
        False,
        validation_alias=env("SYNC_DRY_RUN"),
        description="Plan and report only: nothing is written to Purview, CluedIn or Data Factory, and no cursor "
        "or cache moves (the next real cycle still sees every change).",
    )
    sync_dry_run_until_switched: bool = Field(
        False,
        validation_alias=env("SYNC_DRY_RUN_UNTIL_SWITCHED"),
        description="Plan only until an operator switches dry-run off (`cluedin-purview-sync dry-run off`, stored "
        "in Table Storage and read every cycle, so no redeploy is needed). SYNC_DRY_RUN=true always wins.",
    )
    sync_delete_policy: DeletePolicy = Field(
        DeletePolicy.RETAIN,
        validation_alias=env("SYNC_DELETE_POLICY"),
        description="'retain' keeps objects whose source disappeared (they are reported as orphaned); "
        "'soft-delete' deletes them in Purview (status DELETED, restorable) and marks them removed in CluedIn.",
    )
    sync_delete_failsafe_percent: float = Field(
        20.0,
        ge=0,
        le=100,
        validation_alias=env("SYNC_DELETE_FAILSAFE_PERCENT"),
        description="A cycle that would delete more than this share of the objects a feature owns refuses, "
        "reports and deletes nothing (a single deletion is always allowed).",
    )
    sync_run_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        validation_alias=env("SYNC_RUN_RETENTION_DAYS"),
        description="Run reports (and the outcomes of their changes) older than this are deleted.",
    )
    sync_tick_parallel_features: int = Field(
        4,
        ge=1,
        le=16,
        validation_alias=env("SYNC_TICK_PARALLEL_FEATURES"),
        description="Features of one timer tick planned at once (a feature still waits for those it depends on). "
        "Planning is mostly waiting on services; each feature planning at once adds its own planning memory to "
        "the timer's peak, so 1 (one after another) is the lowest-memory choice for very large estates.",
    )
    storage_connection: str | None = Field(
        None,
        validation_alias=env("AzureWebJobsStorage"),
        description="Storage for state tables and queues: a connection string (Azurite: UseDevelopmentStorage=true).",
    )
    storage_account_name: str | None = Field(
        None,
        validation_alias=env("AzureWebJobsStorage__accountName"),
        description="Identity-based storage: the account name (used with the managed identity).",
    )
    storage_client_id: str | None = Field(
        None,
        validation_alias=env("AzureWebJobsStorage__clientId"),
        description="Identity-based storage: client id of the user-assigned managed identity.",
    )
    sync_table_prefix: str = Field(
        "sync",
        pattern=r"^[A-Za-z][A-Za-z0-9]{0,20}$",
        validation_alias=env("SYNC_TABLE_PREFIX"),
        description="Prefix of the state tables, so several deployments can share one storage account.",
    )
    sync_queue_prefix: str = Field(
        "sync",
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=40,
        validation_alias=env("SYNC_QUEUE_PREFIX"),
        description="Prefix of the work queues (`<prefix>-cluedin`, …; lower case). Deployments sharing a storage "
        "account need different prefixes, or they consume each other's messages.",
    )


G = TypeVar("G", bound=SettingsGroup)


class Settings:
    """The app's settings: the raw environment, validated group by group on first use (and then cached).

    `Settings()` reads `os.environ` once; `Settings(mapping)` reads a given environment (tests, tools).
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        source = os.environ if environ is None else environ
        self._environ: dict[str, str] = {str(k): str(v) for k, v in source.items()}
        self._groups: dict[type[SettingsGroup], SettingsGroup | SettingsError] = {}
        self._lock = threading.Lock()

    @property
    def environ(self) -> Mapping[str, str]:
        """The raw environment the groups are validated from."""
        return self._environ

    def get(self, group: type[G]) -> G:
        """A validated group.

        Raises:
            SettingsError: a setting of the group is invalid (the error names it).
        """
        with self._lock:
            cached = self._groups.get(group)
            if cached is None:
                try:
                    cached = group.load(self._environ)
                except SettingsError as exc:
                    cached = exc
                self._groups[group] = cached
        if isinstance(cached, SettingsError):
            raise SettingsError(str(cached), settings=list(cached.settings))
        assert isinstance(cached, group)
        return cached

    @property
    def engine(self) -> EngineSettings:
        """The engine's and storage's settings."""
        return self.get(EngineSettings)

    def with_values(self, **values: Any) -> Settings:
        """A copy with some settings replaced (names as App Settings, in any case; booleans as true/false)."""
        environ = dict(self._environ)
        for name, value in values.items():
            for existing in [k for k in environ if k.lower() == name.lower()]:
                del environ[existing]
            environ[name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
        return Settings(environ)

    def signature(self) -> tuple[tuple[str, str], ...]:
        """A hashable fingerprint of the environment (to rebuild per-process caches when settings change)."""
        return tuple(sorted(self._environ.items()))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The app's settings from the environment (or a given mapping); the engine group is checked at once."""
    settings = Settings(environ)
    settings.engine  # noqa: B018 - every function needs the engine's settings: fail early and by name
    return settings
