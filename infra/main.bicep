// The Purview ⇄ CluedIn sync Function app on Flex Consumption, with everything it needs: its identity, storage,
// Key Vault, monitoring and role assignments. Subscription scope so that `azd up` (or one `az deployment sub
// create`) creates the resource group too, and so that a Data Factory in another resource group can be granted.
//
// Written without a Bicep compiler at hand (none can be installed where it was written): run
// `az bicep build --file infra/main.bicep` and `az deployment sub what-if` before the first deployment.
// Every app setting of the settings groups (sync/core/settings.py, sync/services/*/settings.py, sync/features/*/settings.py) that a deployment needs is a parameter below, named after the setting
// (PURVIEW_BASE_URL → purviewBaseUrl); secrets reach the app only as Key Vault references (docs/deploy.md).
targetScope = 'subscription'

// ----- Environment and sizing ---------------------------------------------------------------------------------
@minLength(1)
@maxLength(64)
@description('Environment name (the azd environment); it seeds every generated resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or pipeline allowed to write secrets into the Key Vault; empty = nobody.')
param principalId string = ''

@description('Resource group name; empty = rg-<environmentName>.')
param resourceGroupName string = ''

@description('Function app name; empty = func-sync-<token>.')
param functionAppName string = ''

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Most instances the app may scale out to. Client-side rate limits are per instance, so this also caps the total request rate on Purview and CluedIn.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Redundancy of the storage account (state tables, queues, deployment package).')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS', 'Standard_RAGRS', 'Standard_RAGZRS'])
param storageSkuName string = 'Standard_LRS'

@description('Private networking: VNet integration for the app, private endpoints for storage and Key Vault, no public network access to either.')
param vnetEnabled bool = false

@description('Key Vault purge protection. Once on it cannot be turned off, and a deleted vault keeps its name for 90 days.')
param keyVaultPurgeProtection bool = true

