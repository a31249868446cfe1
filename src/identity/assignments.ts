import { AlreadyExistsError, type KubeClient, type KubeObject, NotFoundError, R } from '../kube/index.ts';
import type { Projects, Roles, Users } from './directory.ts';
import { L, MANAGED, type ProjectRecord, ROLE_PREFIX, type RoleRecord, SYSTEM_NS, alive } from './model.ts';
import {
  type ActorType,
  CLOUD_ADMIN_ROLE,
  IMPLIES,
  type Subject,
  actorOf,
  cloudAdminBinding,
  cloudAdminBindingName,
  roleBinding,
} from './rbac.ts';

// Role assignments. On a project: RoleBindings in its namespace (any RoleBinding naming a
// Dicot actor and a Dicot role counts, including ones a Kubernetes admin wrote by hand).
// On a domain: ConfigMaps in dicot-system (a RoleBinding there would open the identity
// records to the grantee). An admin anywhere is a cloud admin (ClusterRoleBinding).
// Inherited ones (OS-INHERIT, `inherited_to_projects`): a ConfigMap in dicot-system records
// the assignment; one on a domain holds on each of its projects, so each project's namespace
// gets a RoleBinding labelled with the domain (made for projects created later too). One on a
// project holds on its subprojects: Dicot has none, so it is recorded and binds nothing.

export type Scope = { projectId: string } | { domainId: string };

export interface Assignment {
  role: RoleRecord;
  actor: { type: ActorType; id: string };
  scope: Scope;
  /** Set on effective assignments that come from a group membership. */
  viaGroup?: string;
  /** An OS-INHERIT assignment: it holds on the projects below `scope`, not on `scope` itself. */
  inherited?: boolean;
  /** Set on effective project assignments that come from an inherited domain assignment. */
  inheritedFrom?: string;
}

interface RoleBindingObject extends KubeObject {
  roleRef: { kind: string; name: string };
  subjects?: Subject[];
}

const DOMAIN_KIND = 'domain-role-assignment';
const INHERITED_KIND = 'inherited-role-assignment';
const L_SCOPE_TYPE = 'openstack.dicot.io/scope-type';
const L_SCOPE_ID = 'openstack.dicot.io/scope-id';
/** On a RoleBinding made for an inherited domain assignment: the domain. */
const L_INHERITED_FROM = 'openstack.dicot.io/inherited-from-domain';
const L_ROLE = 'openstack.dicot.io/role-object';
const L_ACTOR_TYPE = 'openstack.dicot.io/actor-type';
const L_ACTOR_ID = 'openstack.dicot.io/actor-id';

/** Pure: RoleBindings of one namespace → assignments of the project it belongs to. */
export function assignmentsFromBindings(bindings: RoleBindingObject[], project: ProjectRecord, rolesByObject: Map<string, RoleRecord>): Assignment[] {
  const out: Assignment[] = [];
  for (const b of bindings) {
    if (b.roleRef?.kind !== 'ClusterRole' || !b.roleRef.name.startsWith(ROLE_PREFIX)) continue;
    // The effect of an inherited assignment, listed as that assignment (listInherited).
    if (b.metadata.labels?.[L_INHERITED_FROM]) continue;
    const role = rolesByObject.get(b.roleRef.name);
    if (!role) continue;
    for (const s of b.subjects ?? []) {
      const actor = actorOf(s);
      if (actor) out.push({ role, actor, scope: { projectId: project.id } });
    }
  }
  return out;
}

/** Roles plus the roles they imply, each once (Keystone puts implied roles in tokens). */
export function withImplied(roles: RoleRecord[], all: RoleRecord[]): RoleRecord[] {
  const byName = new Map(all.map((r) => [r.name, r]));
  const out = new Map<string, RoleRecord>();
  for (const r of roles) {
    out.set(r.id, r);
    for (const n of IMPLIES[r.name] ?? []) {
      const implied = byName.get(n);
      if (implied) out.set(implied.id, implied);
    }
  }
  return [...out.values()];
}

export class Assignments {
  constructor(
    private readonly kube: KubeClient,
    private readonly projects: Projects,
    private readonly roles: Roles,
    private readonly users: Users,
  ) {}

  private async rolesByObject(): Promise<Map<string, RoleRecord>> {
    return new Map((await this.roles.list()).map((r) => [r.object, r]));
  }

