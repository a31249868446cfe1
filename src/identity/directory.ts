import { conflict } from '../core/faults.ts';
import { type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import { createClusterRole } from './cluster-roles.ts';
import { Collection } from './collection.ts';
import {
  A,
  type AppCredRecord,
  DEFAULT_DOMAIN,
  DEFAULT_DOMAIN_ID,
  type DomainRecord,
  type GroupRecord,
  type KubeSecret,
  L,
  MANAGED,
  type ProjectRecord,
  type RecordKind,
  type RoleRecord,
  SYSTEM_NS,
  type UserRecord,
  encode,
  idOf,
  nameHash,
  slug,
  toAppCred,
  toDomain,
  toGroup,
  toProject,
  toRole,
  toUser,
} from './model.ts';
import { roleClusterRole, roleObjectName } from './rbac.ts';

// Keystone records (domains, projects, users, groups, roles, application credentials) read
// from and written to the identity region. No policy here: callers decide who may ask.

type Annotations = Record<string, string | null>;
const kindSel = (kind: RecordKind) => `${L.managedBy}=dicot,${L.kind}=${kind}`;
const metaPatch = (annotations: Annotations, labels?: Record<string, string | null>) => ({
  metadata: { annotations, ...(labels ? { labels } : {}) },
});
const json = (value: unknown) => JSON.stringify(value);

/** Annotations for optional text: absent when undefined, removed when null. */
function optional(key: string, value: string | null | undefined): Annotations {
  return value === undefined ? {} : { [key]: value };
}

async function byName<T extends KubeObject>(col: Collection<T>, name: string, domainId?: string): Promise<T[]> {
  const sel = `${L.nameHash}=${await nameHash(name)}${domainId ? `,${L.domainId}=${domainId}` : ''}`;
  // The hash only narrows; the annotation decides (and guards against collisions).
  return (await col.list(sel)).filter((o) => (o.metadata.annotations?.[A.name] ?? '') === name);
}

export class Domains {
  readonly col: Collection;
  constructor(kube: KubeClient) {
    this.col = new Collection(kube, R.configMaps, SYSTEM_NS, kindSel('domain'));
  }
  async list(): Promise<DomainRecord[]> {
    return [{ ...DEFAULT_DOMAIN }, ...(await this.col.list()).map(toDomain)];
  }
  async get(id: string): Promise<DomainRecord | undefined> {
    if (id === DEFAULT_DOMAIN_ID) return { ...DEFAULT_DOMAIN };
    const obj = await this.col.byId(id);
    return obj ? toDomain(obj) : undefined;
  }
  async findByName(name: string): Promise<DomainRecord | undefined> {
    if (name === DEFAULT_DOMAIN.name) return { ...DEFAULT_DOMAIN };
    const [obj] = await byName(this.col, name);
    return obj ? toDomain(obj) : undefined;
  }
  async create(d: { name: string; description?: string | null; enabled: boolean }): Promise<DomainRecord> {
    if (await this.findByName(d.name)) throw conflict(`Conflict occurred attempting to store domain - Duplicate entry found with name ${d.name}.`);
    const obj = await this.col.kube.create(R.configMaps, {
      metadata: {
        generateName: `domain-${slug(d.name)}-`,
        namespace: SYSTEM_NS,
        labels: { ...MANAGED, [L.kind]: 'domain', [L.nameHash]: await nameHash(d.name) },
        // Keystone: an absent description is '', an explicit null stays null.
        annotations: { [A.name]: d.name, [A.enabled]: String(d.enabled), ...(d.description === null ? {} : { [A.description]: d.description ?? '' }) },
      },
    });
    this.col.remember(obj);
    return toDomain(obj);
  }
  async update(d: DomainRecord, f: { name?: string; description?: string | null; enabled?: boolean }): Promise<DomainRecord> {
    if (f.name !== undefined && f.name !== d.name && (await this.findByName(f.name))) {
      throw conflict(`Conflict occurred attempting to store domain - Duplicate entry found with name ${f.name}.`);
    }
    const obj = await this.col.byId(d.id);
    if (!obj) throw new NotFoundError(404, 'NotFound', `Could not find domain: ${d.id}.`);
    const ann: Annotations = {
      ...optional(A.name, f.name),
      ...optional(A.description, f.description),
      ...(f.enabled === undefined ? {} : { [A.enabled]: String(f.enabled) }),
    };
    const labels = f.name === undefined ? undefined : { [L.nameHash]: await nameHash(f.name) };
    const out = await this.col.kube.patch(R.configMaps, obj.metadata.name ?? '', metaPatch(ann, labels), { namespace: SYSTEM_NS, type: 'merge' });
    return toDomain(out as KubeObject);
  }
  async delete(d: DomainRecord): Promise<void> {
    const obj = await this.col.byId(d.id);
    if (obj) await this.col.kube.delete(R.configMaps, obj.metadata.name ?? '', { namespace: SYSTEM_NS });
    this.col.forget(d.id);
  }
}

export interface ProjectFields {
  name?: string;
  description?: string | null;
  domainId?: string;
  enabled?: boolean;
  tags?: string[];
  extra?: Record<string, unknown>;
}

export class Projects {
  readonly col: Collection;
  constructor(kube: KubeClient) {
    this.col = new Collection(kube, R.namespaces, undefined, `${L.managedBy}=dicot,${L.project}=true`);
  }
  async list(domainId?: string): Promise<ProjectRecord[]> {
    return (await this.col.list(domainId ? `${L.domainId}=${domainId}` : undefined)).map(toProject);
  }
  async get(id: string): Promise<ProjectRecord | undefined> {
    const obj = await this.col.byId(id);
    return obj ? toProject(obj) : undefined;
  }
  async findByName(name: string, domainId: string): Promise<ProjectRecord | undefined> {
    const [obj] = await byName(this.col, name, domainId);
    return obj ? toProject(obj) : undefined;
  }
  async create(p: Required<Pick<ProjectFields, 'name' | 'domainId' | 'enabled'>> & ProjectFields): Promise<ProjectRecord> {
    if (await this.findByName(p.name, p.domainId)) {
      throw conflict(`Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${p.name}.`);
    }
    const ns = await this.col.kube.create(R.namespaces, {
      metadata: {
        generateName: `p-${slug(p.name, 40)}-`,
        labels: { ...MANAGED, [L.project]: 'true', [L.domainId]: p.domainId, [L.nameHash]: await nameHash(p.name) },
        annotations: {
          [A.name]: p.name,
          [A.description]: p.description ?? '',
          [A.enabled]: String(p.enabled),
          [A.tags]: json(p.tags ?? []),
          ...(p.extra && Object.keys(p.extra).length ? { [A.extra]: json(p.extra) } : {}),
        },
      },
    });
    this.col.remember(ns);
    return toProject(ns);
  }
  async update(p: ProjectRecord, f: ProjectFields): Promise<ProjectRecord> {
    if (f.name !== undefined && f.name !== p.name && (await this.findByName(f.name, p.domainId))) {
      throw conflict(`Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${f.name}.`);
    }
    const ann: Annotations = {
      ...optional(A.name, f.name),
      ...(f.description === undefined ? {} : { [A.description]: f.description ?? '' }),
      ...(f.enabled === undefined ? {} : { [A.enabled]: String(f.enabled) }),
      ...(f.tags === undefined ? {} : { [A.tags]: json(f.tags) }),
      ...(f.extra === undefined ? {} : { [A.extra]: json({ ...p.extra, ...f.extra }) }),
    };
    const labels = f.name === undefined ? undefined : { [L.nameHash]: await nameHash(f.name) };
    const out = await this.col.kube.patch(R.namespaces, p.namespace, metaPatch(ann, labels), { type: 'merge' });
    return toProject(out as KubeObject);
  }
  async delete(p: ProjectRecord): Promise<void> {
    await this.col.kube.delete(R.namespaces, p.namespace, { propagationPolicy: 'Background' });
    this.col.forget(p.id);
  }
}

export interface UserFields {
  name?: string;
  domainId?: string;
  enabled?: boolean;
  email?: string | null;
  description?: string | null;
  defaultProjectId?: string | null;
  extra?: Record<string, unknown>;
}

export class Users {
  readonly col: Collection<KubeSecret>;
  constructor(kube: KubeClient) {
    this.col = new Collection<KubeSecret>(kube, R.secrets, SYSTEM_NS, kindSel('user'));
  }
  async list(f: { domainId?: string; groupId?: string } = {}): Promise<UserRecord[]> {
    const sel = [f.domainId ? `${L.domainId}=${f.domainId}` : '', f.groupId ? `${L.groupPrefix}${f.groupId}=true` : ''].filter(Boolean).join(',');
    return (await this.col.list(sel || undefined)).map(toUser);
  }
  async get(id: string): Promise<UserRecord | undefined> {
    const obj = await this.col.byId(id);
    return obj ? toUser(obj) : undefined;
  }
  async findByName(name: string, domainId: string): Promise<UserRecord | undefined> {
    const [obj] = await byName(this.col, name, domainId);
    return obj ? toUser(obj) : undefined;
  }
  async create(u: Required<Pick<UserFields, 'name' | 'domainId' | 'enabled'>> & UserFields, passwordHash?: string): Promise<UserRecord> {
    if (await this.findByName(u.name, u.domainId)) throw conflict(`Conflict occurred attempting to store user - Duplicate entry found with name ${u.name} at domain ID ${u.domainId}.`);
    const obj = await this.col.kube.create<KubeSecret>(R.secrets, {
      metadata: {
        generateName: `user-${slug(u.name)}-`,
        namespace: SYSTEM_NS,
        labels: { ...MANAGED, [L.kind]: 'user', [L.domainId]: u.domainId, [L.nameHash]: await nameHash(u.name) },
        annotations: {
          [A.name]: u.name,
          [A.enabled]: String(u.enabled),
          ...(u.email ? { [A.email]: u.email } : {}),
          ...(u.description ? { [A.description]: u.description } : {}),
          ...(u.defaultProjectId ? { [A.defaultProject]: u.defaultProjectId } : {}),
          ...(u.extra && Object.keys(u.extra).length ? { [A.extra]: json(u.extra) } : {}),
        },
      },
      type: 'Opaque',
      data: passwordHash ? { password: encode(passwordHash) } : {},
    });
    this.col.remember(obj);
    return toUser(obj);
  }
  private patch(u: UserRecord, body: unknown): Promise<KubeSecret> {
    return this.col.kube.patch<KubeSecret>(R.secrets, u.object, body, { namespace: SYSTEM_NS, type: 'merge' });
  }
  async update(u: UserRecord, f: UserFields): Promise<UserRecord> {
    if (f.name !== undefined && f.name !== u.name && (await this.findByName(f.name, u.domainId))) {
      throw conflict(`Conflict occurred attempting to store user - Duplicate entry found with name ${f.name} at domain ID ${u.domainId}.`);
    }
    const ann: Annotations = {
      ...optional(A.name, f.name),
      ...(f.enabled === undefined ? {} : { [A.enabled]: String(f.enabled) }),
      ...optional(A.email, f.email),
      ...optional(A.description, f.description),
      ...optional(A.defaultProject, f.defaultProjectId),
      ...(f.extra === undefined ? {} : { [A.extra]: json({ ...u.extra, ...f.extra }) }),
    };
    const labels = f.name === undefined ? undefined : { [L.nameHash]: await nameHash(f.name) };
    return toUser(await this.patch(u, metaPatch(ann, labels)));
  }
  /** New hash; the old one goes to the history (newest first), kept to `keep` entries. */
  async setPassword(u: UserRecord, hash: string, keep: number, nowMs: number): Promise<void> {
    const history = u.passwordHash ? [u.passwordHash, ...u.passwordHistory].slice(0, Math.max(0, keep - 1)) : u.passwordHistory;
    await this.patch(u, {
      metadata: { annotations: { [A.passwordChangedAt]: new Date(nowMs).toISOString(), [A.failedLogins]: null, [A.lastFailure]: null } },
      data: { password: encode(hash), 'password-history': encode(json(history)) },
    });
  }
  async recordFailure(u: UserRecord, nowMs: number): Promise<void> {
    await this.patch(u, metaPatch({ [A.failedLogins]: String(u.failedLogins + 1), [A.lastFailure]: String(nowMs) }));
  }
  async clearFailures(u: UserRecord): Promise<void> {
    await this.patch(u, metaPatch({ [A.failedLogins]: null, [A.lastFailure]: null }));
  }
  async setGroup(u: UserRecord, groupId: string, member: boolean): Promise<void> {
    await this.patch(u, { metadata: { labels: { [`${L.groupPrefix}${groupId}`]: member ? 'true' : null } } });
  }
  async delete(u: UserRecord): Promise<void> {
    await this.col.kube.delete(R.secrets, u.object, { namespace: SYSTEM_NS });
    this.col.forget(u.id);
  }
}

export class Groups {
  readonly col: Collection;
  constructor(kube: KubeClient) {
    this.col = new Collection(kube, R.configMaps, SYSTEM_NS, kindSel('group'));
  }
  async list(domainId?: string): Promise<GroupRecord[]> {
    return (await this.col.list(domainId ? `${L.domainId}=${domainId}` : undefined)).map(toGroup);
  }
  async get(id: string): Promise<GroupRecord | undefined> {
    const obj = await this.col.byId(id);
    return obj ? toGroup(obj) : undefined;
  }
  async findByName(name: string, domainId: string): Promise<GroupRecord | undefined> {
    const [obj] = await byName(this.col, name, domainId);
    return obj ? toGroup(obj) : undefined;
  }
  async create(g: { name: string; domainId: string; description?: string | null }): Promise<GroupRecord> {
    if (await this.findByName(g.name, g.domainId)) throw conflict(`Conflict occurred attempting to store group - Duplicate entry found with name ${g.name}.`);
    const obj = await this.col.kube.create(R.configMaps, {
      metadata: {
        generateName: `group-${slug(g.name)}-`,
        namespace: SYSTEM_NS,
        labels: { ...MANAGED, [L.kind]: 'group', [L.domainId]: g.domainId, [L.nameHash]: await nameHash(g.name) },
        annotations: { [A.name]: g.name, ...(g.description ? { [A.description]: g.description } : {}) },
      },
    });
    this.col.remember(obj);
    return toGroup(obj);
  }
  async update(g: GroupRecord, f: { name?: string; description?: string | null }): Promise<GroupRecord> {
    if (f.name !== undefined && f.name !== g.name && (await this.findByName(f.name, g.domainId))) {
      throw conflict(`Conflict occurred attempting to store group - Duplicate entry found with name ${f.name}.`);
    }
    const labels = f.name === undefined ? undefined : { [L.nameHash]: await nameHash(f.name) };
    const out = await this.col.kube.patch(R.configMaps, g.object, metaPatch({ ...optional(A.name, f.name), ...optional(A.description, f.description) }, labels), {
      namespace: SYSTEM_NS,
      type: 'merge',
    });
    return toGroup(out as KubeObject);
  }
  async delete(g: GroupRecord): Promise<void> {
    await this.col.kube.delete(R.configMaps, g.object, { namespace: SYSTEM_NS });
    this.col.forget(g.id);
  }
}

export class Roles {
  readonly col: Collection;
  constructor(kube: KubeClient) {
    this.col = new Collection(kube, R.clusterRoles, undefined, `${L.managedBy}=dicot,${L.role}=true`);
  }
  async list(): Promise<RoleRecord[]> {
    return (await this.col.list()).map(toRole);
  }
  async get(id: string): Promise<RoleRecord | undefined> {
    const obj = await this.col.byId(id);
    return obj ? toRole(obj) : undefined;
  }
  async findByName(name: string): Promise<RoleRecord | undefined> {
    return (await this.list()).find((r) => r.name === name);
  }
  /** Create, or return the existing role of that name when `idempotent` (bootstrap). */
  async create(name: string, description?: string, idempotent = false): Promise<RoleRecord> {
    const existing = await this.findByName(name);
    if (existing) {
      if (idempotent) return existing;
      throw conflict(`Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);
    }
    const obj = await createClusterRole(this.col.kube, roleClusterRole(await roleObjectName(name), name, description));
    this.col.remember(obj);
    return toRole(obj);
  }
  async update(r: RoleRecord, f: { name?: string; description?: string | null }): Promise<RoleRecord> {
    // The ClusterRole's name (and its bindings) keep the original name; only the display changes.
    if (f.name !== undefined && f.name !== r.name && (await this.findByName(f.name))) {
      throw conflict(`Conflict occurred attempting to store role - Duplicate entry found with name ${f.name}.`);
    }
    const out = await this.col.kube.patch(R.clusterRoles, r.object, metaPatch({ ...optional(A.name, f.name), ...optional(A.description, f.description) }), {
      type: 'merge',
    });
    return toRole(out as KubeObject);
  }
  async delete(r: RoleRecord): Promise<void> {
    await this.col.kube.delete(R.clusterRoles, r.object);
    this.col.forget(r.id);
  }
}

export class AppCreds {
  readonly col: Collection<KubeSecret>;
  constructor(kube: KubeClient) {
    this.col = new Collection<KubeSecret>(kube, R.secrets, SYSTEM_NS, kindSel('application-credential'));
  }
  async list(userId: string): Promise<AppCredRecord[]> {
    return (await this.col.list(`${L.userId}=${userId}`)).map(toAppCred);
  }
  async get(id: string): Promise<AppCredRecord | undefined> {
    const obj = await this.col.byId(id);
    return obj ? toAppCred(obj) : undefined;
  }
  async create(a: Omit<AppCredRecord, 'id' | 'object'>): Promise<AppCredRecord> {
    if ((await this.list(a.userId)).some((x) => x.name === a.name)) {
      throw conflict(`Conflict occurred attempting to store application_credential - Duplicate entry found with name ${a.name}.`);
    }
    const obj = await this.col.kube.create<KubeSecret>(R.secrets, {
      metadata: {
        generateName: `appcred-${slug(a.name)}-`,
        namespace: SYSTEM_NS,
        labels: { ...MANAGED, [L.kind]: 'application-credential', [L.userId]: a.userId, [L.nameHash]: await nameHash(a.name) },
        annotations: {
          [A.name]: a.name,
          [A.projectId]: a.projectId,
          [A.roles]: json(a.roles),
          [A.unrestricted]: String(a.unrestricted),
          ...(a.description ? { [A.description]: a.description } : {}),
          ...(a.expiresAt ? { [A.expiresAt]: a.expiresAt } : {}),
        },
      },
      type: 'Opaque',
      data: { secret: encode(a.secretHash) },
    });
    this.col.remember(obj);
    return toAppCred(obj);
  }
  async delete(a: AppCredRecord): Promise<void> {
    try {
      await this.col.kube.delete(R.secrets, a.object, { namespace: SYSTEM_NS });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    this.col.forget(a.id);
  }
}

export { idOf };