@description('Days Log Analytics keeps the logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// ----- Purview (PURVIEW_*) -------------------------------------------------------------------------------------
@description('PURVIEW_BASE_URL: https://<account>.purview.azure.com; empty = no synchronisation with Purview.')
param purviewBaseUrl string = ''

@description('PURVIEW_TENANT_ID for a service principal; empty = this subscription\'s tenant.')
param purviewTenantId string = ''

@description('PURVIEW_CLIENT_ID of a service principal; empty = the app\'s managed identity calls Purview.')
param purviewClientId string = ''

@secure()
@description('Optional: stores the service principal\'s secret in Key Vault (purview-client-secret). Empty = leave the vault as it is.')
param purviewClientSecret string = ''

@description('PURVIEW_COLLECTION_NAME: collection id or path where the app creates everything; empty = root collection.')
param purviewCollectionName string = ''

@description('PURVIEW_MAX_OPERATIONS_PER_SECOND per instance (a number; 25 = one capacity unit).')
param purviewMaxOperationsPerSecond string = '25'

// ----- CluedIn (CLUEDIN_*) -------------------------------------------------------------------------------------
@description('CLUEDIN_URL: https://<org>.<domain>; empty = no synchronisation with CluedIn.')
param cluedinUrl string = ''

@description('CLUEDIN_ORGANIZATION; empty = the first label of the CluedIn host name.')
param cluedinOrganization string = ''

@description('CLUEDIN_USERNAME: e-mail of the CluedIn service account (not SSO).')
param cluedinUsername string = ''

@secure()
@description('Optional: stores the service account password in Key Vault (cluedin-password). Empty = leave the vault as it is.')
param cluedinPassword string = ''

@description('Set CLUEDIN_API_TOKEN from Key Vault (cluedin-api-token); true only once that secret exists.')
param useCluedinApiToken bool = false

@secure()
@description('Optional: stores a CluedIn API token in Key Vault (cluedin-api-token) and turns on useCluedinApiToken.')
param cluedinApiToken string = ''

@description('CLUEDIN_REST_PATH_PREFIX: /api/api (gateway deployments) or /api.')
param cluedinRestPathPrefix string = '/api/api'

@description('CLUEDIN_MAX_REQUESTS_PER_SECOND per instance (a number).')
param cluedinMaxRequestsPerSecond string = '20'

// ----- Features ------------------------------------------------------------------------------------------------
@description('SYNC_CLUEDIN_DATA_SOURCES (F1, F2): Purview assets → CluedIn data sources, their data sets → Purview lineage.')
param syncCluedinDataSources bool = false

@description('SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS: glossary term name(s), comma-separated, or * for every asset.')
param syncCluedinDataSourcesKeywords string = ''

@description('POLL_CLUEDIN_DATA_SOURCES (F4): record counts and quality metrics onto the Cluedin Dataset entities.')
param pollCluedinDataSources bool = false

// ----- Data Factory (F12, F13) ---------------------------------------------------------------------------------
@description('Name of an existing Data Factory the app writes pipelines to; empty = no Data Factory.')
param dataFactoryName string = ''

@description('Resource group of that factory; empty = the app\'s resource group.')
param dataFactoryResourceGroupName string = ''

@description('Subscription of that factory; empty = this subscription.')
param dataFactorySubscriptionId string = ''

@description('DATA_FACTORY_TENANT_ID for a service principal; empty = this subscription\'s tenant.')
param dataFactoryTenantId string = ''

@description('DATA_FACTORY_CLIENT_ID of a service principal; empty = the app\'s managed identity (granted Data Factory Contributor here).')
param dataFactoryClientId string = ''

@secure()
@description('Optional: stores the service principal\'s secret in Key Vault (data-factory-client-secret). Empty = leave the vault as it is.')
param dataFactoryClientSecret string = ''

@description('DATA_FACTORY_PIPELINE_AUTOMATION (F12): a copy pipeline for every asset whose terms match the pattern.')
param dataFactoryPipelineAutomation bool = false

@description('PIPELINE_AUTOMATION_TERM_PATTERN: regular expression on glossary term names.')
param pipelineAutomationTermPattern string = ''

@description('DATA_FACTORY_CREATE_RUN_SCHEDULE (F13): a schedule trigger per generated pipeline.')
param dataFactoryCreateRunSchedule bool = false

@description('DATA_FACTORY_RUN_SCHEDULE_VALUE, e.g. Daily:Interval=1&Hours=[0,12]&Minutes=[0,30].')
param dataFactoryRunScheduleValue string = ''

@description('DATA_FACTORY_KEY_VAULT_URL: vault the factory reads the CluedIn token from; empty = this deployment\'s vault.')
param dataFactoryKeyVaultUrl string = ''

@description('DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME: the secret holding "Bearer <CluedIn API token>" for generated pipelines.')
param dataFactoryCluedinTokenSecretName string = 'cluedin-ingestion-token'

@secure()
@description('Optional: stores the CluedIn API token for generated pipelines (as "Bearer <token>") and lets the factory read that one secret.')
param cluedinIngestionToken string = ''

// ----- Purview change feed (PURVIEW_CHANGE_FEED_*) -------------------------------------------------------------
@description('PURVIEW_CHANGE_FEED_ENABLED: plan the assets Purview notifies within seconds (Atlas notifications through Event Hubs). Also set up Purview\'s Notification Kafka configuration on this hub (docs/deploy.md).')
param purviewChangeFeedEnabled bool = false

@description('Existing Event Hubs namespace of Purview\'s Notification configuration; empty = create one (Standard) with the hub.')
param purviewChangeFeedNamespaceName string = ''

@description('Resource group of that existing namespace (in this subscription); empty = the app\'s resource group.')
param purviewChangeFeedNamespaceResourceGroupName string = ''

@description('PURVIEW_CHANGE_FEED_HUB: the event hub Purview sends its notifications to.')
param purviewChangeFeedHub string = 'atlas_entities'

@description('PURVIEW_CHANGE_FEED_CONSUMER_GROUP: the app\'s own consumer group on that hub (created here).')
param purviewChangeFeedConsumerGroup string = 'cluedin-sync'

@description('Object id of the identity Purview\'s Kafka configuration uses (its managed identity, or the user-assigned one chosen there); empty = grant it Contributor on the namespace yourself.')
param purviewPrincipalId string = ''

// ----- Engine --------------------------------------------------------------------------------------------------
@description('SYNC_SCHEDULE: NCRONTAB (6 fields, UTC) of the planning timers.')
param syncSchedule string = '0 */1 * * * *'

@description('POLL_SCHEDULE: NCRONTAB of the metrics poll.')
param pollSchedule string = '30 */5 * * * *'

@description('PIPELINE_AUTOMATION_SCHEDULE: NCRONTAB of the Data Factory automation timer.')
param pipelineAutomationSchedule string = '15 */1 * * * *'

@description('SYNC_DRY_RUN: plan and report only, whatever the operator switch says (true wins).')
param syncDryRun bool = false

@description('SYNC_DRY_RUN_UNTIL_SWITCHED: on by default in Azure: review the first plans, then run `cluedin-purview-sync dry-run off` (no redeploy).')
param syncDryRunUntilSwitched bool = true

@description('SYNC_DELETE_POLICY: what happens to objects whose source disappeared.')
@allowed(['retain', 'soft-delete'])
param syncDeletePolicy string = 'retain'

@description('SYNC_DELETE_FAILSAFE_PERCENT: a cycle deleting more than this share of what a feature owns deletes nothing.')
param syncDeleteFailsafePercent string = '20'

@description('SYNC_TABLE_PREFIX: prefix of the state tables.')
param syncTablePrefix string = 'sync'

@description('More app settings as a JSON object (e.g. {"SYNC_QUEUE_PREFIX":"prod"}): every setting the parameters above do not name, over the defaults in app/feature-settings.json (generated from the app by `python -m sync.settings_doc --write`).')
param appSettingsJson string = ''

// ----- Names ---------------------------------------------------------------------------------------------------
var abbrs = loadJsonContent('abbreviations.json')
var secretNames = loadJsonContent('app/secret-names.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var appName = !empty(functionAppName) ? functionAppName : '${abbrs.functionApp}sync-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var appResourceGroupName = !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourceGroup}${environmentName}'

var useDataFactory = !empty(dataFactoryName)
var factorySubscriptionId = !empty(dataFactorySubscriptionId) ? dataFactorySubscriptionId : subscription().subscriptionId
var factoryResourceGroupName = !empty(dataFactoryResourceGroupName) ? dataFactoryResourceGroupName : appResourceGroupName
var factoryResourceId = '/subscriptions/${factorySubscriptionId}/resourceGroups/${factoryResourceGroupName}/providers/Microsoft.DataFactory/factories/${dataFactoryName}'

var createChangeFeedNamespace = empty(purviewChangeFeedNamespaceName)
var changeFeedNamespaceName = createChangeFeedNamespace ? '${abbrs.eventHubsNamespace}sync-${resourceToken}' : purviewChangeFeedNamespaceName
var changeFeedResourceGroupName = !empty(purviewChangeFeedNamespaceResourceGroupName) ? purviewChangeFeedNamespaceResourceGroupName : appResourceGroupName

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: appResourceGroupName
  location: location
  tags: tags
}

