# ruff: noqa: E501 - GraphQL documents keep one selection per line, however long
"""GraphQL documents written from the field lists of the reference (docs: shared/reference/cluedin.md §2).

One document per operation, as a client of CluedIn would send it: namespaced, with the argument names and
paging conventions the reference gives for that field.
"""

import uuid

ZERO = "00000000-0000-0000-0000-000000000000"
EQUALS = "0bafc522-8011-43ba-978a-babe222ba466"
NOT_EQUAL = "4f7f2b0f-155a-4208-b849-3e972f5d89d2"
CONTAINS = "4988d076-3ec1-4414-9f56-5b9b30e25f72"
ENTITY_TYPE_OBJECT = "3be85371-cbe0-4180-8820-73e6e37a6c32"
PROPERTY_OBJECT = "011ac3b4-0b46-4f9c-a82a-8c14f9dd642b"
PROVIDERS_OBJECT = "0a1984a6-7b75-47a9-b076-8f6b45b358ac"


def filter_leaf(field: str, operator: str, value: list[object], value_type: str = "string") -> dict[str, object]:
    """A leaf of CluedIn's filter tree in the full shape the SDK's rule fixtures show (ids included)."""
    object_type = {"EntityType": ENTITY_TYPE_OBJECT, "ProviderDefinitionIds": PROVIDERS_OBJECT}.get(
        field, PROPERTY_OBJECT
    )
    return {"objectTypeId": object_type, "condition": "AND", "field": field, "id": str(uuid.uuid4()),
            "operator": operator, "rules": [], "type": value_type, "value": value}  # fmt: skip


def filter_group(rules: list[dict[str, object]], condition: str = "AND") -> dict[str, object]:
    """A group node of the filter tree in the full shape (zero GUIDs, null field/type/value)."""
    return {"objectTypeId": ZERO, "condition": condition, "field": None, "id": str(uuid.uuid4()), "operator": ZERO,
            "rules": rules, "type": None, "value": None}  # fmt: skip


ME = "query me { administration { me { client entity } } }"
ORGANIZATION = "query getCurrentOrg { administration { id organization { Id ClientId OrganizationName } } }"
SETTINGS = """query getConfigurationSettings($id: ID!, $includeHiddenFromUi: Boolean) {
  administration { id configurationSettings(id: $id, includeHiddenFromUi: $includeHiddenFromUi) } }"""
CHANGE_SETTING = """mutation changeConfigurationSettings($organizationId: ID!, $key: String!, $value: String!) {
  administration { id changeConfigurationSettings(organizationId: $organizationId, key: $key, value: $value) } }"""
UPDATE_SETTINGS = """mutation updateConfigurationSettings($organizationId: ID!, $model: UpdateConfigurations!) {
  administration { id updateConfigurationSettings(organizationId: $organizationId, model: $model) {
    errors { groupName messages keys { key messages } } } } }"""
USERS = "query { administration { users { id roles accountId entityId lockoutEnabled Account Entity } } }"
FEATURES = "query { administration { organizationFeatures { id name displayName status isEnabled isTrial } } }"

DATA_SOURCE_SETS = """query getAllDataSourceSet($page: Int, $pageSize: Int, $searchName: String) {
  inbound { id dataSourceSets(page: $page, pageSize: $pageSize, searchName: $searchName) {
    total
    data { id name author { id username } createdAt updatedAt
      dataSources { id type name hasError latestErrorMessage stopped connectionStatus { connected errorMessage }
        dataSets { id } } } } } }"""
CREATE_DATA_SOURCE_SET = """mutation createDataSourceSet($dataSourceSet: InputDataSourceSet) {
  inbound { createDataSourceSet(dataSourceSet: $dataSourceSet) } }"""
CREATE_DATA_SOURCE = """mutation createDataSource($dataSourceSetId: ID, $dataSource: InputDataSource) {
  inbound { createDataSource(dataSourceSetId: $dataSourceSetId, dataSource: $dataSource) { id } } }"""
