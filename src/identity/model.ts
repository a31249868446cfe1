import { sha256Hex, slug as sharedSlug } from '../core/names.ts';
import * as v from 'valibot';
import { jsonOf } from '../core/annotations.ts';
import type { KubeObject } from '../kube/index.ts';

// How Keystone records live in Kubernetes: names of labels and annotations, the valibot
// schemas that check what is read back, and pure Kubernetes object → Keystone record maps.

export const SYSTEM_NS = 'dicot-system';
export const DEFAULT_DOMAIN_ID = 'default';
export const DEFAULT_DOMAIN = {
  id: DEFAULT_DOMAIN_ID,
  name: 'Default',
  description: 'The default domain',
  enabled: true,
} as const;

export const L = {
  managedBy: 'app.kubernetes.io/managed-by',
  kind: 'openstack.dicot.io/kind',
  project: 'openstack.dicot.io/project',
  role: 'openstack.dicot.io/role',
  domainId: 'openstack.dicot.io/domain-id',
  nameHash: 'openstack.dicot.io/name-hash',
  userId: 'openstack.dicot.io/user-id',
  projectId: 'openstack.dicot.io/project-id',
  /** Group membership: `group.openstack.dicot.io/<groupId>: "true"` on the user's Secret. */
  groupPrefix: 'group.openstack.dicot.io/',
} as const;

export const A = {
  name: 'openstack.dicot.io/name',
  description: 'openstack.dicot.io/description',
  enabled: 'openstack.dicot.io/enabled',
  email: 'openstack.dicot.io/email',
  defaultProject: 'openstack.dicot.io/default-project-id',
  extra: 'openstack.dicot.io/extra',
  tags: 'openstack.dicot.io/tags',
  projectId: 'openstack.dicot.io/project-id',
  roles: 'openstack.dicot.io/roles',
  unrestricted: 'openstack.dicot.io/unrestricted',
  expiresAt: 'openstack.dicot.io/expires-at',
  passwordChangedAt: 'openstack.dicot.io/password-changed-at',
  failedLogins: 'openstack.dicot.io/failed-logins',
  lastFailure: 'openstack.dicot.io/last-failure',
} as const;

export const MANAGED = { [L.managedBy]: 'dicot' } as const;
export type RecordKind = 'user' | 'group' | 'domain' | 'application-credential' | 'credential';

/** Keystone id of an object: its uid without dashes (32 hex). */
export const idOf = (obj: KubeObject) => (obj.metadata.uid ?? '').replace(/-/g, '');

/** Kubernetes subject names of Keystone actors, used in RBAC and impersonation. */
export const kubeUserName = (userId: string) => `dicot:user:${userId}`;
export const kubeGroupName = (groupId: string) => `dicot:group:${groupId}`;

/** A readable object name fragment from a project or user name. */
export const slug = (name: string, max = 30) => sharedSlug(name, max, 'x');

/** Label-safe digest of a name, so names are found with a label selector. */
export const nameHash = (name: string) => sha256Hex(name, 20);

// ---- values read back from annotations (anything may have been edited with kubectl) ----

const Bool = v.pipe(
  v.optional(v.string(), 'true'),
  v.transform((s) => s !== 'false'),
);
const Extra = jsonOf(v.record(v.string(), v.unknown()), {} as Record<string, unknown>);
const Tags = jsonOf(v.array(v.string()), [] as string[]);
const RoleRefs = jsonOf(v.array(v.object({ id: v.string(), name: v.string() })), [] as { id: string; name: string }[]);
const Annotations = v.optional(v.record(v.string(), v.string()), {});

const annotations = (obj: KubeObject) => v.parse(Annotations, obj.metadata.annotations);
const str = (a: Record<string, string>, k: string) => a[k];
const text = (a: Record<string, string>, k: string) => a[k] ?? null;

export interface DomainRecord {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
}

export interface ProjectRecord {
  id: string;
  name: string;
  description: string;
  domainId: string;
  enabled: boolean;
  tags: string[];
  /** Namespace name (the same in every region). */
  namespace: string;
  extra: Record<string, unknown>;
}

export interface UserRecord {
  id: string;
  name: string;
  domainId: string;
  enabled: boolean;
  email: string | undefined;
  description: string | undefined;
  defaultProjectId: string | undefined;
  extra: Record<string, unknown>;
  groups: string[];
  passwordHash: string | undefined;
  passwordHistory: string[];
  failedLogins: number;
  lastFailure: number;
  /** The Secret's name in dicot-system. */
  object: string;
}

