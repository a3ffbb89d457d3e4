"""Settings of "Sync Purview glossaries to CluedIn glossaries" (F7), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from sync.core.settings import SettingsGroup, env


class GlossaryToCluedInGlossarySettings(SettingsGroup):
    """Where Purview's glossary terms land in CluedIn's glossary."""

    title: ClassVar[str] = "Purview glossaries → CluedIn glossary (F7)"

    sync_purview_glossaries_to_cluedin_glossaries: bool = Field(
        False,
        validation_alias=env("SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_GLOSSARIES"),
        description="CluedIn label 'Sync Purview glossaries to CluedIn glossaries': every Purview glossary term "
        "(but those that came from CluedIn) becomes an inactive CluedIn glossary term; child terms are flattened "
        "as Parent_Child.",
    )
    cluedin_glossary_single_category: bool = Field(
        False,
        validation_alias=env("CLUEDIN_GLOSSARY_SINGLE_CATEGORY"),
        description="CluedIn's 2024 behaviour: every term in the one category named below. Default (2025): one "
        "CluedIn glossary category per Purview glossary, named after it.",
    )
    cluedin_glossary_category_name_for_purview_glossary_terms: str = Field(
        "Purview",
        validation_alias=env("CLUEDIN_GLOSSARY_CATEGORY_NAME_FOR_PURVIEW_GLOSSARY_TERMS"),
        description="CluedIn label 'CluedIn Glossary Category Name for Purview Glossary Terms': the category of "
        "the single-category mode.",
    )

    @field_validator("cluedin_glossary_category_name_for_purview_glossary_terms")
    @classmethod
    def _category(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    def category_of(self, glossary_name: str) -> str:
        """The CluedIn category a term of this Purview glossary belongs in."""
        if self.cluedin_glossary_single_category:
            return self.cluedin_glossary_category_name_for_purview_glossary_terms
        return glossary_name