DATA_SOURCE = """query getDataSourceById($id: ID!) {
  inbound { id dataSource(id: $id) {
    id name type createdAt updatedAt author { id username } dataSourceSet { id name }
    connectorConfigurationId
    connectorConfiguration { id name accountDisplay providerId active connector { id name } }
    dataSets { id name isBridge configuration annotationId
      annotation { id originEntityCodeKey annotationProperties { key } }
      fieldMappings { originalField key columnType columnSubType }
      stats { total successful failed } } } } }"""
CREATE_DATA_SETS = """mutation createDataSets($dataSourceId: ID, $dataSets: [InputDataSet], $existingAnnotationId: ID,
    $existingDataSetId: ID) {
  inbound { createDataSets(dataSourceId: $dataSourceId, dataSets: $dataSets, existingAnnotationId: $existingAnnotationId,
    existingDataSetId: $existingDataSetId) { id } } }"""
DATA_SET = """query getDataSetById($id: ID!) {
  inbound { id dataSet(id: $id) {
    id name createdAt updatedAt hasReceivedData isBridge configuration originalFields annotationId
    fieldMappings { originalField key id columnType columnSubType }
    annotation { id entityType originEntityCodeKey annotationProperties { key vocabKey useAsEntityCode type } }
    dataSource { id name type connectorConfigurationId dataSourceSet { id name } }
    stats { total successful failed bytes } } } }"""
DATA_SET_CONTENT = """query getDataSetContent($dataSetId: ID!, $page: Int, $pageSize: Int, $terms: String) {
  inbound { dataSetContent(id: $dataSetId, page: $page, pageSize: $pageSize, terms: $terms) } }"""
SAVE_DATA_SET = """mutation saveDataSet($dataSet: InputSaveDataSet) {
  inbound { saveDataSet(dataSet: $dataSet) { id name hashCheck updatedAt } } }"""
AUTO_SUBMIT = """mutation modifyDataSetAutoSubmit($dataSetId: ID!, $autoSubmit: Boolean) {
  inbound { modifyDataSetAutoSubmit(dataSetId: $dataSetId, autoSubmit: $autoSubmit) } }"""
COMMIT = """mutation commitDataSet($dataSetId: ID, $purgeQuarantine: Boolean) {
  inbound { commitDataSet(dataSetId: $dataSetId, purgeQuarantine: $purgeQuarantine) } }"""
ADD_FIELD_MAPPINGS = """mutation addAnnotationMappingToDataSet($dataSetId: ID, $fieldMappings: [InputPropertyMapping]) {
  inbound { addAnnotationMappingToDataSet(dataSetId: $dataSetId, fieldMappings: $fieldMappings) } }"""
DELETE_FIELD_MAPPING = """mutation deleteAnnotationMappingInDataSet($dataSetId: ID, $propertyId: ID) {
  inbound { deleteAnnotationMappingInDataSet(dataSetId: $dataSetId, propertyId: $propertyId) } }"""
CONNECTOR_CONFIGURATIONS = """query getAllConnectors($searchName: String, $itemsPerPage: Int, $pageNo: Int,
    $sortBy: String, $sortDirection: String, $status: String) {
  inbound { id connectorConfigurations(searchName: $searchName, itemsPerPage: $itemsPerPage, pageNo: $pageNo,
      sortBy: $sortBy, sortDirection: $sortDirection, status: $status) {
    total configurations { id name accountDisplay accountId active providerId configuration
      connector { id icon name } connectorStatus { status connectorStatusDetails { providerDefinitionId hasError } } } } } }"""
CONNECTOR_CONFIGURATION = """query connectorConfigurationById($id: ID) {
  inbound { id connectorConfiguration(id: $id) { id name accountDisplay accountId active configuration
    connector { id type name authMethods properties streamModes } helperConfiguration createdDate } } }"""
CONNECTORS = "query { inbound { id connectors { id name type icon streamModes isEnabled } } }"
CREATE_CONNECTION = """mutation createConnection($connectorId: ID, $authInfo: JSON, $accountDisplay: String) {
  inbound { createConnection(connectorId: $connectorId, authInfo: $authInfo, accountDisplay: $accountDisplay) { id } } }"""
