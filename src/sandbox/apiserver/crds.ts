// CustomResourceDefinitions: turning a CRD object into served kinds, and the CRDs a cluster
// with KubeVirt, CDI, Multus and the CSI snapshotter installed has (compact table, expanded
// into real CRD objects at bootstrap so `kubectl get crd` shows them).

import type { KubeObject } from './object.ts';
import { API_APPROVED, type Column, type ResourceDef } from './resources.ts';

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: object };
  additionalPrinterColumns?: { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }[];
  selectableFields?: { jsonPath: string }[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { kind: string; plural: string; singular?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

const AGE: Column = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function defsFromCrd(crd: KubeObject): ResourceDef[] {
  const spec = crd.spec as CrdSpec | undefined;
  if (!spec?.group || !spec.names?.plural || !Array.isArray(spec.versions)) return [];
  return spec.versions
    .filter((v) => v.served !== false)
    .map((v) => {
      const printer = v.additionalPrinterColumns;
      const columns: Column[] = printer
        ? printer.map((c) => ({
            name: c.name,
            type: (['string', 'integer', 'number', 'boolean', 'date'].includes(c.type) ? c.type : 'string') as Column['type'],
            jsonPath: c.jsonPath,
            ...(c.priority ? { priority: c.priority } : {}),
            ...(c.description ? { description: c.description } : {}),
          }))
        : [AGE];
      const def: ResourceDef = {
        group: spec.group,
        version: v.name,
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        kind: spec.names.kind,
        namespaced: spec.scope !== 'Cluster',
        status: v.subresources?.status !== undefined,
        crd: true,
        columns,
      };
      if (spec.names.shortNames?.length) def.shortNames = spec.names.shortNames;
      if (spec.names.categories?.length) def.categories = spec.names.categories;
      return def;
    });
}

/** Status the apiextensions controller writes once names are accepted. */
export function establishedStatus(crd: KubeObject, now: string): Record<string, unknown> {
  const spec = crd.spec as CrdSpec;
  const cond = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: spec.names,
    storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}

type Seed = [
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: { short?: string[]; cluster?: boolean; status?: boolean; cols?: CrdVersion['additionalPrinterColumns']; all?: boolean },
];

const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const phase = { name: 'Phase', type: 'string', jsonPath: '.status.phase' };
const ready = (p: string) => ({ name: 'Ready', type: 'string', jsonPath: `${p}.conditions[?(@.type=='Ready')].status` });

const SEEDS: Seed[] = [
  ['kubevirt.io', 'v1', 'VirtualMachine', 'virtualmachines', {
    short: ['vm', 'vms'], status: true, all: true,
    cols: [age, { name: 'Status', type: 'string', jsonPath: '.status.printableStatus' }, ready('.status')],
  }],
  ['kubevirt.io', 'v1', 'VirtualMachineInstance', 'virtualmachineinstances', {
    short: ['vmi', 'vmis'], status: true, all: true,
    cols: [age, phase, { name: 'IP', type: 'string', jsonPath: '.status.interfaces[0].ipAddress' },
      { name: 'NodeName', type: 'string', jsonPath: '.status.nodeName' }, ready('.status'),
      { name: 'Live-Migratable', type: 'string', jsonPath: ".status.conditions[?(@.type=='LiveMigratable')].status", priority: 1 },
      { name: 'Paused', type: 'string', jsonPath: ".status.conditions[?(@.type=='Paused')].status", priority: 1 }],
  }],
  ['kubevirt.io', 'v1', 'VirtualMachineInstanceMigration', 'virtualmachineinstancemigrations', {
    short: ['vmim', 'vmims'], status: true, all: true,
    cols: [phase, { name: 'VMI', type: 'string', jsonPath: '.spec.vmiName' }],
  }],
  ['instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineClusterInstancetype', 'virtualmachineclusterinstancetypes', {
    short: ['vmclusterinstancetype', 'vmclusterinstancetypes', 'vmcf', 'vmcfs'], cluster: true,
  }],
  ['instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineClusterPreference', 'virtualmachineclusterpreferences', {
    short: ['vmcp', 'vmcps'], cluster: true,
  }],
  ['instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineInstancetype', 'virtualmachineinstancetypes', {
    short: ['vminstancetype', 'vminstancetypes', 'vmf', 'vmfs'],
  }],
  ['instancetype.kubevirt.io', 'v1beta1', 'VirtualMachinePreference', 'virtualmachinepreferences', {
    short: ['vmpref', 'vmprefs', 'vmp', 'vmps'],
  }],
  ['snapshot.kubevirt.io', 'v1beta1', 'VirtualMachineSnapshot', 'virtualmachinesnapshots', {
    short: ['vmsnapshot', 'vmsnapshots'], status: true,
    cols: [{ name: 'SourceKind', type: 'string', jsonPath: '.spec.source.kind' }, { name: 'SourceName', type: 'string', jsonPath: '.spec.source.name' },
      phase, { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse' }, age],
  }],
  ['snapshot.kubevirt.io', 'v1beta1', 'VirtualMachineSnapshotContent', 'virtualmachinesnapshotcontents', {
    short: ['vmsnapshotcontent', 'vmsnapshotcontents'], status: true,
  }],
  ['snapshot.kubevirt.io', 'v1beta1', 'VirtualMachineRestore', 'virtualmachinerestores', {
    short: ['vmrestore', 'vmrestores'], status: true,
  }],
  ['export.kubevirt.io', 'v1beta1', 'VirtualMachineExport', 'virtualmachineexports', {
    short: ['vmexport', 'vmexports'], status: true,
    cols: [{ name: 'SourceKind', type: 'string', jsonPath: '.spec.source.kind' }, { name: 'SourceName', type: 'string', jsonPath: '.spec.source.name' }, phase],
  }],
  ['cdi.kubevirt.io', 'v1beta1', 'DataVolume', 'datavolumes', {
    short: ['dv', 'dvs'], status: true, all: true,
    cols: [phase, { name: 'Progress', type: 'string', jsonPath: '.status.progress' },
      { name: 'Restarts', type: 'integer', jsonPath: '.status.restartCount' }, age],
  }],
  ['cdi.kubevirt.io', 'v1beta1', 'DataSource', 'datasources', { short: ['das'], all: true }],
  ['cdi.kubevirt.io', 'v1beta1', 'CDIConfig', 'cdiconfigs', { cluster: true }],
  ['cdi.kubevirt.io', 'v1beta1', 'StorageProfile', 'storageprofiles', { cluster: true, status: true }],
  ['k8s.cni.cncf.io', 'v1', 'NetworkAttachmentDefinition', 'network-attachment-definitions', { short: ['net-attach-def'] }],
  ['snapshot.storage.k8s.io', 'v1', 'VolumeSnapshot', 'volumesnapshots', {
    short: ['vs'], status: true,
    cols: [{ name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse' },
      { name: 'SourcePVC', type: 'string', jsonPath: '.spec.source.persistentVolumeClaimName' },
      { name: 'RestoreSize', type: 'string', jsonPath: '.status.restoreSize' },
      { name: 'SnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName' }, age],
  }],
  ['snapshot.storage.k8s.io', 'v1', 'VolumeSnapshotClass', 'volumesnapshotclasses', {
    short: ['vsclass', 'vsclasses'], cluster: true,
    cols: [{ name: 'Driver', type: 'string', jsonPath: '.driver' }, { name: 'DeletionPolicy', type: 'string', jsonPath: '.deletionPolicy' }, age],
  }],
  ['snapshot.storage.k8s.io', 'v1', 'VolumeSnapshotContent', 'volumesnapshotcontents', {
    short: ['vsc', 'vscs'], cluster: true, status: true,
  }],
];

/** The CRD objects of the installed add-ons. */
export function seedCrds(): KubeObject[] {
  return SEEDS.map(([group, version, kind, plural, o]) => {
    const names: CrdSpec['names'] = { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() };
    if (o.short) names.shortNames = o.short;
    if (o.all) names.categories = ['all'];
    const v: CrdVersion & Record<string, unknown> = {
      name: version,
      served: true,
      storage: true,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    };
    if (o.status) v.subresources = { status: {} };
    if (o.cols) v.additionalPrinterColumns = o.cols;
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name: `${plural}.${group}`,
        // The CSI snapshotter's CRDs live in a protected group and carry their API review.
        ...(group.endsWith('.k8s.io') ? { annotations: { [API_APPROVED]: 'https://github.com/kubernetes-csi/external-snapshotter/pull/814' } } : {}),
      },
      spec: { group, names, scope: o.cluster ? 'Cluster' : 'Namespaced', versions: [v] },
    };
  });
}
