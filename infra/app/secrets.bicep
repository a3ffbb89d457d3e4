// Optional secret values handed to the deployment as secure parameters. An empty parameter leaves the vault as it
// is, so redeploying without secrets never blanks or overwrites a secret an operator put in by hand
// (`az keyvault secret set`, docs/deploy.md). Nothing here ever gives a secret value a default.

@description('Key Vault (RBAC mode) of the app.')
param keyVaultName string

@secure()
@description('Secret of the Purview service principal; empty = unchanged.')
param purviewClientSecret string = ''

@secure()
@description('Password of the CluedIn service account; empty = unchanged.')
param cluedinPassword string = ''

@secure()
@description('CluedIn API token the app uses; empty = unchanged.')
param cluedinApiToken string = ''

@secure()
@description('Secret of the Data Factory service principal; empty = unchanged.')
param dataFactoryClientSecret string = ''

@secure()
@description('CluedIn API token for generated pipelines; stored as "Bearer <token>"; empty = unchanged.')
param cluedinIngestionToken string = ''

@description('Name of the secret generated pipelines read (DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME).')
param ingestionTokenSecretName string

@description('Resource id of the factory whose identity reads that secret; empty = no factory.')
param dataFactoryResourceId string = ''

@description('Principal id of the factory\'s system-assigned identity; empty = no factory.')
param dataFactoryPrincipalId string = ''

@description('Days a secret set by this deployment stays valid (Key Vault refuses to serve it afterwards: rotate by setting it again).')
param secretLifetimeDays int = 365

@description('Deployment time (a parameter only so that utcNow() may be used).')
param deployedAt string = utcNow()

var names = loadJsonContent('secret-names.json')
// Every secret states what it holds and when it expires (checkov CKV_AZURE_114, CKV_AZURE_41): secret.bicep.
var expiresAt = dateTimeToEpoch(dateTimeAdd(deployedAt, 'P${secretLifetimeDays}D'))
var roles = loadJsonContent('roles.json')

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

module purviewClientSecretValue 'secret.bicep' = if (!empty(purviewClientSecret)) {
  name: 'purviewClientSecretValue'
  params: {
    keyVaultName: keyVaultName
    name: names.purviewClientSecret
    value: purviewClientSecret
    expiresAt: expiresAt
  }
}

module cluedinPasswordValue 'secret.bicep' = if (!empty(cluedinPassword)) {
  name: 'cluedinPasswordValue'
  params: {
    keyVaultName: keyVaultName
    name: names.cluedinPassword
    value: cluedinPassword
    expiresAt: expiresAt
  }
}

module cluedinApiTokenValue 'secret.bicep' = if (!empty(cluedinApiToken)) {
  name: 'cluedinApiTokenValue'
  params: {
    keyVaultName: keyVaultName
    name: names.cluedinApiToken
    value: cluedinApiToken
    expiresAt: expiresAt
  }
}

module dataFactoryClientSecretValue 'secret.bicep' = if (!empty(dataFactoryClientSecret)) {
  name: 'dataFactoryClientSecretValue'
  params: {
    keyVaultName: keyVaultName
    name: names.dataFactoryClientSecret
    value: dataFactoryClientSecret
    expiresAt: expiresAt
  }
}

// ADF sends a header value verbatim, so the secret holds the whole value (docs/decisions/0601).
module ingestionTokenValue 'secret.bicep' = if (!empty(cluedinIngestionToken)) {
  name: 'ingestionTokenValue'
  params: {
    keyVaultName: keyVaultName
    name: ingestionTokenSecretName
    value: startsWith(cluedinIngestionToken, 'Bearer ') ? cluedinIngestionToken : 'Bearer ${cluedinIngestionToken}'
    expiresAt: expiresAt
  }
}

resource ingestionTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: ingestionTokenSecretName
}

// The factory may read this one secret, not the vault: anyone who can author pipelines in the factory can make
// its identity read whatever that identity may read, and the vault also holds the app's own credentials.
resource ingestionTokenReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(cluedinIngestionToken) && !empty(dataFactoryPrincipalId)) {
  name: guid(vault.id, ingestionTokenSecretName, dataFactoryResourceId, roles.keyVaultSecretsUser)
  scope: ingestionTokenSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: dataFactoryPrincipalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [
    ingestionTokenValue
  ]
}
