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

# ---------------------------------------------------------------------- processing rules (item 2)

GET_RULES = """query getRules($searchName: String, $isActive: Boolean, $pageNumber: Int, $sortBy: String, $sortDirection: String, $scope: String) {
  management { id rules(searchName: $searchName, isActive: $isActive, pageNumber: $pageNumber, sortBy: $sortBy, sortDirection: $sortDirection, scope: $scope) {
    total data { id name order description isActive createdBy modifiedBy createdAt modifiedAt author { id username __typename } scope isReprocessing requiresAttention __typename } __typename } __typename } }"""
GET_RULE = """query getRule($id: ID!) { management { id rule(id: $id) { id name description isActive createdBy modifiedBy isOwner createdAt modifiedAt condition actions rules
  sourceDetail { id name type __typename } author { id username __typename } scope isReprocessing requiresAttention __typename } __typename } }"""
CREATE_RULE = """mutation createRule($rule: InputCreateRule!) { management { id createRule(rule: $rule) { id name description isActive createdBy modifiedBy isOwner __typename } __typename } }"""
SAVE_RULE = """mutation saveRule($rule: InputRule!) { management { id saveRule(rule: $rule) { id name description isActive createdBy modifiedBy isOwner createdAt modifiedAt condition actions
  author { id username __typename } isReprocessing __typename } __typename } }"""
RULE_OPERATORS = """query getRuleOperators { management { id ruleOperators __typename } }"""

# ---------------------------------------------------------------------- deduplication projects

DEDUP_PROJECT_FIELDS = (
    "id name deduplicationScopeFilter requiresAttention description querySizeLimit shouldLimitQuerySize __typename"
)
CREATE_DEDUP_PROJECT = f"""mutation createDedupProject($dedupProject: InputDedupProject) {{ management {{ id createDedupProject(dedupProject: $dedupProject) {{ {DEDUP_PROJECT_FIELDS} }} __typename }} }}"""
SAVE_DEDUP_PROJECT = f"""mutation saveDedupProject($id: ID!, $dedupProject: InputDedupProject) {{ management {{ id saveDedupProject(id: $id, dedupProject: $dedupProject) {{ {DEDUP_PROJECT_FIELDS} }} __typename }} }}"""
GET_DEDUP_PROJECTS = """query deDupProjects($pageNumber: Int, $itemsPerPage: Int, $excludeProjectStages: [String], $includeProjectStages: [String]) {
  management { deDupProjects(pageNumber: $pageNumber, itemsPerPage: $itemsPerPage, excludeProjectStages: $excludeProjectStages, includeProjectStages: $includeProjectStages) {
    total data { id name status createdDate author { id username __typename } requiresAttention __typename } __typename } __typename } }"""
GET_DEDUP_PROJECT = """query deDupProject($id: ID!) { management { deDupProject(id: $id) { id name status createdBy description deduplicationScopeFilter deduplicationScopeFilterType
  requiresAttention createdDate shouldLimitQuerySize querySizeLimit groupCount isOwner author { id username __typename } __typename } __typename } }"""
GET_DEDUP_RULES = """query deDuplicateProjectRules($id: ID!, $pageNumber: Int, $itemsPerPage: Int) { management { id deDuplicateProjectRules(id: $id, pageNumber: $pageNumber, itemsPerPage: $itemsPerPage) {
  total data { id name enabled order createdBy creationDate matchingCriteria { name objectType fieldName matchingTypeId matchingTypeDisplayName comparisonConfiguration
  normalizationConfiguration __typename } __typename } __typename } __typename } }"""
CREATE_DEDUP_RULE = """mutation createDedupRule($id: ID!, $rule: InputDedupProjectRule) { management { id createDedupRule(id: $id, rule: $rule) { id __typename } __typename } }"""
UPDATE_DEDUP_RULE = """mutation updateDedupRule($id: ID!, $ruleId: ID!, $rule: InputDedupProjectRule) { management { id updateDedupRule(id: $id, ruleId: $ruleId, rule: $rule) { id __typename } __typename } }"""

# ---------------------------------------------------------------------- manual data entry projects

CREATE_MDE_PROJECT = """mutation createManualDataEntryProject($manualDataEntryProject: ManualDataEntryProjectInput) { management {
  createManualDataEntryProject(manualDataEntryProject: $manualDataEntryProject) { id title description entityType entityTypeConfiguration { icon displayName entityType __typename } __typename } __typename } }"""
SAVE_MDE_PROJECT = """mutation saveManualDataEntryProject($id: ID!, $manualDataEntryProject: ManualDataEntryProjectInput) { management {
  saveManualDataEntryProject(id: $id, manualDataEntryProject: $manualDataEntryProject) { id title description entityType __typename } __typename } }"""
