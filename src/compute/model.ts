import { sha256Hex, slug as sharedSlug } from '../core/names.ts';
import * as v from 'valibot';
import { jsonOf } from '../core/annotations.ts';
import type { KubeObject } from '../kube/index.ts';

// How Nova records live on Kubernetes objects: label and annotation names, the valibot
// readers for annotations (anything may have been edited with kubectl), and the wire
// shapes of the KubeVirt objects compute reads.

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED = { [MANAGED_BY]: 'dicot' } as const;

const P = 'compute.openstack.dicot.io/';

/** Labels (selectable). */
export const CL = {
  /** On every VM Dicot creates (and its template: so pods and VMIs carry it too). */
  server: `${P}server`,
  /** Keypair Secrets: the owning Keystone user id. */
  keypairUser: `${P}keypair-user`,
  keypair: `${P}keypair`,
  /** Server group membership, on the VM template (pod (anti)affinity selects on it). */
  serverGroup: `${P}server-group`,
  serverGroupObject: `${P}server-group-record`,
} as const;

/** Annotations. */
export const CA = {
  name: 'openstack.dicot.io/name',
  description: 'openstack.dicot.io/description',
  projectId: 'openstack.dicot.io/project-id',
  userId: 'openstack.dicot.io/user-id',
  // servers
  flavor: `${P}flavor`,
  image: `${P}image`,
  metadata: `${P}metadata`,
  keyName: `${P}key-name`,
  securityGroups: `${P}security-groups`,
  tags: `${P}tags`,
  createdBy: `${P}created-by-request`,
  availabilityZone: `${P}availability-zone`,
  diskConfig: `${P}disk-config`,
  configDrive: `${P}config-drive`,
  reservationId: `${P}reservation-id`,
  launchIndex: `${P}launch-index`,
  accessIPv4: `${P}access-ipv4`,
  accessIPv6: `${P}access-ipv6`,
  userData: `${P}user-data`,
  hostname: `${P}hostname`,
  lock: `${P}lock`,
  /** Nova states Kubernetes has no word for (shelved, resized, suspended...). */
  state: `${P}state`,
  /** The action in flight (Nova task_state) and what ends it. */
  task: `${P}task`,
  actions: `${P}actions`,
  /** On a VirtualMachineInstanceMigration: the request (and so the logged action) that made it. */
  requestId: `${P}request-id`,
  launchedAt: `${P}launched-at`,
  resizeFrom: `${P}resize-from`,
  /** The snapshot image shelve made (unshelve deletes it). */
  shelvedImage: `${P}shelved-image`,
  /** The ControllerRevision holding the flavor a resize left (revertResize after it is deleted). */
  resizeFromRevision: `${P}resize-from-revision`,
  serverGroups: `${P}server-groups`,
  // flavors
  flavorId: `${P}flavor-id`,
  disk: `${P}disk`,
  swap: `${P}swap`,
  ephemeral: `${P}ephemeral`,
  rxtxFactor: `${P}rxtx-factor`,
  isPublic: `${P}is-public`,
  extraSpecs: `${P}extra-specs`,
  access: `${P}access`,
  // keypairs
  keyType: `${P}key-type`,
  fingerprint: `${P}fingerprint`,
  // server groups
  policy: `${P}policy`,
  rules: `${P}rules`,
  members: `${P}members`,
} as const;

export type Annotations = Record<string, string>;
export const annotationsOf = (obj: KubeObject): Annotations => obj.metadata.annotations ?? {};

export { jsonOf };

export const StringMap = jsonOf(v.record(v.string(), v.string()), {} as Record<string, string>);
export const StringList = jsonOf(v.array(v.string()), [] as string[]);

/** A non-negative integer annotation, or `fallback`. */
export function intOf(s: string | undefined, fallback = 0): number {
  if (s === undefined || !/^\d+$/.test(s.trim())) return fallback;
  return Number(s);
}

