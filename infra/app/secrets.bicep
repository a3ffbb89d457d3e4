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

var names = loadJsonContent('secret-names.json')
var roles = loadJsonContent('roles.json')

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource purviewClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(purviewClientSecret)) {
  parent: vault
  name: names.purviewClientSecret
  properties: {
    value: purviewClientSecret
  }
}

resource cluedinPasswordValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(cluedinPassword)) {
  parent: vault
  name: names.cluedinPassword
  properties: {
    value: cluedinPassword
  }
}

resource cluedinApiTokenValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(cluedinApiToken)) {
  parent: vault
  name: names.cluedinApiToken
  properties: {
    value: cluedinApiToken
  }
}

resource dataFactoryClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(dataFactoryClientSecret)) {
  parent: vault
  name: names.dataFactoryClientSecret
  properties: {
    value: dataFactoryClientSecret
  }
}

// ADF sends a header value verbatim, so the secret holds the whole value (docs/decisions/0601).
resource ingestionTokenValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(cluedinIngestionToken)) {
  parent: vault
  name: ingestionTokenSecretName
  properties: {
    value: startsWith(cluedinIngestionToken, 'Bearer ') ? cluedinIngestionToken : 'Bearer ${cluedinIngestionToken}'
  }
}

// The factory may read this one secret, not the vault: anyone who can author pipelines in the factory can make
// its identity read whatever that identity may read, and the vault also holds the app's own credentials.
resource ingestionTokenReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(cluedinIngestionToken) && !empty(dataFactoryPrincipalId)) {
  name: guid(vault.id, ingestionTokenSecretName, dataFactoryResourceId, roles.keyVaultSecretsUser)
  scope: ingestionTokenValue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: dataFactoryPrincipalId
    principalType: 'ServicePrincipal'
  }
}