export interface GroupRecord {
  id: string;
  name: string;
  domainId: string;
  description: string;
  object: string;
}

export interface RoleRecord {
  id: string;
  name: string;
  description: string | undefined;
  /** ClusterRole name. */
  object: string;
}

export interface AppCredRecord {
  id: string;
  name: string;
  userId: string;
  projectId: string;
  description: string | null;
  roles: { id: string; name: string }[];
  unrestricted: boolean;
  expiresAt: string | null;
  secretHash: string;
  object: string;
}

export interface KubeSecret extends KubeObject {
  data?: Record<string, string>;
  type?: string;
}

export const decode = (b64?: string) => {
  if (!b64) return undefined;
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
};
export const encode = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

const Int = v.pipe(
  v.optional(v.string(), '0'),
  v.transform((s) => (Number.isFinite(Number(s)) ? Number(s) : 0)),
);
const History = jsonOf(v.array(v.string()), [] as string[]);

export function toDomain(obj: KubeObject): DomainRecord {
  const a = annotations(obj);
  return {
    id: idOf(obj),
    name: str(a, A.name) ?? obj.metadata.name ?? '',
    description: text(a, A.description),
    enabled: v.parse(Bool, a[A.enabled]),
  };
}

export function toProject(ns: KubeObject): ProjectRecord {
  const a = annotations(ns);
  return {
    id: idOf(ns),
    name: str(a, A.name) ?? ns.metadata.name ?? '',
    description: str(a, A.description) ?? '',
    domainId: ns.metadata.labels?.[L.domainId] ?? DEFAULT_DOMAIN_ID,
    enabled: v.parse(Bool, a[A.enabled]),
    tags: Tags(a[A.tags]),
    namespace: ns.metadata.name ?? '',
    extra: Extra(a[A.extra]),
  };
}

export function toUser(secret: KubeSecret): UserRecord {
  const a = annotations(secret);
  const labels = secret.metadata.labels ?? {};
  return {
    id: idOf(secret),
    name: str(a, A.name) ?? secret.metadata.name ?? '',
    domainId: labels[L.domainId] ?? DEFAULT_DOMAIN_ID,
    enabled: v.parse(Bool, a[A.enabled]),
    email: str(a, A.email),
    description: str(a, A.description),
    defaultProjectId: str(a, A.defaultProject),
    extra: Extra(a[A.extra]),
    groups: Object.keys(labels)
      .filter((k) => k.startsWith(L.groupPrefix) && labels[k] === 'true')
      .map((k) => k.slice(L.groupPrefix.length)),
    passwordHash: decode(secret.data?.password),
    passwordHistory: History(decode(secret.data?.['password-history'])),
    failedLogins: v.parse(Int, a[A.failedLogins]),
    lastFailure: v.parse(Int, a[A.lastFailure]),
    object: secret.metadata.name ?? '',
  };
}

export function toGroup(cm: KubeObject): GroupRecord {
  const a = annotations(cm);
  return {
    id: idOf(cm),
    name: str(a, A.name) ?? cm.metadata.name ?? '',
    domainId: cm.metadata.labels?.[L.domainId] ?? DEFAULT_DOMAIN_ID,
    description: str(a, A.description) ?? '',
    object: cm.metadata.name ?? '',
  };
}

export const ROLE_PREFIX = 'dicot-role-';

export function toRole(cr: KubeObject): RoleRecord {
  const a = annotations(cr);
  const object = cr.metadata.name ?? '';
  return { id: idOf(cr), name: str(a, A.name) ?? object.slice(ROLE_PREFIX.length), description: str(a, A.description), object };
}

export function toAppCred(secret: KubeSecret): AppCredRecord {
  const a = annotations(secret);
  return {
    id: idOf(secret),
    name: str(a, A.name) ?? secret.metadata.name ?? '',
    userId: secret.metadata.labels?.[L.userId] ?? '',
    projectId: str(a, A.projectId) ?? '',
    description: text(a, A.description),
    roles: RoleRefs(a[A.roles]),
    unrestricted: a[A.unrestricted] === 'true',
    expiresAt: text(a, A.expiresAt),
    secretHash: decode(secret.data?.secret) ?? '',
    object: secret.metadata.name ?? '',
  };
}

/** A live object: deleting namespaces linger as Terminating and no longer count. */
export const alive = (obj: KubeObject) => !obj.metadata.deletionTimestamp;
