// Dicot's own CustomResourceDefinitions (networking's kinds and compute's Aggregate), the same
// objects as deploy/crds/*.yaml (a unit test checks they agree). Kept as data here so every
// runtime, Workers included, can register them.

import type { KubeObject } from '../kube/index.ts';

export const DICOT_CRDS: (KubeObject & { spec: Record<string, unknown> })[] = [
  {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {
      "name": "aggregates.openstack.dicot.io",
      "labels": {
        "app.kubernetes.io/managed-by": "dicot"
      }
    },
    "spec": {
      "group": "openstack.dicot.io",
      "scope": "Cluster",
      "names": {
        "kind": "Aggregate",
        "listKind": "AggregateList",
        "plural": "aggregates",
        "singular": "aggregate",
        "shortNames": [
          "osaggregate"
        ],
        "categories": [
          "openstack"
        ]
      },
      "versions": [
        {
          "name": "v1alpha1",
          "served": true,
          "storage": true,
          "subresources": {
            "status": {}
          },
          "additionalPrinterColumns": [
            {
              "name": "ID",
              "type": "integer",
              "jsonPath": ".spec.id"
            },
            {
              "name": "Name",
              "type": "string",
              "jsonPath": ".spec.name"
            },
            {
              "name": "Zone",
              "type": "string",
              "jsonPath": ".spec.metadata.availability_zone"
            },
            {
              "name": "Hosts",
              "type": "string",
              "jsonPath": ".spec.hosts"
            },
            {
              "name": "Age",
              "type": "date",
              "jsonPath": ".metadata.creationTimestamp"
            }
          ],
          "schema": {
            "openAPIV3Schema": {
              "type": "object",
              "description": "A Nova host aggregate; spec holds its Nova attributes (integer id, name, metadata with the availability zone, hosts = Node names, each Node labelled aggregate.openstack.dicot.io/<id>).",
              "properties": {
                "apiVersion": {
                  "type": "string"
                },
                "kind": {
                  "type": "string"
                },
                "metadata": {
                  "type": "object"
                },
                "spec": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                },
                "status": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                }
              }
            }
          }
        }
      ]
    }
  },
  {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {
      "name": "ipallocations.openstack.dicot.io",
      "labels": {
        "app.kubernetes.io/managed-by": "dicot"
      }
    },
    "spec": {
      "group": "openstack.dicot.io",
      "scope": "Namespaced",
      "names": {
        "kind": "IPAllocation",
        "listKind": "IPAllocationList",
        "plural": "ipallocations",
        "singular": "ipallocation",
        "shortNames": [
          "osip"
        ],
        "categories": [
          "openstack"
        ]
      },
      "versions": [
        {
          "name": "v1alpha1",
          "served": true,
          "storage": true,
          "subresources": {
            "status": {}
          },
          "additionalPrinterColumns": [
            {
              "name": "Address",
              "type": "string",
              "jsonPath": ".spec.address"
            },
            {
              "name": "Port",
              "type": "string",
              "jsonPath": ".spec.port_id"
            },
            {
              "name": "Age",
              "type": "date",
              "jsonPath": ".metadata.creationTimestamp"
            }
          ],
          "schema": {
            "openAPIV3Schema": {
              "type": "object",
              "description": "One address taken on one subnet; its name derives from the subnet and the address, so two claims of the same address collide (409).",
              "properties": {
                "apiVersion": {
                  "type": "string"
                },
                "kind": {
                  "type": "string"
                },
                "metadata": {
                  "type": "object"
                },
                "spec": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                },
                "status": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                }
              }
            }
          }
        }
      ]
    }
  },
  {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {
      "name": "ports.openstack.dicot.io",
      "labels": {
        "app.kubernetes.io/managed-by": "dicot"
      }
    },
    "spec": {
      "group": "openstack.dicot.io",
      "scope": "Namespaced",
      "names": {
        "kind": "Port",
        "listKind": "PortList",
        "plural": "ports",
        "singular": "port",
        "shortNames": [
          "osport"
        ],
        "categories": [
          "openstack"
        ]
      },
      "versions": [
        {
          "name": "v1alpha1",
          "served": true,
          "storage": true,
          "subresources": {
            "status": {}
          },
          "additionalPrinterColumns": [
            {
              "name": "MAC",
              "type": "string",
              "jsonPath": ".spec.mac_address"
            },
            {
              "name": "Device",
              "type": "string",
              "jsonPath": ".spec.device_id"
            },
            {
              "name": "Status",
              "type": "string",
              "jsonPath": ".status.status"
            },
            {
              "name": "Age",
              "type": "date",
              "jsonPath": ".metadata.creationTimestamp"
            }
          ],
          "schema": {
            "openAPIV3Schema": {
              "type": "object",
              "description": "A Neutron port, an interface of a VM or a router on a network; spec holds its Neutron attributes.",
              "properties": {
                "apiVersion": {
                  "type": "string"
                },
                "kind": {
                  "type": "string"
                },
                "metadata": {
                  "type": "object"
                },
                "spec": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                },
                "status": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                }
              }
            }
          }
        }
      ]
    }
  },
  {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {
      "name": "routers.openstack.dicot.io",
      "labels": {
        "app.kubernetes.io/managed-by": "dicot"
      }
    },
    "spec": {
      "group": "openstack.dicot.io",
      "scope": "Namespaced",
      "names": {
        "kind": "Router",
        "listKind": "RouterList",
        "plural": "routers",
        "singular": "router",
        "shortNames": [
          "osrouter"
        ],
        "categories": [
          "openstack"
        ]
      },
      "versions": [
        {
          "name": "v1alpha1",
          "served": true,
          "storage": true,
          "subresources": {
            "status": {}
          },
          "additionalPrinterColumns": [
            {
              "name": "Gateway",
              "type": "string",
              "jsonPath": ".spec.external_gateway_info.network_id"
            },
            {
              "name": "Age",
              "type": "date",
              "jsonPath": ".metadata.creationTimestamp"
            }
          ],
          "schema": {
            "openAPIV3Schema": {
              "type": "object",
              "description": "A Neutron router, recorded (Kubernetes has no router between tenant networks); spec holds its Neutron attributes.",
              "properties": {
                "apiVersion": {
                  "type": "string"
                },
                "kind": {
                  "type": "string"
                },
                "metadata": {
                  "type": "object"
                },
                "spec": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                },
                "status": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                }
              }
            }
          }
        }
      ]
    }
  },
  {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {
      "name": "subnetpools.openstack.dicot.io",
      "labels": {
        "app.kubernetes.io/managed-by": "dicot"
      }
    },
    "spec": {
      "group": "openstack.dicot.io",
      "scope": "Namespaced",
      "names": {
        "kind": "SubnetPool",
        "listKind": "SubnetPoolList",
        "plural": "subnetpools",
        "singular": "subnetpool",
        "shortNames": [
          "ossubnetpool"
        ],
        "categories": [
          "openstack"
        ]
      },
      "versions": [
        {
          "name": "v1alpha1",
          "served": true,
          "storage": true,
          "subresources": {
            "status": {}
          },
          "additionalPrinterColumns": [
            {
              "name": "Prefixes",
              "type": "string",
              "jsonPath": ".spec.prefixes"
            },
            {
              "name": "Age",
              "type": "date",
              "jsonPath": ".metadata.creationTimestamp"
            }
          ],
          "schema": {
            "openAPIV3Schema": {
              "type": "object",
              "description": "A Neutron subnet pool, the prefixes subnets take their CIDRs from; spec holds its Neutron attributes.",
              "properties": {
                "apiVersion": {
                  "type": "string"
                },
                "kind": {
                  "type": "string"
                },
                "metadata": {
                  "type": "object"
                },
                "spec": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                },
                "status": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                }
              }
            }
          }
        }
      ]
    }
  },
  {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {
      "name": "subnets.openstack.dicot.io",
      "labels": {
        "app.kubernetes.io/managed-by": "dicot"
      }
    },
    "spec": {
      "group": "openstack.dicot.io",
      "scope": "Namespaced",
      "names": {
        "kind": "Subnet",
        "listKind": "SubnetList",
        "plural": "subnets",
        "singular": "subnet",
        "shortNames": [
          "ossubnet"
        ],
        "categories": [
          "openstack"
        ]
      },
      "versions": [
        {
          "name": "v1alpha1",
          "served": true,
          "storage": true,
          "subresources": {
            "status": {}
          },
          "additionalPrinterColumns": [
            {
              "name": "CIDR",
              "type": "string",
              "jsonPath": ".spec.cidr"
            },
            {
              "name": "Network",
              "type": "string",
              "jsonPath": ".spec.network_id"
            },
            {
              "name": "Age",
              "type": "date",
              "jsonPath": ".metadata.creationTimestamp"
            }
          ],
          "schema": {
            "openAPIV3Schema": {
              "type": "object",
              "description": "A Neutron subnet of a network (a NetworkAttachmentDefinition or the pod network); spec holds its Neutron attributes.",
              "properties": {
                "apiVersion": {
                  "type": "string"
                },
                "kind": {
                  "type": "string"
                },
                "metadata": {
                  "type": "object"
                },
                "spec": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                },
                "status": {
                  "type": "object",
                  "x-kubernetes-preserve-unknown-fields": true
                }
              }
            }
          }
        }
      ]
    }
  }
];
