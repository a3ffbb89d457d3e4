// Access to an existing Data Factory (F12/F13 and POST /api/adf/pipelines), deployed into the factory's own
// resource group. The app's identity writes pipelines, datasets, linked services and triggers and starts runs:
// Data Factory Contributor on the factory alone, not on its resource group.

@description('Name of the existing factory.')
param dataFactoryName string

@description('Principal (object) id of the app\'s user-assigned identity.')
param appPrincipalId string

@description('False when the app calls Data Factory as a service principal (DATA_FACTORY_CLIENT_ID); grant that one yourself.')
param grantAppContributor bool = true

var roles = loadJsonContent('roles.json')

resource factory 'Microsoft.DataFactory/factories@2018-06-01' existing = {
  name: dataFactoryName
}

resource appContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantAppContributor) {
  name: guid(factory.id, appPrincipalId, roles.dataFactoryContributor)
  scope: factory
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.dataFactoryContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Generated linked services authenticate as the factory's system-assigned identity (docs/adf.md), which must exist.
@description('Principal id of the factory\'s system-assigned identity: it reads the CluedIn token from Key Vault.')
output principalId string = factory.identity.principalId
