# ruff: noqa: E501 - GraphQL documents keep their selections on one line, however long
"""GraphQL documents shaped like the ones CluedIn's own Product Toolkit sends (operation names, variables, selections).

Written from the Toolkit's `GraphQL/*.gql` and the `public/*.ps1` functions that fill their variables (see
`shared/reference/cluedin-more.md` for the source keys). The tests use them with the variables those functions
build, so what passes here is what CluedIn's own client sends — including the `__typename` selections it asks for.
"""

STREAM_FRAGMENT = """fragment Stream on Stream { id name status createdBy modifiedBy type modifiedAt createdAt isOwner condition rules
  numberOfRecords rulesApplied containerName mode connectorProperties exportOutgoingEdges exportIncomingEdges
  exportOutgoingEdgeProperties exportIncomingEdgeProperties requiresAttention author { id username __typename } description
  mappingConfiguration connector { id name active accountDisplay accountId streamModes connector { id name icon streamModes __typename }
  connectorStatus { status connectorStatusDetails { providerDefinitionId hasError errorMessage __typename } __typename } __typename }
  __typename }"""
CREATE_STREAM = f"""mutation createStream($stream: InputCreateStream!) {{ consume {{ id createStream(stream: $stream) {{ ...Stream __typename }} __typename }} }}
{STREAM_FRAGMENT}"""
SAVE_STREAM = f"""mutation saveStream($stream: InputStream!) {{ consume {{ id saveStream(stream: $stream) {{ ...Stream __typename }} __typename }} }}
{STREAM_FRAGMENT}"""
GET_STREAM = f"""query getStream($id: ID!) {{ consume {{ id stream(id: $id) {{ ...Stream __typename }} __typename }} }}
{STREAM_FRAGMENT}"""

CREATE_GLOSSARY_TERM = """mutation createGlossaryTerm($term: InputGlossaryTerm) { management { id createGlossaryTerm(term: $term) { id name categoryId __typename } __typename } }"""
SAVE_GLOSSARY_TERM = """mutation saveGlossaryTerm($term: InputGlossaryTerm) { management { id saveGlossaryTerm(term: $term) { id name categoryId
  category { id name __typename } active createdBy modifiedBy isEndorsedByCurrentUser isOwner createdAt modifiedAt shortDescription
  certificationLevel userRating rating version ruleSet description isObsolete endorsedBy relatedTags { id name __typename } __typename } __typename } }"""
GET_GLOSSARY_CATEGORIES = (
    """query getGlossaryCategory { management { id glossaryCategories { id name __typename } __typename } }"""
)
