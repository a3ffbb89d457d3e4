// Optional private networking (vnetEnabled), as in the Azure-Samples Flex Consumption quickstarts: the app joins
// a virtual network (regional VNet integration on a subnet delegated to Microsoft.App/environments, which Flex
// Consumption requires), and storage (blob for the deployment package, queue and table for the app's state and
// work) and Key Vault are reached through private endpoints resolved by private DNS zones linked to the network.
// The services' public network access is then disabled by main.bicep.

@description('Name prefix of the network resources.')
param name string

@description('Location of the network resources.')
param location string

@description('Tags of the network resources.')
param tags object

@description('Address space of the virtual network.')
param addressPrefix string = '10.0.0.0/16'

@description('Subnet for the Function app\'s outbound traffic (VNet integration).')
param appSubnetPrefix string = '10.0.1.0/24'

@description('Subnet holding the private endpoints.')
param endpointSubnetPrefix string = '10.0.2.0/24'

@description('Storage account reached through private endpoints (blob, queue, table).')
param storageAccountName string

@description('Key Vault reached through a private endpoint.')
param keyVaultName string

var storageSuffix = environment().suffixes.storage
var storageServices = ['blob', 'queue', 'table']
var vaultZone = 'privatelink.vaultcore.azure.net'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: '${name}-vnet'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [addressPrefix]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: endpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource storageZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for service in storageServices: {
  name: 'privatelink.${service}.${storageSuffix}'
  location: 'global'
  tags: tags
}]

resource storageZoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (service, i) in storageServices: {
  parent: storageZones[i]
  name: '${name}-${service}-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}]

resource storageEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for (service, i) in storageServices: {
  name: '${name}-${service}-pe'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: vnet.properties.subnets[1].id
    }
    privateLinkServiceConnections: [
      {
        name: '${name}-${service}'
        properties: {
          privateLinkServiceId: storage.id
          groupIds: [service]
        }
      }
    ]
  }
}]

resource storageEndpointZones 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [for (service, i) in storageServices: {
  parent: storageEndpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: service
        properties: {
          privateDnsZoneId: storageZones[i].id
        }
      }
    ]
  }
}]

resource vaultZoneResource 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: vaultZone
  location: 'global'
  tags: tags
}

resource vaultZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: vaultZoneResource
  name: '${name}-vault-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

resource vaultEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: '${name}-vault-pe'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: vnet.properties.subnets[1].id
    }
    privateLinkServiceConnections: [
      {
        name: '${name}-vault'
        properties: {
          privateLinkServiceId: vault.id
          groupIds: ['vault']
        }
      }
    ]
  }
}

resource vaultEndpointZone 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: vaultEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'vault'
        properties: {
          privateDnsZoneId: vaultZoneResource.id
        }
      }
    ]
  }
}

@description('Subnet the Function app integrates with.')
output appSubnetId string = vnet.properties.subnets[0].id

@description('Name of the virtual network.')
output vnetName string = vnet.name
