// The fields of KubeVirt, CDI and core objects the simulated controllers read and write.
// Loose on purpose: everything else passes through untouched.

import type { KubeObject } from '../../kube/index.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

export type Json = Record<string, unknown>;

export interface StateChangeRequest {
  action: 'Start' | 'Stop';
  uid?: string;
  data?: Record<string, string>;
}

export interface VmiSpec extends Json {
  domain?: Json & {
    cpu?: Json & { cores?: number; sockets?: number; threads?: number };
    memory?: Json & { guest?: string };
    resources?: Json & { requests?: Record<string, string>; limits?: Record<string, string> };
    devices?: Json & { disks?: Json[]; interfaces?: (Json & { name: string; macAddress?: string })[] };
  };
  volumes?: (Json & {
    name: string;
    dataVolume?: { name: string; hotpluggable?: boolean };
    persistentVolumeClaim?: { claimName: string; hotpluggable?: boolean };
  })[];
  networks?: (Json & { name: string; pod?: Json; multus?: { networkName: string; default?: boolean } })[];
  nodeSelector?: Record<string, string>;
  affinity?: Json;
  startStrategy?: string;
  terminationGracePeriodSeconds?: number;
}

export interface VirtualMachine extends KubeObject {
  spec: {
    running?: boolean;
    runStrategy?: string;
    instancetype?: { name: string; kind?: string; revisionName?: string };
    preference?: { name: string; kind?: string };
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: VmiSpec };
    dataVolumeTemplates?: { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Json }[];
  };
  status?: Json & {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    conditions?: Condition[];
    stateChangeRequests?: StateChangeRequest[];
    runStrategy?: string;
  };
}

export interface MigrationState extends Json {
  sourceNode?: string;
  targetNode?: string;
  completed?: boolean;
  failed?: boolean;
  migrationUid?: string;
}

export interface VirtualMachineInstance extends KubeObject {
  spec: VmiSpec;
  status?: Json & {
    phase?: string;
    nodeName?: string;
    reason?: string;
    conditions?: Condition[];
    interfaces?: (Json & { name?: string; ipAddress?: string; ipAddresses?: string[]; mac?: string })[];
    migrationState?: MigrationState;
    volumeStatus?: Json[];
  };
}

export interface Migration extends KubeObject {
  spec: { vmiName: string; addedNodeSelector?: Record<string, string> };
  status?: Json & { phase?: string; migrationState?: MigrationState; conditions?: Condition[] };
}

export interface DataVolume extends KubeObject {
  spec: {
    source?: {
      http?: { url: string };
      registry?: { url?: string };
      blank?: Json;
      upload?: Json;
      pvc?: { namespace?: string; name: string };
      snapshot?: { namespace?: string; name: string };
      [k: string]: unknown;
    };
    sourceRef?: { kind: string; namespace?: string; name: string };
    storage?: Json & { storageClassName?: string; accessModes?: string[]; volumeMode?: string; resources?: { requests?: { storage?: string } } };
    pvc?: Json & { storageClassName?: string; accessModes?: string[]; volumeMode?: string; resources?: { requests?: { storage?: string } } };
    contentType?: string;
  };
  status?: Json & { phase?: string; progress?: string; claimName?: string; conditions?: Condition[]; restartCount?: number };
}

export interface Pvc extends KubeObject {
  spec: Json & {
    storageClassName?: string;
    volumeName?: string;
    accessModes?: string[];
    volumeMode?: string;
    resources?: { requests?: { storage?: string } };
  };
  status?: Json & { phase?: string; capacity?: { storage?: string } };
}
