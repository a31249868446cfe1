import { type KubeClient, NotFoundError } from '../kube/index.ts';
import { Assignments } from './assignments.ts';
import { upsertClusterRole } from './cluster-roles.ts';
import { Projects, Roles, Users } from './directory.ts';
import { DEFAULT_DOMAIN_ID, type ProjectRecord, SYSTEM_NS, type UserRecord } from './model.ts';
import { PRODUCTION_SCRYPT, hashSecret } from './passwords.ts';
import { BUILTIN_ROLES, cloudAdminClusterRole, roleClusterRole, roleObjectName } from './rbac.ts';
import type { ScryptParams } from './scrypt.ts';
import { ensureNamespace } from './service.ts';

// `keystone-manage bootstrap` for Kubernetes: the dicot-system namespace, the built-in roles
// (and the cloud-admin ClusterRole), then a user with a role on a project. Idempotent: run
// it again and it fixes what is missing; a given password replaces the stored one.

export interface BootstrapUser {
  name: string;
  password: string;
  project: string;
  role: (typeof BUILTIN_ROLES)[number];
}

export interface BootstrapResult {
  users: { name: string; id: string; project: string; projectId: string; role: string }[];
}

async function ensureUser(users: Users, u: BootstrapUser, hash: string): Promise<UserRecord> {
  const existing = await users.findByName(u.name, DEFAULT_DOMAIN_ID);
  if (!existing) return users.create({ name: u.name, domainId: DEFAULT_DOMAIN_ID, enabled: true }, hash);
  await users.setPassword(existing, hash, 0, Date.now());
  return (await users.get(existing.id)) as UserRecord;
}

async function ensureProject(projects: Projects, name: string): Promise<ProjectRecord> {
  return (await projects.findByName(name, DEFAULT_DOMAIN_ID)) ?? projects.create({ name, domainId: DEFAULT_DOMAIN_ID, enabled: true, description: `Bootstrap project ${name}` });
}

/** Roles, then each user with its role on its project. `kube` must be able to manage RBAC. */
export async function bootstrap(kube: KubeClient, users: BootstrapUser[], opts: { scrypt?: ScryptParams } = {}): Promise<BootstrapResult> {
  await ensureNamespace(kube, SYSTEM_NS);
  for (const name of BUILTIN_ROLES) {
    const role = roleClusterRole(await roleObjectName(name), name);
    await upsertClusterRole(kube, role);
  }
  await upsertClusterRole(kube, cloudAdminClusterRole());
  const projects = new Projects(kube);
  const roles = new Roles(kube);
  const userStore = new Users(kube);
  const assignments = new Assignments(kube, projects, roles, userStore);
  const out: BootstrapResult = { users: [] };
  for (const u of users) {
    const project = await ensureProject(projects, u.project);
    const user = await ensureUser(userStore, u, await hashSecret(u.password, opts.scrypt ?? PRODUCTION_SCRYPT));
    const role = await roles.findByName(u.role);
    if (!role) throw new NotFoundError(404, 'NotFound', `role ${u.role} missing after bootstrap`);
    await assignments.grant({ projectId: project.id }, role, 'user', user.id);
    out.users.push({ name: u.name, id: user.id, project: project.name, projectId: project.id, role: role.name });
  }
  return out;
}