// ----- Identity, plan, storage, monitoring, vault (AVM modules, pinned) ----------------------------------------
// One user-assigned identity for storage, the deployment package, Key Vault references, telemetry and the
// services the app calls: it exists before the app, so every role is granted before the app first starts.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentity}sync-${resourceToken}'
    location: location
    tags: tags
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.plan}sync-${resourceToken}'
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
    location: location
    tags: tags
  }
}

module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageAccount}${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    dnsEndpointType: 'Standard'
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [{ name: deploymentContainerName }]
    }
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    name: '${abbrs.logAnalytics}sync-${resourceToken}'
    location: location
    tags: tags
    dataRetention: logRetentionInDays
  }
}

module appInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'appInsights'
  scope: rg
  params: {
    name: '${abbrs.appInsights}sync-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
    disableIpMasking: false
  }
}

module keyVault 'br/public:avm/res/key-vault/vault:0.13.3' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: '${abbrs.keyVault}${resourceToken}'
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enablePurgeProtection: keyVaultPurgeProtection
    softDeleteRetentionInDays: 90
    enableVaultForDeployment: false
    enableVaultForTemplateDeployment: false
    enableVaultForDiskEncryption: false
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// ----- Private networking (optional) ---------------------------------------------------------------------------
module network 'app/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    name: 'sync-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
  }
}

