"""Purview's three error shapes, and the Atlas error codes the emulator answers with.

Clients branch on these bodies: pyapacheatlas raises `AtlasException` only when the text contains
`errorCode`, the SDK reads `AtlasErrorResponse`, and authorization failures on the real service are not
Atlas-shaped at all. Keeping every code in one catalogue makes the guesses (codes taken from Apache Atlas
that were never seen coming from Purview) easy to list in the README.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

ACCOUNT_PREFIXES = ("/account/", "/collections")
UNIFIED_CATALOG_PREFIX = "/datagovernance/"


class AtlasError(Exception):
    """A failure reported to the client as an Atlas error body (`requestId`, `errorCode`, `errorMessage`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class AccountError(Exception):
    """A failure of the Account (collections) API: `{"error": {code, message, target, details}}`."""

    def __init__(self, status: int, code: str, message: str, target: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target


class AuthorizationError(Exception):
    """401/403 as Purview's gateway sends them, in the `{"error": {...}}` shape on every route."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Code:
    """An Atlas error code with its message template (Apache Atlas `AtlasErrorCode` wording)."""

    status: int
    code: str
    template: str
    seen_on_purview: bool = False

    def __call__(self, *args: object) -> AtlasError:
        """Build the exception, formatting the template with `args`."""
        return AtlasError(self.status, self.code, self.template.format(*args))


INVALID_PARAMETERS = Code(400, "ATLAS-400-00-01A", "invalid parameters: {}", seen_on_purview=True)
TYPE_ALREADY_EXISTS = Code(409, "ATLAS-409-00-001", "Given type {} already exists in {} category.", True)
INVALID_RELATIONSHIP_END_TYPE = Code(
    400, "ATLAS-400-00-036", "invalid relationshipDef: {}: end type 1: {}, end type 2: {}", True
)
TYPE_NAME_INVALID = Code(400, "ATLAS-400-00-014", "Type {} with name {} does not exist")
TYPE_MATCH_FAILED = Code(400, "ATLAS-400-00-010", "Given type {} doesn't match {}")
UNKNOWN_TYPENAME = Code(400, "ATLAS-400-00-00A", "{}: Unknown/invalid typename")
CLASSIFICATION_ALREADY_ASSOCIATED = Code(
    400, "ATLAS-400-00-01B", "instance {} already is associated with classification {}"
)
CLASSIFICATION_NOT_ASSOCIATED = Code(400, "ATLAS-400-00-06D", "Classification {} is not associated with entity")
UNKNOWN_CLASSIFICATION = Code(400, "ATLAS-400-00-046", "{}: Unknown/invalid classification")
INVALID_PARTIAL_UPDATE_ATTR = Code(400, "ATLAS-400-00-074", "Invalid attribute {} for partial update of {}")
MISSING_MANDATORY_ANCHOR = Code(400, "ATLAS-400-00-072", "Mandatory anchor attribute is missing")
INVALID_DISPLAY_NAME = Code(400, "ATLAS-400-00-083", "name cannot contain following special chars ('@', '.')")
TERM_HAS_ENTITY_ASSOCIATION = Code(
    400, "ATLAS-400-00-084", "Term (guid={}) can't be deleted as it has been assigned to {} entities."
)
TERM_HAS_CHILDREN = Code(400, "ATLAS-400-00-029", "Term (guid={}) can't be deleted as it has {} child terms.")
INVALID_TERM_DISSOCIATION = Code(
    400, "ATLAS-400-00-080", "Given relationshipGuid({}) is invalid for term (guid={}) and entity(guid={})"
)
TERM_DISSOCIATION_MISSING_RELATION_GUID = Code(
    400, "ATLAS-400-00-078", "Missing mandatory attribute, TermAssignment relationship guid"
)
INVALID_TERM_RELATION_TO_SELF = Code(
    400, "ATLAS-400-00-07E", "Invalid Term relationship: Term can't have a relationship with self"
)
INVALID_LINEAGE_PARAMS = Code(400, "ATLAS-400-00-026", "Invalid lineage query parameters passed {}: {}")
BAD_REQUEST = Code(400, "ATLAS-400-00-029", "{}")
UNKNOWN_TYPE_ATTR = Code(400, "ATLAS-400-00-001", "Unknown type {} for {}.{}")
CIRCULAR_REFERENCE = Code(400, "ATLAS-400-00-002", "{}: invalid supertypes - circular reference back to self {}")
INVALID_ATTRIBUTE_TYPE_FOR_CARDINALITY = Code(
    400, "ATLAS-400-00-012", "Cardinality of attribute {}.{} requires a list or set type"
)
RELATIONSHIPDEF_INSUFFICIENT_ENDS = Code(
    400, "ATLAS-400-00-02C", "relationshipDef {} creation attempted without 2 ends"
)
RELATIONSHIPDEF_DOUBLE_CONTAINERS = Code(
    400, "ATLAS-400-00-02D", "relationshipDef {} creation attempted with both ends as containers"
)
RELATIONSHIPDEF_ASSOCIATION_AND_CONTAINER = Code(
    400, "ATLAS-400-00-030", "ASSOCIATION relationshipDef {} creation attempted with an end specifying isContainer"
)
RELATIONSHIPDEF_COMPOSITION_NO_CONTAINER = Code(
    400, "ATLAS-400-00-031", "COMPOSITION relationshipDef {} creation attempted without an end specifying isContainer"
)
RELATIONSHIPDEF_AGGREGATION_NO_CONTAINER = Code(
    400, "ATLAS-400-00-032", "AGGREGATION relationshipDef {} creation attempted without an end specifying isContainer"
)
RELATIONSHIPDEF_END_TYPE_NAME_NOT_FOUND = Code(
    404, "ATLAS-404-00-00E", "RelationshipDef {} endDef typename {} cannot be found"
)
TYPE_HAS_RELATIONSHIPS = Code(409, "ATLAS-409-00-005", "Given type {} has associated relationshipDefs")
TYPE_NAME_NOT_FOUND = Code(404, "ATLAS-404-00-001", "Given typename {} was invalid")
TYPE_GUID_NOT_FOUND = Code(404, "ATLAS-404-00-002", "Given type guid {} was invalid")
INSTANCE_GUID_NOT_FOUND = Code(404, "ATLAS-404-00-005", "Given instance guid {} is invalid/not found")
INSTANCE_CRUD_INVALID_PARAMS = Code(
    404, "ATLAS-404-00-007", "Invalid instance creation/updation parameters passed : {}"
)
CLASSIFICATION_NOT_FOUND = Code(404, "ATLAS-404-00-008", "Given classification {} was invalid")
INSTANCE_BY_UNIQUE_ATTRIBUTE_NOT_FOUND = Code(
    404, "ATLAS-404-00-009", "Instance {} with unique attribute {} does not exist"
)
REFERENCED_ENTITY_NOT_FOUND = Code(404, "ATLAS-404-00-00A", "Referenced entity {} is not found", True)
RELATIONSHIP_GUID_NOT_FOUND = Code(404, "ATLAS-404-00-00C", "Given relationship guid {} is invalid/not found")
RELATIONSHIP_CRUD_INVALID_PARAMS = Code(
    404, "ATLAS-404-00-00D", "Invalid relationship creation/updation parameters passed : {}"
)
GLOSSARY_NOT_FOUND = Code(404, "ATLAS-404-00-005", "Given instance guid {} is invalid/not found")
NOT_FOUND = Code(404, "ATLAS-404-00-004", "No result found for {}")
TYPE_HAS_REFERENCES = Code(409, "ATLAS-409-00-002", "Given type {} has references")
RELATIONSHIP_ALREADY_EXISTS = Code(409, "ATLAS-409-00-004", "relationship {} already exists between entities {} and {}")
GLOSSARY_ALREADY_EXISTS = Code(409, "ATLAS-409-00-007", "Glossary with qualifiedName {} already exists")
GLOSSARY_TERM_ALREADY_EXISTS = Code(409, "ATLAS-409-00-009", "Glossary term with qualifiedName {} already exists")
GLOSSARY_CATEGORY_ALREADY_EXISTS = Code(
    409, "ATLAS-409-00-00A", "Glossary category with qualifiedName {} already exists"
)
CATEGORY_NAME_CANT_BE_DERIVED = Code(
    400,
    "ATLAS-400-00-07B",
    "Attributes qualifiedName, name & glossary name are missing. Failed to derive a unique name for Glossary category",
)
MISSING_CATEGORY_DISPLAY_NAME = Code(400, "ATLAS-400-00-082", "Category name is empty/null")
MISSING_TERM_ID_FOR_CATEGORIZATION = Code(
    400, "ATLAS-400-00-076", "Term guid can't be empty/null when adding to a category"
)
INVALID_CHILD_CATEGORY_DIFFERENT_GLOSSARY = Code(
    400,
    "ATLAS-400-00-07F",
    "Invalid child category relationship: Child category (guid = {}) belongs to different glossary",
)
METHOD_NOT_ALLOWED = Code(405, "ATLAS-405-00-001", "{}")
NOT_IMPLEMENTED = Code(501, "ATLAS-501-00-001", "{} is not emulated")

TERM_HIERARCHY_MISSING = AtlasError(
    400,
    "TermHierarchyQueryParameterMissing",
    "Please specify the query parameter includeTermHierarchy as True then retry.",
)
"""Purview's own (non-Atlas) code for term writes that involve a parent term or term template."""

FORBIDDEN_MESSAGE = "Not authorized to access account"


def atlas_body(code: str, message: str) -> dict[str, Any]:
    """The `AtlasErrorResponse` body."""
    return {"requestId": str(uuid.uuid4()), "errorCode": code, "errorMessage": message}


def account_body(code: str, message: str, target: str | None = None) -> dict[str, Any]:
    """The Account API's `ErrorResponseModel` body."""
    return {"error": {"code": code, "message": message, "target": target, "details": []}}


def auth_body(code: str, message: str) -> dict[str, Any]:
    """The gateway's authorization failure body (not Atlas-shaped, on every route)."""
    return {"error": {"code": code, "message": message}}


def is_account_path(path: str) -> bool:
    """Whether a path belongs to the Account API (collections), whose errors have their own shape."""
    return path.startswith(ACCOUNT_PREFIXES)


def error_body_for(status: int, code: str, message: str, path: str) -> dict[str, Any]:
    """Error body factory for the shared kit (faults, unknown routes): Atlas or Account shape by path."""
    if is_account_path(path):
        return account_body(code, message)
    if path.startswith(UNIFIED_CATALOG_PREFIX):
        return auth_body(code, message)  # Azure.Core ErrorResponse, the Unified Catalog's shape
    atlas_code = code if code.startswith("ATLAS-") else f"ATLAS-{status}-00-001"
    return atlas_body(atlas_code, message)