  /** Assignments on projects (one project, or all) and domains. */
  async list(filter: { projectId?: string; domainId?: string } = {}): Promise<Assignment[]> {
    const roles = await this.rolesByObject();
    const out: Assignment[] = [];
    if (!filter.domainId) {
      const projects = filter.projectId ? [await this.projects.get(filter.projectId)].filter((p) => p !== undefined) : await this.projects.list();
      const byNs = new Map(projects.map((p) => [p.namespace, p]));
      const single = filter.projectId ? projects[0]?.namespace : undefined;
      if (filter.projectId && !single) return [];
      const list = await this.kube.listAll<RoleBindingObject>(R.roleBindings, single ? { namespace: single } : {});
      const groups = new Map<string, RoleBindingObject[]>();
      for (const b of list.items) {
        const ns = b.metadata.namespace ?? '';
        if (!byNs.has(ns)) continue;
        groups.set(ns, [...(groups.get(ns) ?? []), b]);
      }
      for (const [ns, bindings] of groups) out.push(...assignmentsFromBindings(bindings, byNs.get(ns) as ProjectRecord, roles));
    }
    if (!filter.projectId) out.push(...(await this.domainAssignments(roles, filter.domainId)));
    return out;
  }

  private async domainAssignments(roles: Map<string, RoleRecord>, domainId?: string): Promise<Assignment[]> {
    const sel = `${L.managedBy}=dicot,${L.kind}=${DOMAIN_KIND}${domainId ? `,${L.domainId}=${domainId}` : ''}`;
    const list = await this.kube.listAll(R.configMaps, { namespace: SYSTEM_NS, labelSelector: sel });
    const out: Assignment[] = [];
    for (const cm of list.items.filter(alive)) {
      const l = cm.metadata.labels ?? {};
      const role = roles.get(l[L_ROLE] ?? '');
      const type = l[L_ACTOR_TYPE];
      if (!role || (type !== 'user' && type !== 'group')) continue;
      out.push({ role, actor: { type, id: l[L_ACTOR_ID] ?? '' }, scope: { domainId: l[L.domainId] ?? '' } });
    }
    return out;
  }

  /** The roles an actor set (a user and its groups) holds on a project (inherited from its domain too), implied ones included. */
  async rolesOnProject(project: ProjectRecord, userId: string, groupIds: string[]): Promise<RoleRecord[]> {
    const [direct, inherited] = await Promise.all([this.list({ projectId: project.id }), this.listInherited({ domainId: project.domainId })]);
    const held = [...direct, ...inherited].filter((a) => (a.actor.type === 'user' ? a.actor.id === userId : groupIds.includes(a.actor.id))).map((a) => a.role);
    return withImplied(held, await this.roles.list());
  }

  // ---- OS-INHERIT ----

  /** Inherited assignments recorded on a domain or a project (or all). */
  async listInherited(filter: { projectId?: string; domainId?: string } = {}): Promise<Assignment[]> {
    const scope = filter.projectId ? `,${L_SCOPE_TYPE}=project,${L_SCOPE_ID}=${filter.projectId}` : filter.domainId ? `,${L_SCOPE_TYPE}=domain,${L_SCOPE_ID}=${filter.domainId}` : '';
    const [list, roles] = await Promise.all([
      this.kube.listAll(R.configMaps, { namespace: SYSTEM_NS, labelSelector: `${L.managedBy}=dicot,${L.kind}=${INHERITED_KIND}${scope}` }),
      this.rolesByObject(),
    ]);
    const out: Assignment[] = [];
    for (const cm of list.items.filter(alive)) {
      const l = cm.metadata.labels ?? {};
      const role = roles.get(l[L_ROLE] ?? '');
      const type = l[L_ACTOR_TYPE];
      const id = l[L_SCOPE_ID] ?? '';
      if (!role || (type !== 'user' && type !== 'group')) continue;
      out.push({ role, actor: { type, id: l[L_ACTOR_ID] ?? '' }, scope: l[L_SCOPE_TYPE] === 'project' ? { projectId: id } : { domainId: id }, inherited: true });
    }
    return out;
  }

  async grantInherited(scope: Scope, role: RoleRecord, type: ActorType, id: string): Promise<void> {
    const [kind, scopeId] = 'projectId' in scope ? ['project', scope.projectId] : ['domain', scope.domainId];
    await createIfAbsent(this.kube, R.configMaps, {
      metadata: {
        name: inheritedName(kind, scopeId, role, type, id),
        namespace: SYSTEM_NS,
        labels: { ...MANAGED, [L.kind]: INHERITED_KIND, [L_SCOPE_TYPE]: kind, [L_SCOPE_ID]: scopeId, [L_ROLE]: role.object, [L_ACTOR_TYPE]: type, [L_ACTOR_ID]: id },
      },
    });
    if ('domainId' in scope) await Promise.all((await this.projects.list(scope.domainId)).map((p) => createIfAbsent(this.kube, R.roleBindings, inheritedBinding(p.namespace, scope.domainId, role.object, type, id))));
    if (role.name === 'admin') await createIfAbsent(this.kube, R.clusterRoleBindings, cloudAdminBinding(type, id));
  }

