r"""Deterministic, ADF-valid names for everything the app creates in a factory.

ADF names are case-insensitively unique per factory, must start with a letter, must not contain
`. + ? / < > * % & : \\ #`, and linked services and datasets must not contain dashes (naming-rules article;
the REST pattern alone is looser, so the stricter rule is applied). Names are built from letters, digits and
underscores only, which satisfies every rule at once.

A readable part (the asset name in PascalCase, as CluedIn names its pipelines: `Account.csv` →
`AccountCsvPipeline`) is followed by a short hash of the object's identity, so two assets with the same name
never share a pipeline and re-running the naming always yields the same name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlparse

MAX_READABLE_CHARS = 60
MAX_NAME_CHARS = 260
HASH_CHARS = 8
_WORDS = re.compile(r"[A-Za-z0-9]+", re.ASCII)
_FORBIDDEN = re.compile(r"[.+?/<>*%&:\\#]")


def pascal(text: str, *, fallback: str = "Asset") -> str:
    """`account.csv` → `AccountCsv`; ASCII letters and digits only, always starting with a letter."""
    decomposed = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    words = _WORDS.findall(decomposed)
    joined = "".join(word[:1].upper() + word[1:] for word in words)[:MAX_READABLE_CHARS]
    if not joined:
        return fallback
    return joined if joined[0].isalpha() else f"{fallback}{joined}"[:MAX_READABLE_CHARS]


def short_hash(*parts: str) -> str:
    """Stable 8-hex-digit digest of an identity (case-sensitive, like Purview qualifiedNames)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:HASH_CHARS]


def name_problem(kind: str, name: str) -> str | None:
    """Why `name` is not a valid ADF name for `kind` ('linkedservices', 'datasets', 'pipelines', 'triggers').

    Returns None when the name is valid. Used to validate names that come from outside (the HTTP route) and, in
    tests, every name this module produces.
    """
    if not 1 <= len(name) <= MAX_NAME_CHARS:
        return f"must be 1 to {MAX_NAME_CHARS} characters long"
    if _FORBIDDEN.search(name):
        return "must not contain any of . + ? / < > * % & : \\ #"
    if not (name[0].isascii() and name[0].isalpha()):
        return "must start with a letter"
    if "-" in name and kind in {"linkedservices", "datasets"}:
        return "must not contain dashes"
    if any(ord(ch) < 32 for ch in name):
        return "must not contain control characters"
    return None


@dataclass(frozen=True)
class PipelineNames:
    """The per-asset entities: one pipeline, its two datasets and its schedule trigger."""

    pipeline: str
    source_dataset: str
    sink_dataset: str
    trigger: str

    def as_dict(self) -> dict[str, str]:
        """JSON form (state and responses)."""
        return {
            "pipeline": self.pipeline,
            "sourceDataset": self.source_dataset,
            "sinkDataset": self.sink_dataset,
            "trigger": self.trigger,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> PipelineNames:
        """Parse the JSON form."""
        return cls(data["pipeline"], data["sourceDataset"], data["sinkDataset"], data["trigger"])


def pipeline_names(asset_name: str, asset_key: str) -> PipelineNames:
    """Names of the per-asset entities; fixed in state when first created, so a renamed asset keeps them."""
    readable = pascal(asset_name)
    digest = short_hash(asset_key)
    return PipelineNames(
        pipeline=f"{readable}Pipeline_{digest}",
        source_dataset=f"{readable}SourceDS_{digest}",
        sink_dataset=f"{readable}CluedInDS_{digest}",
        trigger=f"{readable}Schedule_{digest}",
    )


def storage_linked_service_name(account_url: str) -> str:
    """One linked service per storage account endpoint (e.g. `AdlsMystoreLS_1a2b3c4d`)."""
    host = urlparse(account_url).hostname or account_url
    account, _, rest = host.partition(".")
    prefix = "Adls" if rest.startswith("dfs.") else "Blob"
    return f"{prefix}{pascal(account, fallback='Store')}LS_{short_hash(account_url.lower())}"


def sql_linked_service_name(server: str, database: str) -> str:
    """One linked service per Azure SQL database."""
    label = pascal(server.split(".", 1)[0], fallback="Sql") + pascal(database, fallback="Db")
    return f"Sql{label[:MAX_READABLE_CHARS]}LS_{short_hash(server.lower(), database)}"


def key_vault_linked_service_name(vault_url: str) -> str:
    """The Key Vault linked service the CluedIn token is read through (`akv…LS` in CluedIn's naming)."""
    host = urlparse(vault_url).hostname or vault_url
    return f"Akv{pascal(host.split('.', 1)[0], fallback='Vault')}LS_{short_hash(vault_url.lower().rstrip('/'))}"


def cluedin_linked_service_name(cluedin_url: str, organization: str) -> str:
    """The REST linked service to CluedIn (`rest<Org>LS` in CluedIn's naming)."""
    return f"Rest{pascal(organization, fallback='CluedIn')}LS_{short_hash(cluedin_url.lower().rstrip('/'))}"
