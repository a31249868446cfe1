import { sha256Hex, slug } from '../core/names.ts';
import { IMAGES_READER_ROLE } from '../image/bootstrap.ts';
import type { KubeObject } from '../kube/index.ts';
import { A, L, MANAGED, ROLE_PREFIX, kubeGroupName, kubeUserName } from './model.ts';

// Keystone roles as Kubernetes RBAC: ClusterRoles bound per project namespace with
// RoleBindings. reader ⊂ member ⊂ admin; an admin anywhere is also a cloud admin
// (ClusterRoleBinding to `dicot-cloud-admin`).

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const BUILTIN_ROLES = ['admin', 'member', 'reader'] as const;
export const CLOUD_ADMIN_ROLE = 'dicot-cloud-admin';
/** Keystone's implied roles: a token for admin also carries member and reader. */
export const IMPLIES: Record<string, string[]> = { admin: ['member', 'reader'], member: ['reader'] };

const RBAC = 'rbac.authorization.k8s.io';
const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Everything Dicot manages inside a project namespace. */
const PROJECT_RESOURCES: { apiGroups: string[]; resources: string[] }[] = [
  { apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations'] },
  { apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes', 'datasources'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims', 'secrets', 'configmaps', 'services', 'events'] },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'] },
  { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'] },
  { apiGroups: ['snapshot.kubevirt.io'], resources: ['virtualmachinesnapshots', 'virtualmachinerestores'] },
  { apiGroups: ['k8s.cni.cncf.io'], resources: ['network-attachment-definitions'] },
  { apiGroups: ['openstack.dicot.io'], resources: ['*'] },
];

const SUBRESOURCES: PolicyRule = {
  apiGroups: ['subresources.kubevirt.io'],
  // RBAC does not match "virtualmachines/*": each subresource is named, as in kubevirt.io:edit.
  resources: [
    ...['start', 'stop', 'restart', 'migrate', 'addvolume', 'removevolume'].map((s) => `virtualmachines/${s}`),
    ...['pause', 'unpause', 'softreboot', 'guestosinfo', 'console', 'vnc', 'addvolume', 'removevolume'].map(
      (s) => `virtualmachineinstances/${s}`,
    ),
  ],
  verbs: ['get', 'update', 'create', 'patch'],
};
/** The guest console log (os-getConsoleOutput): virt-launcher pods and their `guest-console-log` container. */
const CONSOLE_LOG: PolicyRule = { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] };
const UPLOAD: PolicyRule = { apiGroups: ['upload.cdi.kubevirt.io'], resources: ['uploadtokenrequests'], verbs: ['create'] };
const QUOTA_READ: PolicyRule = { apiGroups: [''], resources: ['resourcequotas', 'limitranges'], verbs: READ };

export function rulesFor(role: string): PolicyRule[] {
  const read = PROJECT_RESOURCES.map((r) => ({ ...r, verbs: READ }));
  const write = PROJECT_RESOURCES.map((r) => ({ ...r, verbs: WRITE }));
  switch (role) {
    case 'reader':
      return [...read, QUOTA_READ];
    case 'member':
      return [...write, SUBRESOURCES, CONSOLE_LOG, UPLOAD, QUOTA_READ];
    case 'admin':
      return [
        ...write,
        SUBRESOURCES,
        CONSOLE_LOG,
        UPLOAD,
        { apiGroups: [''], resources: ['resourcequotas', 'limitranges'], verbs: WRITE },
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: WRITE },
      ];
    default:
      return []; // custom roles carry no Kubernetes rights of their own
  }
}

/** Cluster objects a cloud admin manages, beyond every project's resources. */
const CLUSTER_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces', 'resourcequotas', 'limitranges', 'nodes', 'persistentvolumes'], verbs: WRITE },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: WRITE },
  { apiGroups: ['instancetype.kubevirt.io'], resources: ['*'], verbs: WRITE },
  { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotclasses', 'volumesnapshotcontents'], verbs: READ },
  { apiGroups: ['cdi.kubevirt.io'], resources: ['storageprofiles', 'cdiconfigs'], verbs: READ },
  { apiGroups: [RBAC], resources: ['rolebindings'], verbs: WRITE },
];

/** Cluster-wide rights over Dicot's resources, namespaces and cluster objects (cloud admin). */
export function cloudAdminRules(): PolicyRule[] {
  return [...PROJECT_RESOURCES.map((r) => ({ ...r, verbs: WRITE })), SUBRESOURCES, CONSOLE_LOG, UPLOAD, ...CLUSTER_RULES];
}

export const GATEWAY_ROLE = 'dicot-gateway';

/** Dicot's ClusterRoles that carry rules: the gateway writes them (bootstrap) and binds them. */
export const GRANTED_ROLES = [...BUILTIN_ROLES.map((r) => `${ROLE_PREFIX}${r}`), CLOUD_ADMIN_ROLE, IMAGES_READER_ROLE];

