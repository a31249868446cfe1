import * as v from 'valibot';
import type { BootImage } from './images.ts';
import {
  CA,
  CL,
  type DataVolumeTemplate,
  GiB,
  type KubeSecret,
  MANAGED,
  StringList,
  StringMap,
  type VirtualMachine,
  type VirtualMachineInstance,
  type VmVolume,
  type VmiSpec,
  annotationsOf,
  intOf,
  jsonOf,
} from './model.ts';
import { ATTACH_CLAIMS, ATTACH_DELETE } from '../volume/model.ts';
import { type NovaState, novaState, readTask } from './status.ts';

// A Nova server is a VirtualMachine (+ its VMI). Pure mapping both ways: VM → server record,
// create request → VM and its cloud-init Secrets.

export const POD_NETWORK = 'pod-network';
export const ROOT_VOLUME = 'rootdisk';
export const CLOUDINIT_VOLUME = 'cloudinitdisk';

export interface Address {
  addr: string;
  version: 4 | 6;
  mac: string | undefined;
}

export interface LockInfo {
  locked: boolean;
  reason: string | null;
  /** 'admin' when an admin (not the owner) locked it. */
  by: 'owner' | 'admin' | null;
}
const readLock = jsonOf<LockInfo>(
  v.object({ locked: v.boolean(), reason: v.nullable(v.string()), by: v.nullable(v.picklist(['owner', 'admin'])) }),
  { locked: false, reason: null, by: null },
);

export interface ServerRecord {
  id: string;
  name: string;
  namespace: string;
  object: string;
  projectId: string;
  userId: string;
  created: string;
  updated: string;
  flavorId: string;
  imageId: string;
  metadata: Record<string, string>;
  keyName: string | null;
  securityGroups: string[];
  tags: string[];
  description: string | null;
  requestedZone: string | null;
  node: string | null;
  addresses: Address[];
  networksNone: boolean;
  diskConfig: string;
  configDrive: string;
  reservationId: string;
  launchIndex: number;
  accessIPv4: string;
  accessIPv6: string;
  userData: string | null;
  hostname: string;
  lock: LockInfo;
  state: NovaState;
  launchedAt: string | null;
  volumesAttached: { id: string; deleteOnTermination: boolean }[];
  serverGroups: string[];
  rootDataVolume: string | undefined;
  vm: VirtualMachine;
  vmi: VirtualMachineInstance | undefined;
}

/** Nova id of a VM: its uid. */
export const serverIdOf = (vm: VirtualMachine) => vm.metadata.uid ?? '';

function latest(...times: (string | null | undefined)[]): string {
  const ms = times.filter((t): t is string => !!t).map((t) => Date.parse(t)).filter((n) => Number.isFinite(n));
  return new Date(ms.length ? Math.max(...ms) : 0).toISOString();
}

/** Cinder volumes in the VM (ids Dicot recorded per claim), else the hotplugged claims. */
function volumesAttached(volumes: VmVolume[], hotplugged: VmVolume[], ids: Record<string, string>, deleted: Record<string, string>): { id: string; deleteOnTermination: boolean }[] {
  const claimOf = (x: VmVolume) => x.dataVolume?.name ?? x.persistentVolumeClaim?.claimName ?? x.name;
  const known = volumes.filter((x) => ids[claimOf(x)] !== undefined);
  const others = hotplugged.filter((x) => ids[claimOf(x)] === undefined);
  const withId = (id: string) => ({ id, deleteOnTermination: deleted[id] === 'true' });
  return [...known.map((x) => withId(ids[claimOf(x)] as string)), ...others.map((x) => withId(claimOf(x)))];
}

