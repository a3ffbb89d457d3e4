"""Settings of "Sync CluedIn vocabularies to Purview glossaries" (F5), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class VocabulariesToGlossarySettings(SettingsGroup):
    """Which glossary receives CluedIn's vocabularies, and whether they hang under a root term."""

    title: ClassVar[str] = "CluedIn vocabularies → Purview glossary terms (F5)"

    sync_cluedin_vocabularies_to_purview_glossaries: bool = Field(
        False,
        validation_alias=env("SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES"),
        description="CluedIn label 'Sync CluedIn vocabularies to Purview glossaries': every CluedIn vocabulary "
        "becomes a Purview glossary term and each of its keys a child term (status Approved).",
    )
    sync_cluedin_vocabularies_to_purview_glossaries_root_glossary_term: bool = Field(
        True,
        validation_alias=env("SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES_ROOT_GLOSSARY_TERM"),
        description="CluedIn label 'Sync CluedIn vocabularies to Purview glossaries Root Glossary Term': the "
        "vocabulary terms hang under one root term 'CluedIn-<organization>'.",
    )
    purview_vocabularies_glossary_name: str = Field(
        "",
        validation_alias=env("PURVIEW_VOCABULARIES_GLOSSARY_NAME"),
        description="The Purview glossary that receives the vocabulary terms. Empty: the account's first glossary "
        "(one named 'Glossary' is created when the account has none). A name that no glossary has is an error.",
    )
