#!/usr/bin/env bash
# AKS cluster with the seed's node pools (system, apps, gpu), workload identity, the Key Vault CSI
# driver and the Application Gateway ingress controller. Run once with the Azure CLI logged in:
#   RESOURCE_GROUP=aic-platform LOCATION=westeurope bash k8s/overlays/azure/cluster/aks-cluster.sh
# The node labels are what the manifests select on (aic.io/node-pool).
set -euo pipefail
: "${RESOURCE_GROUP:?set RESOURCE_GROUP}" "${LOCATION:?set LOCATION}"
CLUSTER="${CLUSTER:-aic-platform}"

az group create --name "$RESOURCE_GROUP" --location "$LOCATION" --output none
az aks create --resource-group "$RESOURCE_GROUP" --name "$CLUSTER" --location "$LOCATION" \
  --kubernetes-version 1.31 --tier standard --zones 1 2 3 \
  --network-plugin azure --network-policy azure \
  --enable-oidc-issuer --enable-workload-identity \
  --enable-addons azure-keyvault-secrets-provider,ingress-appgw \
  --appgw-name "${CLUSTER}-appgw" --appgw-subnet-cidr 10.225.0.0/16 \
  --nodepool-name system --node-vm-size Standard_D2s_v5 --node-count 3 \
  --nodepool-labels aic.io/node-pool=system \
  --generate-ssh-keys --output none
az aks nodepool add --resource-group "$RESOURCE_GROUP" --cluster-name "$CLUSTER" --name apps \
  --node-vm-size Standard_D4s_v5 --zones 1 2 3 --enable-cluster-autoscaler --min-count 3 --max-count 10 \
  --labels aic.io/node-pool=apps --output none
az aks nodepool add --resource-group "$RESOURCE_GROUP" --cluster-name "$CLUSTER" --name gpu \
  --node-vm-size Standard_NC4as_T4_v3 --enable-cluster-autoscaler --min-count 1 --max-count 4 \
  --labels aic.io/node-pool=gpu --node-taints nvidia.com/gpu=present:NoSchedule --output none
echo "cluster $CLUSTER ready: install the NVIDIA device plugin, Istio and the platform (docs/operations.md)"