SAVE_CONNECTOR_CONFIGURATION = """mutation saveConnectorConfiguration($connectorConfiguration: InputConnectorConfiguration) {
  inbound { saveConnectorConfiguration(connectorConfiguration: $connectorConfiguration) {
    id accountDisplay helperConfiguration } } }"""
TEST_CONNECTION = """mutation testConnection($providerId: ID, $connection: JSON) {
  inbound { testConnection(providerId: $providerId, connection: $connection) { success } } }"""

ANNOTATION = """query getAnnotationById($id: ID) {
  preparation { id annotation(id: $id) {
    id name entityType originEntityCodeKey nameKey isDynamicVocab vocabularyId
    vocabulary { vocabularyName vocabularyId keyPrefix }
    entityTypeConfiguration { icon displayName entityType }
    annotationProperties { key vocabKey useAsEntityCode useAsAlias vocabularyKeyId type
      vocabularyKey { key name displayName dataType dataClassificationCode vocabularyId }
      annotationEdges { edgeType direction entityTypeConfiguration { entityType } } } } } }"""
ANNOTATIONS = """query annotations($pageSize: Int, $page: Int) {
  preparation { annotations(pageSize: $pageSize, page: $page) { total data { id name entityType author createdAt updatedAt } } } }"""
SUBMISSIONS = """query getAllSubmission($id: ID, $dataSetId: ID, $page: Int, $pageSize: Int) {
  preparation { getAnnotationSubmissions(id: $id, dataSetId: $dataSetId, page: $page, pageSize: $pageSize) {
    total data { id createdAt total expectedTotal success failed status quarantine } } } }"""
MODIFY_ANNOTATION = """mutation modifyAnnotation($annotation: InputEntityAnnotation) {
  preparation { modifyAnnotation(annotation: $annotation) } }"""
CLEAN_PROJECTS = """query allCleanProjects($page: Int, $pageSize: Int, $searchName: String) {
  preparation { allCleanProjects(page: $page, pageSize: $pageSize, searchName: $searchName) {
    total projects { id name status createdBy author { id username } } } } }"""
AUTO_ANNOTATION = """mutation createAutoAnnotation($dataSetId: ID!, $type: String!,
    $mappingConfiguration: InputMappingConfiguration, $isDynamicVocab: Boolean) {
  management { createAutoAnnotation(dataSetId: $dataSetId, type: $type, mappingConfiguration: $mappingConfiguration,
    isDynamicVocab: $isDynamicVocab) { id } } }"""
MANUAL_ANNOTATION = AUTO_ANNOTATION.replace("createAutoAnnotation", "createManualAnnotation")
PARTIAL_ANNOTATION = """mutation createPartialAutoAnnotation($dataSetId: ID!, $originalFields: [String]) {
  management { createPartialAutoAnnotation(dataSetId: $dataSetId, originalFields: $originalFields) } }"""
MAP_PROPERTY = """mutation addPropertyMappingToCluedMappingConfiguration($dataSetId: ID!,
    $propertyMappingConfiguration: InputPropertyMappingConfiguration) {
  management { addPropertyMappingToCluedMappingConfiguration(dataSetId: $dataSetId,
    propertyMappingConfiguration: $propertyMappingConfiguration) } }"""

VOCABULARY_FIELDS = """vocabularyId vocabularyName keyPrefix isCluedInCore isDynamic isProvider isActive grouping
  createdAt updatedAt providerId description entityTypeConfiguration { icon entityType displayName } connector { id name }"""
VOCABULARIES = f"""query getAllVocabularies($searchName: String, $isActive: Boolean, $pageNumber: Int, $pageSize: Int,
    $sortBy: String, $sortDirection: String, $entityType: String, $filterIsUsed: Boolean) {{
  management {{ id vocabularies(searchName: $searchName, isActive: $isActive, pageNumber: $pageNumber, pageSize: $pageSize,
      sortBy: $sortBy, sortDirection: $sortDirection, entityType: $entityType, filterIsUsed: $filterIsUsed) {{
    total data {{ {VOCABULARY_FIELDS} isUsed }} }} }} }}"""