GET_MDE_PROJECTS = """query getManualDataEntryProjects($pageNumber: Int, $pageSize: Int) { management { manualDataEntryProjects(pageNumber: $pageNumber, pageSize: $pageSize) {
  total data { id title description entityType createdAt createdBy modifiedAt modifiedBy annotationId entityTypeConfiguration { icon displayName entityType __typename }
  createdByUser { id email username __typename } formFields { id label description vocabularyKey type parameters isRequired onlyExistingValues onlyAllowedValues
  preventForbiddenValues isArchived __typename } __typename } __typename } __typename } }"""
GET_MDE_PROJECT = """query manualDataEntryProject($id: ID!) { management { manualDataEntryProject(id: $id) { id title requireApproval isOwner description entityType hasPendingRecordsApproval
  entityTypeConfiguration { icon displayName entityType __typename } createdAt createdBy createdByUser { id username __typename } modifiedAt modifiedBy annotationId
  fieldMappings { id originalField key columnType columnSubType __typename } connectorConfigurationId
  connectorConfiguration { id name accountDisplay accountId active providerId connector { id icon name __typename } users { id username roles __typename } __typename }
  vocabularyId vocabulary { vocabularyId vocabularyName keyPrefix __typename }
  formFields { id position label description vocabularyKey isRequired createdAt createdBy type onlyExistingValues onlyAllowedValues preventForbiddenValues parameters
    useAsEntityCode isArchived createdByUser { id username __typename } vocabularyKeyObject { displayName vocabularyKeyId key name vocabularyId dataType
    vocabulary { vocabularyId vocabularyName __typename } __typename } __typename } __typename } __typename } }"""
ADD_FORM_FIELD = """mutation addManualDataEntryProjectFormField($projectId: ID!, $formField: FormFieldInput) { management {
  addManualDataEntryProjectFormField(projectId: $projectId, formField: $formField) { id label description vocabularyKey type onlyExistingValues isRequired onlyAllowedValues
  preventForbiddenValues parameters __typename } __typename } }"""
SAVE_FORM_FIELD = """mutation saveManualDataEntryProjectFormField($projectId: ID!, $formField: FormFieldInput) { management {
  saveManualDataEntryProjectFormField(projectId: $projectId, formField: $formField) { id label description vocabularyKey type onlyExistingValues useAsEntityCode isRequired
  onlyAllowedValues preventForbiddenValues isArchived __typename } __typename } }"""

# ---------------------------------------------------------------------- clean projects (Toolkit; Fabric workload for the last two)

CREATE_CLEAN_PROJECT = """mutation createNewCleanProject($cleanProject: InputNewCleanProject!) { preparation { id createNewCleanProject(cleanProject: $cleanProject) { id __typename } __typename } }"""
UPDATE_CLEAN_PROJECT = """mutation updateNewCleanProject($id: ID!, $cleanProject: InputNewCleanProject!) { preparation { id updateNewCleanProject(id: $id, cleanProject: $cleanProject) { id __typename } __typename } }"""
GET_CLEAN_PROJECTS = """query allCleanProjects($page: Int, $pageSize: Int, $searchName: String) { preparation { allCleanProjects(page: $page, pageSize: $pageSize, searchName: $searchName) {
  total projects { name rowCount createdDate lastCommittedDate lastCommittedBy createdBy id status author { id username __typename }
  lastCommittedByUser { id username __typename } requiresAttention __typename } __typename } __typename } }"""
GET_CLEAN_PROJECT = """query cleanProjectDetail($id: ID!) { preparation { cleanProjectDetail(id: $id) { name rowCount createdDate lastCommittedDate requiresAttention lastCommittedBy createdBy
  isOwner id status query autoGenerateRules staleDataStrategy hasCleanChanges hasBeenCommitted providerProjectId includeDataParts hasRules description
  fields { type displayName property icon __typename } condition { condition id type value operator objectTypeId field
  rules { condition field objectTypeId operator type value rules __typename } __typename } __typename } __typename } }"""
GENERATE_RESULT = """mutation generateResult($id: ID!) { preparation { generateResult(id: $id) __typename } }"""
CLEAN_PROJECT_RULES = """query allCleanProjectRules($id: ID!, $page: Int, $pageSize: Int) { preparation { allCleanProjectRules(id: $id, page: $page, pageSize: $pageSize) {
  total rules { id name order createdBy createdAt isActive __typename } __typename } __typename } }"""