  async checkInherited(scope: Scope, role: RoleRecord, type: ActorType, id: string): Promise<boolean> {
    return (await this.listInherited(scope)).some((a) => a.role.id === role.id && a.actor.type === type && a.actor.id === id);
  }

  /** Removes an inherited assignment and what it bound; false when there was none. */
  async revokeInherited(scope: Scope, role: RoleRecord, type: ActorType, id: string): Promise<boolean> {
    const [kind, scopeId] = 'projectId' in scope ? ['project', scope.projectId] : ['domain', scope.domainId];
    const found = await deleteIfPresent(this.kube, R.configMaps, inheritedName(kind, scopeId, role, type, id), SYSTEM_NS);
    if ('domainId' in scope) {
      const name = inheritedBindingName(role.object, type, id);
      await Promise.all((await this.projects.list(scope.domainId)).map((p) => deleteIfPresent(this.kube, R.roleBindings, name, p.namespace)));
    }
    if (found && role.name === 'admin') await this.dropCloudAdminIfLast(type, id);
    return found;
  }

  /** A new project gets the bindings of the assignments its domain passes on. */
  async applyInherited(project: ProjectRecord): Promise<void> {
    const inherited = await this.listInherited({ domainId: project.domainId });
    await Promise.all(inherited.map((a) => createIfAbsent(this.kube, R.roleBindings, inheritedBinding(project.namespace, project.domainId, a.role.object, a.actor.type, a.actor.id))));
  }

  /** Effective view of inherited assignments: each domain one on every project of its domain. */
  async expandInherited(list: Assignment[]): Promise<Assignment[]> {
    const domains = [...new Set(list.flatMap((a) => ('domainId' in a.scope ? [a.scope.domainId] : [])))];
    const projects = new Map(await Promise.all(domains.map(async (d) => [d, await this.projects.list(d)] as const)));
    return list.flatMap((a) => ('domainId' in a.scope ? (projects.get(a.scope.domainId) ?? []).map((p) => ({ ...a, scope: { projectId: p.id }, inherited: false, inheritedFrom: (a.scope as { domainId: string }).domainId })) : []));
  }

  async rolesOnDomain(domainId: string, userId: string, groupIds: string[]): Promise<RoleRecord[]> {
    const roles = await this.rolesByObject();
    const all = await this.domainAssignments(roles, domainId);
    const direct = all.filter((a) => (a.actor.type === 'user' ? a.actor.id === userId : groupIds.includes(a.actor.id))).map((a) => a.role);
    return withImplied(direct, [...roles.values()]);
  }