/** Pure: VM (+ VMI) → server record. */
export function toServer(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): ServerRecord {
  const a = annotationsOf(vm);
  const spec = vm.spec.template?.spec ?? {};
  const state = novaState(vm, vmi);
  const running = vmi?.status?.phaseTransitionTimestamps?.filter((t) => t.phase === 'Running').map((t) => t.phaseTransitionTimestamp) ?? [];
  const ifaces = vmi?.status?.interfaces ?? [];
  const podNet = (spec.networks ?? []).find((n) => n.pod);
  const addresses: Address[] = [];
  for (const i of ifaces) {
    // Only the pod interface: Multus interfaces show their ports' addresses (network service).
    if (!podNet || i.name !== podNet.name) continue;
    for (const ip of i.ipAddresses ?? (i.ipAddress ? [i.ipAddress] : [])) {
      addresses.push({ addr: ip, version: ip.includes(':') ? 6 : 4, mac: i.mac?.toLowerCase() });
    }
  }
  const rootVol = (spec.volumes ?? []).find((x) => x.name === ROOT_VOLUME);
  const hotplugged = (spec.volumes ?? []).filter((x) => x.dataVolume?.hotpluggable || x.persistentVolumeClaim?.hotpluggable);
  const times = [vm.metadata.creationTimestamp, ...running, ...(vm.status?.conditions ?? []).map((c) => c.lastTransitionTime), readTask(a[CA.task])?.at];
  return {
    id: serverIdOf(vm),
    name: a[CA.name] ?? vm.metadata.name ?? '',
    namespace: vm.metadata.namespace ?? '',
    object: vm.metadata.name ?? '',
    projectId: a[CA.projectId] ?? '',
    userId: a[CA.userId] ?? '',
    created: vm.metadata.creationTimestamp ?? new Date(0).toISOString(),
    updated: latest(...times.map((t) => t ?? undefined)),
    flavorId: vm.spec.instancetype?.name ?? a[CA.flavor] ?? '',
    imageId: a[CA.image] ?? '',
    metadata: StringMap(a[CA.metadata]),
    keyName: a[CA.keyName] ?? null,
    // No record is Nova's default group; an empty one, a server whose groups were all removed.
    securityGroups: a[CA.securityGroups] === undefined ? ['default'] : StringList(a[CA.securityGroups]),
    tags: StringList(a[CA.tags]),
    description: a[CA.description] ?? null,
    requestedZone: a[CA.availabilityZone] ?? spec.nodeSelector?.['topology.kubernetes.io/zone'] ?? null,
    node: vmi?.status?.nodeName ?? null,
    addresses,
    networksNone: (spec.networks ?? []).length === 0,
    diskConfig: a[CA.diskConfig] ?? 'AUTO',
    configDrive: a[CA.configDrive] ?? '',
    reservationId: a[CA.reservationId] ?? '',
    launchIndex: intOf(a[CA.launchIndex]),
    accessIPv4: a[CA.accessIPv4] ?? '',
    accessIPv6: a[CA.accessIPv6] ?? '',
    userData: a[CA.userData] ?? null,
    hostname: a[CA.hostname] ?? spec.hostname ?? vm.metadata.name ?? '',
    lock: readLock(a[CA.lock]),
    state,
    launchedAt: running.length ? (running[running.length - 1] as string) : null,
    volumesAttached: volumesAttached(spec.volumes ?? [], hotplugged, StringMap(a[ATTACH_CLAIMS]), StringMap(a[ATTACH_DELETE])),
    serverGroups: StringList(a[CA.serverGroups]),
    rootDataVolume: rootVol?.dataVolume?.name,
    vm,
    vmi,
  };
}

// ---- create ----

