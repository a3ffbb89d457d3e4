"""Settings of "Sync Purview glossaries to CluedIn vocabularies" (F6), with CluedIn's own labels and defaults."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field, field_validator

from sync.core.settings import Regex, SettingsGroup, env

_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class GlossaryToVocabulariesSettings(SettingsGroup):
    """Which Purview terms become CluedIn vocabularies, and how they are named."""

    title: ClassVar[str] = "Purview glossary terms → CluedIn vocabularies (F6)"

    sync_purview_glossaries_to_cluedin_vocabularies: bool = Field(
        False,
        validation_alias=env("SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_VOCABULARIES"),
        description="CluedIn label 'Sync Purview glossaries to CluedIn vocabularies': Purview terms that pass "
        "the filters become CluedIn vocabularies (with an entity type), their child terms vocabulary keys.",
    )
    glossary_to_vocabulary_attribute_filter: str = Field(
        "CluedInVocab=true",
        validation_alias=env("GLOSSARY_TO_VOCABULARY_ATTRIBUTE_FILTER"),
        description="CluedIn label 'Glossary To Vocabulary Attribute Filter': ATTRIBUTE_NAME=VALUE, a term-template "
        "attribute a term must carry with that value; blank for none.",
    )
    glossary_to_vocabulary_term_pattern: Regex = Field(
        ".*",
        validation_alias=env("GLOSSARY_TO_VOCABULARY_TERM_PATTERN"),
        description="CluedIn label 'Glossary To Vocabulary Term Pattern': regex on the term's name or nickname.",
    )
    glossary_to_vocabulary_template_name_pattern: Regex = Field(
        ".*",
        validation_alias=env("GLOSSARY_TO_VOCABULARY_TEMPLATE_NAME_PATTERN"),
        description="CluedIn label 'Glossary To Vocabulary Template name Pattern': regex on the name of the "
        "term's term template.",
    )
    vocabulary_prefix: str = Field(
        "purview",
        validation_alias=env("VOCABULARY_PREFIX"),
        description="CluedIn label 'Vocabulary Prefix': vocabularies get the key prefix <prefix>.<Term>.",
    )
    business_domain_prefix: str = Field(
        "Purview",
        validation_alias=env("BUSINESS_DOMAIN_PREFIX"),
        description="CluedIn label 'Business Domain Prefix' (2024: 'Entity Type Prefix'): each vocabulary gets the "
        "entity type /<prefix>/<Term>.",
    )

    @field_validator("glossary_to_vocabulary_attribute_filter")
    @classmethod
    def _attribute_filter(cls, value: str) -> str:
        text = value.strip()
        if text and (text.count("=") != 1 or not text.split("=")[0].strip()):
            raise ValueError(f"must be ATTRIBUTE_NAME=VALUE or blank, got {text!r}")
        return text

    @field_validator("vocabulary_prefix")
    @classmethod
    def _vocabulary_prefix(cls, value: str) -> str:
        if not _PREFIX.match(value.strip()):
            raise ValueError("must be a CluedIn key prefix: letters, digits and _, not starting with a digit")
        return value.strip()

    @field_validator("business_domain_prefix")
    @classmethod
    def _domain_prefix(cls, value: str) -> str:
        text = value.strip().strip("/")
        if not text or "/" in text:
            raise ValueError("must be one path segment, e.g. Purview")
        return text

    def attribute_filter(self) -> tuple[str, str] | None:
        """(attribute name, value) of the attribute filter, or None when blank."""
        text = self.glossary_to_vocabulary_attribute_filter
        if not text:
            return None
        name, _, wanted = text.partition("=")
        return name.strip(), wanted.strip()