/** A number annotation, or `fallback`. */
export function numberOf(s: string | undefined, fallback: number): number {
  const n = s === undefined ? Number.NaN : Number(s);
  return Number.isFinite(n) ? n : fallback;
}

export { quantityBytes } from '../kube/quantity.ts';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** A readable object name fragment from a server or flavor name. */
export const slug = (name: string, max = 40) => sharedSlug(name, max, 'server');

export { sha256Hex };

/** Nova's timestamps: `2013-09-23T13:37:00Z`. */
export const isoSeconds = (t: string | number | Date) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
/** Nova's `launched_at` style: no zone, microseconds. */
export const isoMicros = (t: string | number | Date) => new Date(t).toISOString().replace(/\.(\d+)Z$/, (_, ms: string) => `.${ms.padEnd(6, '0')}`);

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | null;
}

export interface VmVolume {
  name: string;
  dataVolume?: { name: string; hotpluggable?: boolean };
  persistentVolumeClaim?: { claimName: string; hotpluggable?: boolean };
  cloudInitNoCloud?: Record<string, unknown>;
  cloudInitConfigDrive?: Record<string, unknown>;
  containerDisk?: { image: string };
  [k: string]: unknown;
}

export interface VmiSpec {
  domain?: {
    devices?: {
      disks?: Record<string, unknown>[];
      interfaces?: { name: string; macAddress?: string; [k: string]: unknown }[];
      autoattachPodInterface?: boolean;
      [k: string]: unknown;
    };
    [k: string]: unknown;
  };
  volumes?: VmVolume[];
  networks?: { name: string; pod?: Record<string, unknown>; multus?: { networkName: string } }[];
  accessCredentials?: unknown[];
  nodeSelector?: Record<string, string>;
  affinity?: Record<string, unknown>;
  hostname?: string;
  [k: string]: unknown;
}

export interface DataVolumeTemplate {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** An owner reference to the VM: what it owns goes when the server is deleted. */
export const vmOwnerRef = (vm: VirtualMachine) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: vm.metadata.name ?? '', uid: vm.metadata.uid ?? '', blockOwnerDeletion: false });

export interface VirtualMachine extends KubeObject {
  spec: {
    runStrategy?: string;
    running?: boolean;
    instancetype?: { name: string; kind?: string; revisionName?: string };
    preference?: { name: string; kind?: string };
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: VmiSpec };
    dataVolumeTemplates?: DataVolumeTemplate[];
  };
  status?: {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    conditions?: Condition[];
    stateChangeRequests?: { action: string; uid?: string }[];
    runStrategy?: string;
    [k: string]: unknown;
  };
}

export interface VirtualMachineInstance extends KubeObject {
  spec: VmiSpec;
  status?: {
    phase?: string;
    nodeName?: string;
    reason?: string;
    conditions?: Condition[];
    interfaces?: { name?: string; ipAddress?: string; ipAddresses?: string[]; mac?: string }[];
    migrationState?: { completed?: boolean; failed?: boolean; sourceNode?: string; targetNode?: string };
    phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[];
    [k: string]: unknown;
  };
}

export interface Instancetype extends KubeObject {
  spec: {
    cpu: { guest: number; [k: string]: unknown };
    memory: { guest: string; [k: string]: unknown };
    [k: string]: unknown;
  };
}

export interface KubeSecret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface KubeNode extends KubeObject {
  spec?: { unschedulable?: boolean; podCIDR?: string; taints?: unknown[] };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
  };
}

export const findCondition = (conds: Condition[] | undefined, type: string) => conds?.find((c) => c.type === type);

export const b64encode = (bytes: Uint8Array) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
export const b64decode = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
export const encodeText = (s: string) => b64encode(new TextEncoder().encode(s));
export const decodeText = (s: string | undefined) => {
  if (s === undefined) return undefined;
  try {
    return new TextDecoder().decode(b64decode(s));
  } catch {
    return undefined;
  }
};