  /** True when the actor (or one of its groups) is a cloud admin. */
  async isCloudAdmin(userId: string, groupIds: string[]): Promise<boolean> {
    const names = [cloudAdminBindingName('user', userId), ...groupIds.map((g) => cloudAdminBindingName('group', g))];
    for (const name of names) {
      try {
        await this.kube.get(R.clusterRoleBindings, name);
        return true;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return false;
  }

  async grant(scope: Scope, role: RoleRecord, type: ActorType, id: string): Promise<void> {
    if ('projectId' in scope) {
      const project = await this.projects.get(scope.projectId);
      if (!project) throw new NotFoundError(404, 'NotFound', `Could not find project: ${scope.projectId}.`);
      await createIfAbsent(this.kube, R.roleBindings, roleBinding(project.namespace, role.object, type, id));
    } else {
      await createIfAbsent(this.kube, R.configMaps, {
        metadata: {
          name: domainAssignmentName(scope.domainId, role, type, id),
          namespace: SYSTEM_NS,
          labels: { ...MANAGED, [L.kind]: DOMAIN_KIND, [L.domainId]: scope.domainId, [L_ROLE]: role.object, [L_ACTOR_TYPE]: type, [L_ACTOR_ID]: id },
        },
      });
    }
    if (role.name === 'admin') await createIfAbsent(this.kube, R.clusterRoleBindings, cloudAdminBinding(type, id));
  }

  async check(scope: Scope, role: RoleRecord, type: ActorType, id: string): Promise<boolean> {
    const all = await this.list(scope);
    return all.some((a) => a.role.id === role.id && a.actor.type === type && a.actor.id === id);
  }

  /** Removes the assignment wherever it is recorded; false when there was none. */
  async revoke(scope: Scope, role: RoleRecord, type: ActorType, id: string): Promise<boolean> {
    let found = false;
    if ('projectId' in scope) {
      const project = await this.projects.get(scope.projectId);
      if (!project) return false;
      const list = await this.kube.listAll<RoleBindingObject>(R.roleBindings, { namespace: project.namespace });
      for (const b of list.items) {
        if (b.roleRef?.kind !== 'ClusterRole' || b.roleRef.name !== role.object || b.metadata.labels?.[L_INHERITED_FROM]) continue;
        const subjects = b.subjects ?? [];
        const keep = subjects.filter((s) => {
          const a = actorOf(s);
          return !(a && a.type === type && a.id === id);
        });
        if (keep.length === subjects.length) continue;
        found = true;
        const name = b.metadata.name ?? '';
        if (keep.length === 0) await deleteIfPresent(this.kube, R.roleBindings, name, project.namespace);
        else await this.kube.patch(R.roleBindings, name, { subjects: keep }, { namespace: project.namespace, type: 'merge' });
      }
    } else {
      found = await deleteIfPresent(this.kube, R.configMaps, domainAssignmentName(scope.domainId, role, type, id), SYSTEM_NS);
    }
    if (found && role.name === 'admin') await this.dropCloudAdminIfLast(type, id);
    return found;
  }

  private async dropCloudAdminIfLast(type: ActorType, id: string): Promise<void> {
    const still = [...(await this.list()), ...(await this.listInherited())].some((a) => a.role.name === 'admin' && a.actor.type === type && a.actor.id === id);
    if (!still) await deleteIfPresent(this.kube, R.clusterRoleBindings, cloudAdminBindingName(type, id));
  }

  /** Removes every assignment of a deleted user or group. */
  async removeActor(type: ActorType, id: string): Promise<void> {
    for (const a of await this.list()) {
      if (a.actor.type === type && a.actor.id === id) await this.revoke(a.scope, a.role, type, id);
    }
    for (const a of await this.listInherited()) {
      if (a.actor.type === type && a.actor.id === id) await this.revokeInherited(a.scope, a.role, type, id);
    }
    await deleteIfPresent(this.kube, R.clusterRoleBindings, cloudAdminBindingName(type, id));
  }

  /** Effective view: group assignments expanded to their members, implied roles added. */
  async effective(list: Assignment[]): Promise<Assignment[]> {
    const allRoles = await this.roles.list();
    const out: Assignment[] = [];
    const seen = new Set<string>();
    const push = (a: Assignment) => {
      for (const role of withImplied([a.role], allRoles)) {
        const scope = 'projectId' in a.scope ? `p:${a.scope.projectId}` : `d:${a.scope.domainId}`;
        const key = `${role.id}|${a.actor.id}|${scope}|${a.inheritedFrom ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ ...a, role });
      }
    };
    for (const a of list) {
      if (a.actor.type === 'user') push(a);
      else for (const u of await this.users.list({ groupId: a.actor.id })) push({ ...a, actor: { type: 'user', id: u.id }, viaGroup: a.actor.id });
    }
    return out;
  }
}

function inheritedName(kind: string, scopeId: string, role: RoleRecord, type: ActorType, id: string): string {
  return `dicot-ia-${kind}-${scopeId}-${role.object.slice(ROLE_PREFIX.length)}-${type}-${id}`;
}

const inheritedBindingName = (roleObject: string, type: ActorType, id: string) => `dicot-inh-${roleObject.slice(ROLE_PREFIX.length)}-${type}-${id}`;

/** The RoleBinding an inherited domain assignment puts in each of the domain's projects. */
function inheritedBinding(namespace: string, domainId: string, roleObject: string, type: ActorType, id: string): KubeObject {
  const b = roleBinding(namespace, roleObject, type, id);
  return { ...b, metadata: { ...b.metadata, name: inheritedBindingName(roleObject, type, id), labels: { ...b.metadata.labels, [L_INHERITED_FROM]: domainId } } };
}

function domainAssignmentName(domainId: string, role: RoleRecord, type: ActorType, id: string): string {
  return `dicot-da-${domainId}-${role.object.slice(ROLE_PREFIX.length)}-${type}-${id}`;
}

async function createIfAbsent(kube: KubeClient, type: typeof R.roleBindings, obj: KubeObject): Promise<void> {
  try {
    await kube.create(type, obj);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

async function deleteIfPresent(kube: KubeClient, type: typeof R.roleBindings, name: string, namespace?: string): Promise<boolean> {
  try {
    await kube.delete(type, name, namespace ? { namespace } : {});
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

export { CLOUD_ADMIN_ROLE };