export interface ServerCreate {
  name: string;
  /** VM object name (a readable slug made unique). */
  object: string;
  namespace: string;
  projectId: string;
  userId: string;
  requestId: string;
  flavorId: string;
  image: BootImage;
  rootDiskGiB: number;
  metadata: Record<string, string>;
  keyName: string | null;
  publicKey: string | null;
  userData: string | null;
  adminPass: string;
  networks: 'pod' | 'none';
  /** The pod interface's MAC address. */
  podMac: string;
  securityGroups: string[];
  zone: string | null;
  host: string | null;
  description: string | null;
  tags: string[];
  diskConfig: string;
  configDrive: boolean;
  reservationId: string;
  launchIndex: number;
  accessIPv4: string;
  accessIPv6: string;
  group: { id: string; policy: string } | null;
  /** Boot from volume: the root disk is this existing DataVolume/PVC (no disk of its own). */
  rootVolume?: string | undefined;
}

export const cloudInitSecretName = (object: string) => `${object}-cloudinit`;
export const sshSecretName = (object: string) => `${object}-ssh`;

/** DataVolume spec of a root disk made from an image. */
export function rootDiskSpec(image: BootImage, gib: number): Record<string, unknown> {
  const source = image.source.kind === 'pvc' ? { pvc: { namespace: image.source.namespace, name: image.source.name } } : { registry: { url: image.source.url } };
  return { source, storage: { resources: { requests: { storage: `${gib}Gi` } } } };
}

/** Root disk size: max(flavor disk, image min_disk, image size), at least 1 GiB. */
export const rootDiskGiB = (flavorDisk: number, image: BootImage) =>
  Math.max(1, flavorDisk, image.minDisk, Math.ceil((image.sizeBytes ?? 0) / GiB));

