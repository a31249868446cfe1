// The table of kinds: what differs per kind is data plus a few small strategy hooks
// (the model of k8s.io/apiserver's generic registry). Everything else is the generic store.

import type { FieldError } from './errors.ts';
import type { NameRule } from './names.ts';
import { type KubeObject, readPath } from './object.ts';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  /** JSON path into the object; ignored when `value` is given. */
  jsonPath?: string;
  value?: (o: KubeObject) => unknown;
}

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Has a `/status` subresource: status is written only there. */
  status: boolean;
  /** Served from a CustomResourceDefinition (no strategic merge patch, deletes return the object). */
  crd: boolean;
  /** Create-only kinds answered without storage (access reviews). */
  virtual?: boolean;
  nameRule?: NameRule;
  /** Fields usable in field selectors besides metadata.name/namespace. */
  fields?: Record<string, (o: KubeObject) => string | undefined>;
  columns?: Column[];
  /** Defaulting on create (status reset for status kinds happens before this). */
  prepareForCreate?: (o: KubeObject) => void;
  /** Status a cluster controller settles right after every write (kept in step here at once). */
  settleStatus?: (o: KubeObject) => void;
  /** Called when a delete request marks the object as deleting. */
  prepareForDelete?: (o: KubeObject) => void;
  /** Something besides metadata.finalizers that keeps a deleting object (namespace spec.finalizers). */
  pendingFinalizers?: (o: KubeObject) => boolean;
  validate?: (o: KubeObject, old?: KubeObject) => FieldError[];
  /** Status kept on create (nodes report their status at registration). */
  keepStatusOnCreate?: boolean;
}

export const resourceKey = (def: { group: string; plural: string }) => `${def.group}/${def.plural}`;
export const apiVersionOf = (def: { group: string; version: string }) =>
  def.group ? `${def.group}/${def.version}` : def.version;

const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
const field = (path: string) => (o: KubeObject) => str(readPath(o, path));

export const CRD_CLEANUP = 'customresourcecleanup.apiextensions.k8s.io';
export const API_APPROVED = 'api-approved.kubernetes.io';
const NS_LABEL = 'kubernetes.io/metadata.name';

function rec(o: KubeObject, key: string): Record<string, unknown> {
  const cur = o[key];
  if (typeof cur === 'object' && cur !== null && !Array.isArray(cur)) return cur as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  o[key] = fresh;
  return fresh;
}

let nextClusterIp = 1;

const core = (
  plural: string,
  kind: string,
  rest: Partial<ResourceDef> & { namespaced: boolean },
): ResourceDef => ({
  group: '',
  version: 'v1',
  plural,
  singular: kind.toLowerCase(),
  kind,
  status: false,
  crd: false,
  ...rest,
});

const builtin = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  rest: Partial<ResourceDef> & { namespaced: boolean },
): ResourceDef => ({ group, version, plural, singular: kind.toLowerCase(), kind, status: false, crd: false, ...rest });

