// The objects a freshly installed KubeVirt + CDI cluster has: nodes in two zones, storage
// classes, a snapshot class, CDI's config, the common instancetypes and preferences.

import { AlreadyExistsError, type KubeClient, type KubeObject, R, type ResourceType } from '../../kube/index.ts';
import { clusterInstancetypes } from './seed-data/cluster-instancetypes.ts';
import { clusterPreferences } from './seed-data/cluster-preferences.ts';

export const CSI_DRIVER = 'csi.sandbox.dicot.io';
export const UPLOAD_PROXY_URL = 'https://cdi-uploadproxy.cdi.svc';

const NODES: [string, string, number][] = [
  ['sandbox-node-1', 'zone-a', 1],
  ['sandbox-node-2', 'zone-a', 2],
  ['sandbox-node-3', 'zone-b', 3],
];

function node(name: string, zone: string, n: number, readySince: string): KubeObject & { status: object; spec: object } {
  const resources = { cpu: '32', memory: '131072Mi', pods: '110', 'ephemeral-storage': '500Gi', 'devices.kubevirt.io/kvm': '1k' };
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/region': 'sandbox',
        'topology.kubernetes.io/zone': zone,
        'kubevirt.io/schedulable': 'true',
        'cpu-model.node.kubevirt.io/host-model': 'true',
      },
    },
    spec: { podCIDR: `10.244.${n}.0/24`, podCIDRs: [`10.244.${n}.0/24`], providerID: `sandbox://${name}` },
    status: {
      capacity: resources,
      allocatable: { ...resources, memory: '130048Mi' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: readySince, lastTransitionTime: readySince }],
      addresses: [
        { type: 'InternalIP', address: `172.18.0.${n + 1}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'containerd://2.0.0', osImage: 'Sandbox Linux', kernelVersion: '6.12.0' },
    },
  };
}

const storageClass = (name: string, isDefault: boolean) => ({
  metadata: { name, annotations: { 'storageclass.kubernetes.io/is-default-class': String(isDefault) } },
  provisioner: CSI_DRIVER,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
  allowVolumeExpansion: true,
  parameters: { tier: name },
});

/** Creates what is missing; existing objects are left as they are (idempotent). */
export async function seedCluster(client: KubeClient): Promise<void> {
  const ensure = async <T extends KubeObject>(type: ResourceType, obj: T, status?: object) => {
    try {
      await client.create(type, obj);
    } catch (e) {
      if (e instanceof AlreadyExistsError) return;
      throw e;
    }
    if (status) await client.patchStatus(type, obj.metadata.name!, { status }, { namespace: obj.metadata.namespace, type: 'merge' });
  };
  for (const ns of ['kube-system', 'default', 'kubevirt', 'cdi', 'dicot-system']) await ensure(R.namespaces, { metadata: { name: ns } });
  // The kubelets became Ready when the cluster was made.
  const readySince = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const [name, zone, n] of NODES) {
    const n1 = node(name, zone, n, readySince);
    await ensure(R.nodes, n1, n1.status as object);
  }
  await ensure(R.storageClasses, storageClass('standard', true));
  await ensure(R.storageClasses, storageClass('fast', false));
  await ensure(R.volumeSnapshotClasses, {
    metadata: { name: 'standard-snapshot', annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } },
    driver: CSI_DRIVER,
    deletionPolicy: 'Delete',
  });
  // The CDIConfig CRD has no status subresource: its status is written with the object.
  await ensure(R.cdiConfigs, { metadata: { name: 'config' }, spec: {}, status: {
    uploadProxyURL: UPLOAD_PROXY_URL,
    scratchSpaceStorageClass: 'standard',
    defaultPodResourceRequirements: { limits: { cpu: '750m', memory: '600M' }, requests: { cpu: '100m', memory: '60M' } },
    filesystemOverhead: { global: '0.055', storageClass: { standard: '0.055', fast: '0.055' } },
    importProxy: {},
  } });
  for (const it of clusterInstancetypes) await ensure(R.clusterInstancetypes, it);
  for (const p of clusterPreferences) await ensure(R.clusterPreferences, p);
}