/** Pod (anti)affinity for a server group policy, on the group label. */
export function groupAffinity(groupId: string, policy: string): Record<string, unknown> | undefined {
  const term = { labelSelector: { matchLabels: { [CL.serverGroup]: groupId } }, topologyKey: 'kubernetes.io/hostname' };
  switch (policy) {
    case 'affinity':
      return { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    case 'anti-affinity':
      return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    case 'soft-affinity':
      return { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
    case 'soft-anti-affinity':
      return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
    default:
      return undefined;
  }
}

/** Pure: the VirtualMachine for a create request. */
export function buildVm(s: ServerCreate): VirtualMachine {
  const labels: Record<string, string> = { ...MANAGED, [CL.server]: 'true', ...(s.group ? { [CL.serverGroup]: s.group.id } : {}) };
  const rootDv: DataVolumeTemplate = { metadata: { name: `${s.object}-root`, labels: { ...MANAGED } }, spec: rootDiskSpec(s.image, s.rootDiskGiB) };
  const cloudInit = { secretRef: { name: cloudInitSecretName(s.object) } };
  const spec: VmiSpec = {
    domain: {
      devices: {
        disks: [
          { name: ROOT_VOLUME, disk: { bus: 'virtio' }, bootOrder: 1 },
          { name: CLOUDINIT_VOLUME, disk: { bus: 'virtio' } },
        ],
        interfaces: s.networks === 'pod' ? [{ name: 'default', masquerade: {}, macAddress: s.podMac }] : [],
        ...(s.networks === 'none' ? { autoattachPodInterface: false } : {}),
      },
    },
    networks: s.networks === 'pod' ? [{ name: 'default', pod: {} }] : [],
    hostname: s.object,
    volumes: [
      { name: ROOT_VOLUME, dataVolume: { name: s.rootVolume ?? rootDv.metadata.name } },
      { name: CLOUDINIT_VOLUME, ...(s.configDrive ? { cloudInitConfigDrive: cloudInit } : { cloudInitNoCloud: cloudInit }) },
    ],
    ...(s.publicKey ? { accessCredentials: sshAccessCredentials(s.object, s.configDrive) } : {}),
    ...(s.zone || s.host
      ? { nodeSelector: { ...(s.zone ? { 'topology.kubernetes.io/zone': s.zone } : {}), ...(s.host ? { 'kubernetes.io/hostname': s.host } : {}) } }
      : {}),
    ...(s.group && groupAffinity(s.group.id, s.group.policy) ? { affinity: groupAffinity(s.group.id, s.group.policy) } : {}),
  };
  const task = { name: 'spawning', until: 'running', at: new Date().toISOString(), requestId: s.requestId };
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: {
      name: s.object,
      namespace: s.namespace,
      labels,
      annotations: {
        [CA.name]: s.name,
        [CA.projectId]: s.projectId,
        [CA.userId]: s.userId,
        [CA.flavor]: s.flavorId,
        ...(s.image.id ? { [CA.image]: s.image.id } : {}),
        [CA.metadata]: JSON.stringify(s.metadata),
        [CA.createdBy]: s.requestId,
        [CA.securityGroups]: JSON.stringify(s.securityGroups),
        [CA.diskConfig]: s.diskConfig,
        [CA.configDrive]: s.configDrive ? 'True' : '',
        [CA.reservationId]: s.reservationId,
        [CA.launchIndex]: String(s.launchIndex),
        [CA.task]: JSON.stringify(task),
        [CA.hostname]: s.object,
        ...(s.keyName ? { [CA.keyName]: s.keyName } : {}),
        ...(s.userData ? { [CA.userData]: s.userData } : {}),
        ...(s.zone ? { [CA.availabilityZone]: s.zone } : {}),
        ...(s.description !== null ? { [CA.description]: s.description } : {}),
        ...(s.tags.length ? { [CA.tags]: JSON.stringify(s.tags) } : {}),
        ...(s.accessIPv4 ? { [CA.accessIPv4]: s.accessIPv4 } : {}),
        ...(s.accessIPv6 ? { [CA.accessIPv6]: s.accessIPv6 } : {}),
        ...(s.group ? { [CA.serverGroups]: JSON.stringify([s.group.id]) } : {}),
      },
    },
    spec: {
      runStrategy: 'Always',
      instancetype: { name: s.flavorId, kind: 'VirtualMachineClusterInstancetype' },
      dataVolumeTemplates: s.rootVolume ? [] : [rootDv],
      template: { metadata: { labels: { [CL.server]: 'true', ...(s.group ? { [CL.serverGroup]: s.group.id } : {}) } }, spec },
    },
  };
}

const ownerRef = (vm: VirtualMachine) => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachine',
  name: vm.metadata.name ?? '',
  uid: vm.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

/** cloud-init user data: the user's (base64, as Nova takes it), or an empty cloud-config. */
/** The cloud-init user data a server boots with: its own (base64), else an empty cloud-config. */
export const cloudInitUserData = (userData: string | null) => userData ?? btoa('#cloud-config\n');

export function cloudInitSecret(vm: VirtualMachine, s: ServerCreate): KubeSecret {
  const userData = cloudInitUserData(s.userData);
  return {
    metadata: {
      name: cloudInitSecretName(s.object),
      namespace: s.namespace,
      labels: { ...MANAGED },
      ownerReferences: [ownerRef(vm)],
    },
    type: 'Opaque',
    data: { userdata: userData },
  };
}

/** The VM's access credential: the key pair's public key from the server's ssh Secret, through cloud-init. */
export const sshAccessCredentials = (object: string, configDrive: boolean) => [
  {
    sshPublicKey: {
      source: { secret: { secretName: sshSecretName(object) } },
      propagationMethod: configDrive ? { configDrive: {} } : { noCloud: {} },
    },
  },
];

/** The Secret holding a server's public key, owned by its VM. */
export function sshKeySecret(vm: VirtualMachine, namespace: string, object: string, publicKey: string): KubeSecret {
  return {
    metadata: { name: sshSecretName(object), namespace, labels: { ...MANAGED }, ownerReferences: [ownerRef(vm)] },
    type: 'Opaque',
    data: { key: btoa(publicKey.trim()) },
  };
}

export function sshSecret(vm: VirtualMachine, s: ServerCreate): KubeSecret | undefined {
  return s.publicKey ? sshKeySecret(vm, s.namespace, s.object, s.publicKey) : undefined;
}