// ----- Access --------------------------------------------------------------------------------------------------
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    appInsightsName: appInsights.outputs.name
    keyVaultName: keyVault.outputs.name
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
  }
}

module dataFactoryAccess 'app/datafactory.bicep' = if (useDataFactory) {
  name: 'dataFactoryAccess'
  scope: resourceGroup(factorySubscriptionId, factoryResourceGroupName)
  params: {
    dataFactoryName: dataFactoryName
    appPrincipalId: identity.outputs.principalId
    grantAppContributor: empty(dataFactoryClientId)
  }
}

module changeFeed 'app/changefeed.bicep' = if (purviewChangeFeedEnabled) {
  name: 'changeFeed'
  scope: resourceGroup(changeFeedResourceGroupName)
  params: {
    namespaceName: changeFeedNamespaceName
    createNamespace: createChangeFeedNamespace
    location: location
    tags: tags
    hubName: purviewChangeFeedHub
    consumerGroup: purviewChangeFeedConsumerGroup
    appPrincipalId: identity.outputs.principalId
    purviewPrincipalId: purviewPrincipalId
  }
  dependsOn: [
    rg
  ]
}

module secrets 'app/secrets.bicep' = {
  name: 'secrets'
  scope: rg
  params: {
    keyVaultName: keyVault.outputs.name
    purviewClientSecret: purviewClientSecret
    cluedinPassword: cluedinPassword
    cluedinApiToken: cluedinApiToken
    dataFactoryClientSecret: dataFactoryClientSecret
    cluedinIngestionToken: cluedinIngestionToken
    ingestionTokenSecretName: dataFactoryCluedinTokenSecretName
    dataFactoryResourceId: useDataFactory ? factoryResourceId : ''
    dataFactoryPrincipalId: useDataFactory ? dataFactoryAccess.outputs.principalId : ''
  }
}

// ----- App settings --------------------------------------------------------------------------------------------
// Secrets are Key Vault references only, and only for secrets the configuration uses: an unresolvable reference
// reaches the app as its literal text, which the app would take for a real password or token.
var keyVaultUri = keyVault.outputs.uri
var purviewSecretSetting = !empty(purviewClientId) ? { PURVIEW_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.purviewClientSecret}/)' } : {}
var cluedinPasswordSetting = !empty(cluedinUrl) ? { CLUEDIN_PASSWORD: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.cluedinPassword}/)' } : {}
var cluedinApiTokenSetting = (useCluedinApiToken || !empty(cluedinApiToken)) ? { CLUEDIN_API_TOKEN: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.cluedinApiToken}/)' } : {}
var dataFactorySecretSetting = !empty(dataFactoryClientId) ? { DATA_FACTORY_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.dataFactoryClientSecret}/)' } : {}
var secretSettings = union(purviewSecretSetting, cluedinPasswordSetting, cluedinApiTokenSetting, dataFactorySecretSetting)

