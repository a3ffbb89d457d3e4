// The Purview change feed's Event Hub (docs/decisions/0901-purview-change-feed.md), deployed into the namespace's
// resource group. Purview publishes its Atlas notifications to the hub of its *Notification* Kafka configuration;
// accounts created after 2022-12-15 have no managed namespace, so the hub is yours: an existing namespace and hub
// (the one Purview's Notification configuration names), or a new Standard namespace with that hub made here.
// The Kafka configuration itself is set in Purview (Azure portal > Purview account > Kafka configuration): only one
// Notification configuration can exist per account, so the templates never overwrite it (docs/deploy.md).

@description('Event Hubs namespace name (existing, or to create).')
param namespaceName string

@description('True: create the namespace (Standard, 1 throughput unit, local auth off) and the hub.')
param createNamespace bool

@description('Region of a new namespace.')
param location string

@description('Tags of a new namespace.')
param tags object

@description('The hub Purview sends notifications to (created with a new namespace; must exist in an existing one).')
param hubName string

@description('The app\'s own consumer group on the hub (created here).')
param consumerGroup string

@description('Principal (object) id of the app\'s user-assigned identity: it reads the hub (Azure Event Hubs Data Receiver).')
param appPrincipalId string

@description('Object id of the identity Purview\'s Kafka configuration uses; empty = grant it yourself. Purview needs at least Contributor on the namespace.')
param purviewPrincipalId string = ''

var roles = loadJsonContent('roles.json')

resource newNamespace 'Microsoft.EventHub/namespaces@2024-01-01' = if (createNamespace) {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource newHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = if (createNamespace) {
  parent: newNamespace
  name: hubName
  properties: {
    partitionCount: 4
    messageRetentionInDays: 1
  }
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: namespaceName
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: namespace
  name: hubName
}

// The app reads with a consumer group of its own: another reader of the hub never takes its events.
resource appConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroup
  dependsOn: [
    newHub
  ]
}

resource appReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hub.id, appPrincipalId, roles.azureEventHubsDataReceiver)
  scope: hub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.azureEventHubsDataReceiver)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [
    newHub
  ]
}

// Purview's own identity sends to the hub; Purview asks for at least Contributor on the Event Hubs it is given.
resource purviewContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(purviewPrincipalId)) {
  name: guid(namespace.id, purviewPrincipalId, roles.contributor)
  scope: namespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.contributor)
    principalId: purviewPrincipalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [
    newNamespace
  ]
}

@description('Host name the app\'s identity-based connection uses (PURVIEW_CHANGE_FEED__fullyQualifiedNamespace).')
output fullyQualifiedNamespace string = '${namespaceName}.servicebus.windows.net'

@description('Resource id of the namespace, for Purview\'s Notification Kafka configuration.')
output namespaceResourceId string = namespace.id