VOCABULARY = f"""query getVocabulary($id: ID!) {{
  management {{ id vocabulary(id: $id) {{ {VOCABULARY_FIELDS} isVocabularyOwner author {{ id username }} owners {{ id }} }} }} }}"""
CREATE_VOCABULARY = f"""mutation createVocabulary($vocabulary: InputVocabulary) {{
  management {{ id createVocabulary(vocabulary: $vocabulary) {{ {VOCABULARY_FIELDS} }} }} }}"""
SAVE_VOCABULARY = f"""mutation saveVocabulary($vocabulary: InputVocabulary!) {{
  management {{ id saveVocabulary(vocabulary: $vocabulary) {{ {VOCABULARY_FIELDS} }} }} }}"""
ACTIVATE_VOCABULARY = """mutation activateVocabulary($vocabularyId: ID!) {
  management { activateVocabulary(vocabularyId: $vocabularyId) { vocabularyId isActive } } }"""
KEY_FIELDS = """vocabularyKeyId vocabularyId key name displayName groupName dataType storage dataClassificationCode
  description isVisible isObsolete mapsToOtherKeyId glossaryTermId providerId createdAt updatedAt
  vocabulary { vocabularyId vocabularyName }"""
VOCABULARY_KEYS = f"""query getAllVocabularyKeys($searchName: String, $pageNumber: Int, $pageSize: Int, $dataType: String,
    $filterIsObsolete: String, $skipFilterVisibility: Boolean) {{
  management {{ id vocabularyKeys(searchName: $searchName, pageNumber: $pageNumber, pageSize: $pageSize,
      dataType: $dataType, filterIsObsolete: $filterIsObsolete, skipFilterVisibility: $skipFilterVisibility) {{
    total data {{ {KEY_FIELDS} }} }} }} }}"""
KEYS_OF_VOCABULARY = f"""query getVocabularyKeysFromVocabularyId($id: ID!, $searchName: String, $filterIsObsolete: String) {{
  management {{ vocabularyKeysFromVocabularyId(id: $id, searchName: $searchName, filterIsObsolete: $filterIsObsolete) {{
    total data {{ {KEY_FIELDS} }} }} }} }}"""
KEY_BY_NAME = f"""query getVocabularyKey($key: String!) {{
  management {{ vocabularyPerKey(key: $key) {{ {KEY_FIELDS} }} }} }}"""
CREATE_KEY = f"""mutation createVocabularyKey($vocabularyKey: InputVocabularyKey) {{
  management {{ createVocabularyKey(vocabularyKey: $vocabularyKey) {{ {KEY_FIELDS} }} }} }}"""
SAVE_KEY = f"""mutation saveVocabularyKey($vocabularyKey: InputVocabularyKey!) {{
  management {{ saveVocabularyKey(vocabularyKey: $vocabularyKey) {{ {KEY_FIELDS} }} }} }}"""
RENAME_KEY = """mutation renameVocabularyKey($vocabularyId: ID!, $vocabularyKeyId: ID!, $newName: String!) {
  management { renameVocabularyKey(vocabularyId: $vocabularyId, vocabularyKeyId: $vocabularyKeyId, newName: $newName) } }"""
MAP_KEY = """mutation mapToVocabularyKey($vocabularyKeyId: ID!, $mapToVocabularyKeyId: ID!) {
  management { mapVocabularyKey(vocabularyKeyId: $vocabularyKeyId, mapToVocabularyKeyId: $mapToVocabularyKeyId) {
    vocabularyKeyId mapsToOtherKeyId mappedKey } } }"""
ENTITY_TYPES = """query entityTypeLayoutConfigurations($searchName: String, $pageNumber: Int, $pageSize: Int,
    $filterIsUsed: Boolean) {
  management { entityTypeConfigurations(searchName: $searchName, pageNumber: $pageNumber, pageSize: $pageSize,
      filterIsUsed: $filterIsUsed) { total data { id entityType displayName icon path route active type source } } } }"""
