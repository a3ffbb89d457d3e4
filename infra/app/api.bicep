// The Function app on Flex Consumption. The runtime lives in functionAppConfig, never in FUNCTIONS_WORKER_RUNTIME or
// FUNCTIONS_EXTENSION_VERSION app settings (Flex rejects or ignores those); the code is deployed as a package to a
// blob container that the app reads with its user-assigned identity, like the host storage itself.

@description('Function app name.')
param name string

@description('Region of the app.')
param location string

@description('Tags of the environment; the app also gets azd-service-name so `azd deploy` finds it.')
param tags object

@description('Resource id of the Flex Consumption (FC1) plan.')
param planResourceId string

@description('Storage account of the host, the state tables, the work queues and the deployment package.')
param storageAccountName string

@description('Blob container that receives the deployment package.')
param deploymentContainerName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Client id of that identity (identity-based storage, Key Vault references, telemetry, service calls).')
param identityClientId string

@description('Application Insights resource that receives the telemetry (local authentication disabled).')
param appInsightsName string

@description('Memory of each instance, in MB.')
param instanceMemoryMB int

@description('Most instances the app may scale out to.')
param maximumInstanceCount int

@description('Whether the Purview change feed function runs; its Event Hub connection then uses the app\'s identity.')
param purviewChangeFeedEnabled bool

@description('The sync settings (the settings groups (sync/core/settings.py, sync/services/*/settings.py, sync/features/*/settings.py)), secrets already turned into Key Vault references.')
param appSettings object

@description('Subnet for regional VNet integration (vnetEnabled); empty = no VNet integration.')
param virtualNetworkSubnetId string = ''

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Settings of the platform and the host, not of the app's own model. The account-name form of identity-based
// storage serves the host (timers, queue triggers, keys) and the app's own table and queue clients alike
// (sync/core/storage.py builds its endpoints from the account name). The worker sends telemetry itself through
// OpenTelemetry, so custom dimensions of the app's structured events reach Application Insights; it collects
// the `sync` logger tree only, which keeps SDK and exporter chatter out.
var platformSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY: 'true'
  PYTHON_APPLICATIONINSIGHTS_LOGGER_NAME: 'sync'
}

// The change feed's Event Hub trigger connects like the host storage: the user-assigned identity (connection
// PURVIEW_CHANGE_FEED; its namespace is a sync setting). Off, the function is disabled: it has no hub to read.
var changeFeedConnection = purviewChangeFeedEnabled ? {
  PURVIEW_CHANGE_FEED__credential: 'managedidentity'
  PURVIEW_CHANGE_FEED__clientId: identityClientId
} : {}
var functionStates = {
  'AzureWebJobs.purview_change_feed.Disabled': purviewChangeFeedEnabled ? 'false' : 'true'
}

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: 'site'
  params: {
    name: name
    kind: 'functionapp,linux'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    serverFarmResourceId: planResourceId
    clientAffinityEnabled: false
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [
        identityResourceId
      ]
    }
    keyVaultAccessIdentityResourceId: identityResourceId
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
    siteConfig: {
      alwaysOn: false
    }
    appSettingsKeyValuePairs: union(appSettings, platformSettings, changeFeedConnection, functionStates)
  }
}

output name string = site.outputs.name
output defaultHostname string = site.outputs.defaultHostname