# ---------------------------------------------------------------------- mapping details, data sources, export targets

PRE_PROCESS_RULE_FIELDS = "id displayName orderNumber author isActive __typename"
CREATE_PRE_PROCESS_RULE = f"""mutation createPreProcessDataSetRule($rule: InputPreProcessDataSetRule) {{ preparation {{ createPreProcessDataSetRule(rule: $rule) {{ {PRE_PROCESS_RULE_FIELDS} }} __typename }} }}"""
SAVE_PRE_PROCESS_RULE = f"""mutation savePreProcessDataSetRule($rule: InputPreProcessDataSetRule) {{ preparation {{ savePreProcessDataSetRule(rule: $rule) {{ {PRE_PROCESS_RULE_FIELDS} }} __typename }} }}"""
GET_PRE_PROCESS_RULES = """query getAllPreProcessDataSetRules($annotationId: ID!, $page: Int, $pageSize: Int) { preparation { id
  getAllPreProcessDataSetRules(annotationId: $annotationId, page: $page, pageSize: $pageSize) { total data { id annotationId displayName orderNumber lastModifiedBy
  transformations { filters { id displayName inverse parameters { key value __typename } __typename } operations { id displayName inverse parameters { key value __typename }
  __typename } __typename } author isActive __typename } __typename } __typename } }"""
CREATE_ANNOTATION_CODE = """mutation createAnnotationCode($annotationCode: InputAnnotationCode) { preparation { id createAnnotationCode(annotationCode: $annotationCode) { id __typename } __typename } }"""
EDIT_ANNOTATION_CODE = """mutation editAnnotationCode($id: ID, $annotationCode: InputAnnotationCode) { preparation { id editAnnotationCode(id: $id, annotationCode: $annotationCode) { id __typename } __typename } }"""
GET_ANNOTATION_CODES = """query getAnnotationCodes($annotationId: ID!) { preparation { id getAnnotationCodes(annotationId: $annotationId) { id annotationId key entityCodeOrigin sourceCode type vocabKey __typename } __typename } }"""
ADD_EDGE_MAPPING = """mutation addEdgeMapping($annotationId: ID!, $key: String!, $edgeConfiguration: InputEdgeConfiguration) { management {
  addEdgeMapping(annotationId: $annotationId, key: $key, edgeConfiguration: $edgeConfiguration) __typename } }"""
BATCH_PROPERTY_MAPPINGS = """mutation modifyBatchVocabularyClueMappingConfiguration($annotationId: ID!, $batchPropertyMappings: InputBatchPropertyMapping) { management {
  modifyBatchVocabularyClueMappingConfiguration(annotationId: $annotationId, batchPropertyMappings: $batchPropertyMappings) __typename } }"""
CUSTOM_ORIGIN = """mutation saveCustomOriginClueMappingConfiguration($annotationId: ID!, $customOrigin: String) { management {
  saveCustomOriginClueMappingConfiguration(annotationId: $annotationId, customOrigin: $customOrigin) __typename } }"""
GET_ANNOTATION = """query getAnnotationById($id: ID) { preparation { id annotation(id: $id) { id name entityType originEntityCodeKey origin nameKey vocabularyId
  annotationProperties { key vocabKey useAsEntityCode useAsAlias useSourceCode entityCodeOrigin vocabularyKeyId type
  annotationEdges { id key edgeType entityTypeConfiguration { icon displayName entityType __typename } origin dataSourceGroupId dataSourceId dataSetId direction
  edgeProperties { id annotationEdgeId originalField vocabularyKey { key vocabularyKeyId vocabularyId name displayName dataType __typename } __typename } __typename }
  __typename } __typename } __typename } }"""
SAVE_DATABASE_CONFIGURATION = """mutation saveDataBaseConfigurationForDataSource($id: ID!, $configuration: JSON) { inbound {
  saveDataBaseConfigurationForDataSource(id: $id, configuration: $configuration) __typename } }"""
GET_DATA_SOURCE = """query getDataSourceById($id: ID!) { inbound { id dataSource(id: $id) { id name type sql dataSourceSet { id name __typename }
  connectorConfiguration { id __typename } __typename } __typename } }"""
GRANT_USERS_PERMISSION = """mutation grantUsersPermission($connectorId: ID, $userIds: [ID]) { inbound { grantUsersPermission(connectorId: $connectorId, userIds: $userIds) {
  id users { id __typename } __typename } __typename } }"""
SAVE_DATA_SET = """mutation saveDataSet($dataSet: InputSaveDataSet) { inbound { saveDataSet(dataSet: $dataSet) { id name hashCheck __typename } __typename } }"""