/**
 * What the gateway's own ServiceAccount holds cluster-wide (deploy/kubernetes/rbac.yaml, the
 * sandbox's binding). It impersonates Keystone users so RBAC decides their requests; as
 * itself it reads across projects (Glance visibility, Neutron sharing, admin views) and keeps
 * shared objects (quotas, networks, images namespace). It grants Keystone roles by `bind` on
 * Dicot's own role names and keeps their rules by `escalate` on the same names, instead of
 * holding every right it grants; custom roles carry no rules, so binding them needs nothing.
 * Secrets: create only (image export tokens, derived rather than read back); the identity
 * records it reads are in dicot-system (gatewaySystemRules).
 */
export function gatewayRules(): PolicyRule[] {
  return [
    // Keystone users and groups (src/core/auth.ts userKube). resourceNames cannot narrow it: the
    // names carry Keystone ids, which are not known in advance.
    { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
    // As itself, across projects: no Secrets but what it creates.
    ...PROJECT_RESOURCES.map((r) => ({ ...r, resources: r.resources.filter((x) => x !== 'secrets'), verbs: WRITE })),
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ...CLUSTER_RULES,
    { apiGroups: [RBAC], resources: ['clusterroles', 'clusterrolebindings'], verbs: WRITE },
    { apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind', 'escalate'], resourceNames: GRANTED_ROLES },
    { apiGroups: [''], resources: ['services/proxy'], verbs: ['get', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: ['export.kubevirt.io'], resources: ['virtualmachineexports'], verbs: WRITE },
    // Copies of the flavor a resize leaves (src/compute/flavor-revisions.ts).
    { apiGroups: ['apps'], resources: ['controllerrevisions'], verbs: ['get', 'create', 'delete'] },
    { apiGroups: ['kubevirt.io'], resources: ['kubevirts'], verbs: READ },
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ },
  ];
}

/** What the gateway holds in dicot-system only (a Role): users, application credentials, keypairs, keys. */
export function gatewaySystemRules(): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['secrets'], verbs: WRITE }];
}

/** ClusterRole object name for a Keystone role name (exact when it is already DNS-safe). */
export async function roleObjectName(name: string): Promise<string> {
  if (/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(name)) return `${ROLE_PREFIX}${name}`;
  const h = await sha256Hex(name, 5);
  const s = slug(name, 30, '');
  return `${ROLE_PREFIX}${s ? `${s}-` : ''}${h}`;
}

export function roleClusterRole(object: string, name: string, description?: string): KubeObject & { rules: PolicyRule[] } {
  return {
    metadata: {
      name: object,
      labels: { ...MANAGED, [L.role]: 'true' },
      annotations: { [A.name]: name, ...(description ? { [A.description]: description } : {}) },
    },
    rules: rulesFor(name),
  };
}

export function cloudAdminClusterRole(): KubeObject & { rules: PolicyRule[] } {
  return { metadata: { name: CLOUD_ADMIN_ROLE, labels: { ...MANAGED } }, rules: cloudAdminRules() };
}

export type ActorType = 'user' | 'group';

export interface Subject {
  kind: string;
  name: string;
  apiGroup?: string;
  namespace?: string;
}

export const subjectFor = (type: ActorType, id: string): Subject => ({
  kind: type === 'user' ? 'User' : 'Group',
  name: type === 'user' ? kubeUserName(id) : kubeGroupName(id),
  apiGroup: 'rbac.authorization.k8s.io',
});

/** A Dicot actor named by a RBAC subject, if it names one. */
export function actorOf(subject: Subject): { type: ActorType; id: string } | undefined {
  const m = /^dicot:(user|group):([0-9a-f]{32})$/.exec(subject.name);
  if (!m) return undefined;
  const type = m[1] as ActorType;
  if ((type === 'user' && subject.kind !== 'User') || (type === 'group' && subject.kind !== 'Group')) return undefined;
  return { type, id: m[2] as string };
}

export const bindingName = (roleObject: string, type: ActorType, id: string) =>
  `dicot-${roleObject.slice(ROLE_PREFIX.length)}-${type}-${id}`;

export function roleBinding(namespace: string, roleObject: string, type: ActorType, id: string) {
  return {
    metadata: {
      name: bindingName(roleObject, type, id),
      namespace,
      labels: { ...MANAGED, [L.role]: 'true' },
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleObject },
    subjects: [subjectFor(type, id)],
  };
}

export const cloudAdminBindingName = (type: ActorType, id: string) => `${CLOUD_ADMIN_ROLE}-${type}-${id}`;

export function cloudAdminBinding(type: ActorType, id: string) {
  return {
    metadata: { name: cloudAdminBindingName(type, id), labels: { ...MANAGED } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CLOUD_ADMIN_ROLE },
    subjects: [subjectFor(type, id)],
  };
}