ENTITY_TYPE = """query entityTypeLayoutConfiguration($entityType: ID!) {
  management { entityTypeConfiguration(entityType: $entityType) { id active displayName entityType icon path route type } } }"""
ENTITY_TYPE_INFO = """query getEntityTypeInfo($type: String!) {
  management { getEntityTypeInfo(type: $type) { id icon displayName type route path active } } }"""
CREATE_ENTITY_TYPE = """mutation createEntityTypeConfigurationV2($entityTypeConfiguration: String!) {
  management { createEntityTypeConfigurationV2(entityTypeConfiguration: $entityTypeConfiguration) } }"""
CATEGORIES = "query getGlossaryCategory { management { id glossaryCategories { id name } } }"
CATEGORY = """query getGlossaryCategory($id: ID!, $isActive: Boolean) {
  management { glossaryCategory(id: $id) { id name terms(isActive: $isActive) { total } } } }"""
CREATE_CATEGORY = """mutation createTermCategory($category: InputGlossaryCategory) {
  management { createGlossaryCategory(category: $category) { id name } } }"""
TERMS = """query getAllTerms($searchName: String, $isActive: Boolean, $pageNumber: Int, $pageSize: Int, $categoryId: ID) {
  management { glossaryTerms(searchName: $searchName, isActive: $isActive, pageNumber: $pageNumber, pageSize: $pageSize,
      categoryId: $categoryId) { total data { id name categoryId active createdAt modifiedAt createdBy requiresAttention } } } }"""
TERM_FIELDS = """id name categoryId category { id name } active shortDescription description certificationLevel version
  ruleSet isObsolete relatedTags { id name } isEndorsedByCurrentUser endorsedBy createdAt modifiedAt"""
TERM = f"query getGlossaryTerm($id: ID!) {{ management {{ glossaryTerm(id: $id) {{ {TERM_FIELDS} }} }} }}"
CREATE_TERM = """mutation createGlossaryTerm($term: InputGlossaryTerm) {
  management { createGlossaryTerm(term: $term) { id name categoryId } } }"""
SAVE_TERM = f"""mutation saveGlossaryTerm($term: InputGlossaryTerm) {{
  management {{ saveGlossaryTerm(term: $term) {{ {TERM_FIELDS} }} }} }}"""
ENDORSE_TERM = """mutation endorseGlossaryTerm($termId: ID, $status: Boolean) {
  management { endorseGlossaryTerm(termId: $termId, status: $status) { id isEndorsedByCurrentUser endorsedBy } } }"""
TAGS = "query { management { glossaryTags { id name } } }"
RULES = """query getRules($searchName: String, $isActive: Boolean, $pageNumber: Int, $scope: String) {
  management { rules(searchName: $searchName, isActive: $isActive, pageNumber: $pageNumber, scope: $scope) {
    total data { id name isActive scope order author { id username } } } } }"""
RULE = """query getRule($id: ID!) { management { rule(id: $id) { id name condition actions rules sourceDetail { id name type } } } }"""
DEDUP_PROJECTS = """query deDupProjects($pageNumber: Int, $itemsPerPage: Int) {
  management { deDupProjects(pageNumber: $pageNumber, itemsPerPage: $itemsPerPage) { total data { id name status } } } }"""
DEDUP_PROJECT = (
    """query deDupProject($id: ID!) { management { deDupProject(id: $id) { id name status author { id } isOwner } } }"""
)
MDE_PROJECT = """query manualDataEntryProject($id: ID!) {
  management { manualDataEntryProject(id: $id) { id title entityType isOwner createdByUser { username } formFields { id } } } }"""
CLEAN_PROJECT = """query cleanProjectDetail($id: ID!) {
  preparation { cleanProjectDetail(id: $id) { id name status rowCount isOwner fields { property } condition { condition } } } }"""
MDE_PROJECTS = """query getManualDataEntryProjects($pageNumber: Int, $pageSize: Int) {
  management { manualDataEntryProjects(pageNumber: $pageNumber, pageSize: $pageSize) {
    total data { id title entityType annotationId formFields { vocabularyKey } } } } }"""