export const BUILTIN_RESOURCES: ResourceDef[] = [
  core('namespaces', 'Namespace', {
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    nameRule: 'label',
    fields: { 'status.phase': field('.status.phase') },
    columns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }],
    prepareForCreate(o) {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), [NS_LABEL]: o.metadata.name as string };
      const spec = rec(o, 'spec');
      if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
      o.status = { phase: 'Active' };
    },
    prepareForDelete(o) {
      o.status = { ...(o.status as object), phase: 'Terminating' };
    },
    pendingFinalizers: (o) => {
      const fins = (o.spec as { finalizers?: unknown[] } | undefined)?.finalizers;
      return Array.isArray(fins) && fins.length > 0;
    },
  }),
  core('secrets', 'Secret', { namespaced: true, fields: { type: field('.type') } }),
  core('configmaps', 'ConfigMap', { namespaced: true, shortNames: ['cm'] }),
  core('services', 'Service', {
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    status: true,
    nameRule: 'dns1035',
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Cluster-IP', type: 'string', jsonPath: '.spec.clusterIP' },
      {
        name: 'External-IP',
        type: 'string',
        value: (o) => str(readPath(o, '.status.loadBalancer.ingress[0].ip')) ?? '<none>',
      },
    ],
    prepareForCreate(o) {
      const spec = rec(o, 'spec');
      spec.type ??= 'ClusterIP';
      if (spec.clusterIP === undefined && spec.type !== 'ExternalName') {
        const n = nextClusterIp++;
        spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
        spec.clusterIPs = [spec.clusterIP];
      }
      o.status = { loadBalancer: {} };
    },
  }),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', {
    namespaced: true,
    shortNames: ['pvc'],
    status: true,
    fields: { 'status.phase': field('.status.phase') },
    columns: [
      { name: 'Status', type: 'string', jsonPath: '.status.phase' },
      { name: 'Volume', type: 'string', jsonPath: '.spec.volumeName' },
      { name: 'Capacity', type: 'string', jsonPath: '.status.capacity.storage' },
      { name: 'StorageClass', type: 'string', jsonPath: '.spec.storageClassName' },
    ],
    prepareForCreate(o) {
      o.status = { phase: 'Pending' };
    },
  }),
  core('persistentvolumes', 'PersistentVolume', {
    namespaced: false,
    shortNames: ['pv'],
    status: true,
    fields: { 'status.phase': field('.status.phase') },
    prepareForCreate(o) {
      o.status = { phase: 'Pending' };
    },
  }),
  core('nodes', 'Node', {
    namespaced: false,
    shortNames: ['no'],
    status: true,
    keepStatusOnCreate: true,
    fields: { 'spec.unschedulable': (o) => String(readPath(o, '.spec.unschedulable') === true) },
    columns: [
      {
        name: 'Status',
        type: 'string',
        value: (o) => (readPath(o, '.status.conditions[?(@.type=="Ready")].status') === 'True' ? 'Ready' : 'NotReady'),
      },
    ],
  }),
  core('events', 'Event', {
    namespaced: true,
    shortNames: ['ev'],
    fields: {
      'involvedObject.kind': field('.involvedObject.kind'),
      'involvedObject.namespace': field('.involvedObject.namespace'),
      'involvedObject.name': field('.involvedObject.name'),
      'involvedObject.uid': field('.involvedObject.uid'),
      'involvedObject.apiVersion': field('.involvedObject.apiVersion'),
      'involvedObject.resourceVersion': field('.involvedObject.resourceVersion'),
      'involvedObject.fieldPath': field('.involvedObject.fieldPath'),
      reason: field('.reason'),
      reportingComponent: field('.reportingComponent'),
      source: field('.source.component'),
      type: field('.type'),
    },
  }),
  core('resourcequotas', 'ResourceQuota', {
    namespaced: true,
    shortNames: ['quota'],
    status: true,
    // The quota controller publishes the enforced limits as status.hard (admission counts live).
    settleStatus(o) {
      const hard = (o.spec as { hard?: Record<string, string> } | undefined)?.hard ?? {};
      o.status = { ...(o.status as object | undefined), hard: { ...hard } };
    },
  }),
  core('serviceaccounts', 'ServiceAccount', { namespaced: true, shortNames: ['sa'] }),
  core('pods', 'Pod', {
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    fields: { 'status.phase': field('.status.phase'), 'spec.nodeName': field('.spec.nodeName') },
    prepareForCreate(o) {
      o.status = { phase: 'Pending' };
    },
  }),
  builtin('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', { namespaced: true, nameRule: 'path' }),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', { namespaced: false, nameRule: 'path' }),
  builtin('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', { namespaced: true, nameRule: 'path' }),
  builtin('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', {
    namespaced: false,
    nameRule: 'path',
  }),
  builtin('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', { namespaced: true, shortNames: ['netpol'] }),
  // KubeVirt keeps copies of instancetypes in ControllerRevisions (spec.instancetype.revisionName).
  builtin('apps', 'v1', 'controllerrevisions', 'ControllerRevision', {
    namespaced: true,
    columns: [{ name: 'Revision', type: 'integer', jsonPath: '.revision' }],
  }),
  builtin('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', {
    namespaced: false,
    shortNames: ['sc'],
    columns: [{ name: 'Provisioner', type: 'string', jsonPath: '.provisioner' }],
  }),
  builtin('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', {
    namespaced: false,
    virtual: true,
  }),
  builtin('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', {
    namespaced: false,
    virtual: true,
  }),
  builtin('authorization.k8s.io', 'v1', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', {
    namespaced: true,
    virtual: true,
  }),
  builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', {
    namespaced: false,
    shortNames: ['crd', 'crds'],
    status: true,
    prepareForCreate(o) {
      o.metadata.finalizers = [...new Set([...(o.metadata.finalizers ?? []), CRD_CLEANUP])];
    },
    validate(o) {
      const spec = o.spec as { group?: string; names?: { plural?: string } } | undefined;
      const want = `${spec?.names?.plural}.${spec?.group}`;
      if (o.metadata.name !== want) {
        return [{ type: 'Invalid', field: 'metadata.name', value: o.metadata.name, detail: `must be spec.names.plural+"."+spec.group` }];
      }
      // Groups under k8s.io / kubernetes.io need an API review link (KEP 1111).
      const g = spec?.group ?? '';
      const isProtected = ['k8s.io', 'kubernetes.io'].some((d) => g === d || g.endsWith(`.${d}`));
      if (isProtected && !o.metadata.annotations?.[API_APPROVED]) {
        return [{ type: 'Required', field: `metadata.annotations[${API_APPROVED}]`, detail: `protected groups must have approval annotation "${API_APPROVED}", see https://github.com/kubernetes/enhancements/pull/1111` }];
      }
      return [];
    },
  }),
];
