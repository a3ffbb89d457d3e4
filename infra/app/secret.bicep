// One Key Vault secret, with its content type and an expiry date. secrets.bicep calls this module only for the
// values a deployment was given, so the condition sits on the module call and the resource here is plain (which
// is also what lets checkov see it: it does not look inside conditional resources).

@description('Key Vault (RBAC mode) of the app.')
param keyVaultName string

@description('Name of the secret.')
param name string

@secure()
@description('The secret\'s value.')
param value string

@description('Expiry (seconds since the epoch): Key Vault serves the secret no longer, so rotate it before.')
param expiresAt int

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: name
  properties: {
    contentType: 'text/plain'
    attributes: {
      enabled: true
      exp: expiresAt
    }
    value: value
  }
}

@description('Name of the secret written.')
output name string = secret.name