STREAM_FIELDS = """id name status isActive type mode condition rules containerName connectorProperties exportOutgoingEdges
  exportIncomingEdges mappingConfiguration numberOfRecords description createdAt modifiedAt updatedAt
  connector { id name accountDisplay accountId active connector { id name icon streamModes } connectorStatus { status } }"""
STREAMS = f"""query getStreams($searchName: String, $status: String, $itemsPerPage: Int, $pageNumber: Int,
    $sortBy: String, $sortDirection: String, $exportTargetId: ID) {{
  consume {{ id streams(searchName: $searchName, status: $status, itemsPerPage: $itemsPerPage, pageNumber: $pageNumber,
      sortBy: $sortBy, sortDirection: $sortDirection, exportTargetId: $exportTargetId) {{ total data {{ {STREAM_FIELDS} }} }} }} }}"""
STREAM = f"query getStream($id: ID!) {{ consume {{ id stream(id: $id) {{ {STREAM_FIELDS} }} }} }}"
CREATE_STREAM = f"""mutation createStream($stream: InputCreateStream!) {{
  consume {{ id createStream(stream: $stream) {{ {STREAM_FIELDS} }} }} }}"""
SAVE_STREAM = f"""mutation saveStream($stream: InputStream!) {{ consume {{ saveStream(stream: $stream) {{ {STREAM_FIELDS} }} }} }}"""
SETUP_STREAM = f"""mutation setupConnectorStream($streamId: ID!, $exportConfiguration: InputExportConfiguration) {{
  consume {{ setupConnectorStream(streamId: $streamId, exportConfiguration: $exportConfiguration) {{ {STREAM_FIELDS} }} }} }}"""
ACTIVATE_STREAM = """mutation activateStream($streamId: ID!) { consume { activateStream(streamId: $streamId) { id isActive status } } }"""
DEACTIVATE_STREAM = """mutation deactivateStream($streamId: ID!) {
  consume { deActivateStream(streamId: $streamId) { id isActive status } } }"""
STREAM_PROPERTIES = "query { consume { streamMappingProperties { displayName key type } } }"

SEARCH = """query searchEntities($cursor: PagingCursor, $query: String, $pageSize: Int, $filters: [FilterQuery]) {
  search(query: $query, cursor: $cursor, pageSize: $pageSize, filters: $filters, sort: FIELDS,
      sortFields: {field: "id", direction: ASCENDING}) {
    totalResults cursor entries { id name entityType properties } } }"""
ENTITY = "query($id: ID!) { entity(id: $id) { id name codes originEntityCode entityType properties } }"
METRICS = """query metricsByNameQuery($names: [String]) {
  metrics: metrics(names: $names) { name id dataType categories
    globalDimensions { id type detailType detail providerDefinitionId providerId providerName latestValue values } } }"""

READ_DOCUMENTS = {
    "ME": ME, "ORGANIZATION": ORGANIZATION, "USERS": USERS, "FEATURES": FEATURES, "DATA_SOURCE_SETS": DATA_SOURCE_SETS,
    "CONNECTOR_CONFIGURATIONS": CONNECTOR_CONFIGURATIONS, "CONNECTORS": CONNECTORS, "ANNOTATIONS": ANNOTATIONS,
    "CLEAN_PROJECTS": CLEAN_PROJECTS, "VOCABULARIES": VOCABULARIES, "VOCABULARY_KEYS": VOCABULARY_KEYS,
    "ENTITY_TYPES": ENTITY_TYPES, "CATEGORIES": CATEGORIES, "TERMS": TERMS, "TAGS": TAGS, "RULES": RULES,
    "DEDUP_PROJECTS": DEDUP_PROJECTS, "MDE_PROJECTS": MDE_PROJECTS, "STREAMS": STREAMS,
    "STREAM_PROPERTIES": STREAM_PROPERTIES, "SUBMISSIONS": SUBMISSIONS,
}  # fmt: skip
"""Queries that need no ids, used to compare the fast read path with graphql-core on seeded data."""