var generatedSettings = union(loadJsonContent('app/feature-settings.json'), json(empty(appSettingsJson) ? '{}' : appSettingsJson))
var namedSettings = {
  PURVIEW_BASE_URL: purviewBaseUrl
  PURVIEW_TENANT_ID: !empty(purviewTenantId) ? purviewTenantId : (!empty(purviewClientId) ? tenant().tenantId : '')
  PURVIEW_CLIENT_ID: purviewClientId
  PURVIEW_COLLECTION_NAME: purviewCollectionName
  PURVIEW_MAX_OPERATIONS_PER_SECOND: purviewMaxOperationsPerSecond
  CLUEDIN_URL: cluedinUrl
  CLUEDIN_ORGANIZATION: cluedinOrganization
  CLUEDIN_USERNAME: cluedinUsername
  CLUEDIN_REST_PATH_PREFIX: cluedinRestPathPrefix
  CLUEDIN_MAX_REQUESTS_PER_SECOND: cluedinMaxRequestsPerSecond
  SYNC_CLUEDIN_DATA_SOURCES: syncCluedinDataSources ? 'true' : 'false'
  SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS: syncCluedinDataSourcesKeywords
  POLL_CLUEDIN_DATA_SOURCES: pollCluedinDataSources ? 'true' : 'false'
  DATA_FACTORY_BASE_URL: useDataFactory ? '${environment().resourceManager}${substring(factoryResourceId, 1)}/' : ''
  DATA_FACTORY_TENANT_ID: !empty(dataFactoryTenantId) ? dataFactoryTenantId : (!empty(dataFactoryClientId) ? tenant().tenantId : '')
  DATA_FACTORY_CLIENT_ID: dataFactoryClientId
  DATA_FACTORY_PIPELINE_AUTOMATION: dataFactoryPipelineAutomation ? 'true' : 'false'
  PIPELINE_AUTOMATION_TERM_PATTERN: pipelineAutomationTermPattern
  DATA_FACTORY_CREATE_RUN_SCHEDULE: dataFactoryCreateRunSchedule ? 'true' : 'false'
  DATA_FACTORY_RUN_SCHEDULE_VALUE: dataFactoryRunScheduleValue
  DATA_FACTORY_KEY_VAULT_URL: !empty(dataFactoryKeyVaultUrl) ? dataFactoryKeyVaultUrl : keyVaultUri
  DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME: dataFactoryCluedinTokenSecretName
  SYNC_SCHEDULE: syncSchedule
  POLL_SCHEDULE: pollSchedule
  PIPELINE_AUTOMATION_SCHEDULE: pipelineAutomationSchedule
  SYNC_DRY_RUN: syncDryRun ? 'true' : 'false'
  SYNC_DRY_RUN_UNTIL_SWITCHED: syncDryRunUntilSwitched ? 'true' : 'false'
  SYNC_DELETE_POLICY: syncDeletePolicy
  SYNC_DELETE_FAILSAFE_PERCENT: syncDeleteFailsafePercent
  SYNC_TABLE_PREFIX: syncTablePrefix
  PURVIEW_CHANGE_FEED_ENABLED: purviewChangeFeedEnabled ? 'true' : 'false'
  PURVIEW_CHANGE_FEED_HUB: purviewChangeFeedHub
  PURVIEW_CHANGE_FEED_CONSUMER_GROUP: purviewChangeFeedConsumerGroup
  PURVIEW_CHANGE_FEED__fullyQualifiedNamespace: purviewChangeFeedEnabled ? changeFeed.outputs.fullyQualifiedNamespace : ''
}
var syncSettings = union(generatedSettings, namedSettings)

// ----- The Function app ----------------------------------------------------------------------------------------
module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: appName
    location: location
    tags: tags
    planResourceId: plan.outputs.resourceId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    appInsightsName: appInsights.outputs.name
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    purviewChangeFeedEnabled: purviewChangeFeedEnabled
    appSettings: union(syncSettings, secretSettings)
    virtualNetworkSubnetId: vnetEnabled ? network.outputs.appSubnetId : ''
  }
  // The identity must hold its storage, vault, telemetry (and Event Hub) roles before the host first starts.
  dependsOn: [
    rbac
    changeFeed
  ]
}

// ----- Outputs (azd stores them in the environment; docs/deploy.md uses them) ----------------------------------
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output FUNCTION_APP_NAME string = api.outputs.name
output FUNCTION_APP_URL string = 'https://${api.outputs.defaultHostname}'
output FUNCTION_APP_IDENTITY_NAME string = identity.outputs.name
output FUNCTION_APP_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output FUNCTION_APP_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = appInsights.outputs.name
output PURVIEW_CHANGE_FEED_NAMESPACE_ID string = purviewChangeFeedEnabled ? changeFeed.outputs.namespaceResourceId : ''
