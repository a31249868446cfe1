import type { DomainRecord, GroupRecord, ProjectRecord, UserRecord } from './model.ts';
import type { Identity } from './service.ts';

// Deleting an identity object takes what hangs off it (tokens, assignments, credentials), the
// same way whether one object is deleted or a domain goes with all it holds.

export async function removeProject(id: Identity, p: ProjectRecord): Promise<void> {
  await id.revocations.revokeProject(p.id);
  // The namespace goes with the project, and with it the project's role bindings.
  await id.projects.delete(p);
}

export async function removeUser(id: Identity, u: UserRecord): Promise<void> {
  await id.revocations.revokeUser(u.id);
  await id.assignments.removeActor('user', u.id);
  await Promise.all([...(await id.appCreds.list(u.id)).map((a) => id.appCreds.delete(a)), ...(await id.credentials.list({ userId: u.id })).map((c) => id.credentials.delete(c))]);
  await id.users.delete(u);
}

export async function removeGroup(id: Identity, g: GroupRecord): Promise<void> {
  await id.assignments.removeActor('group', g.id);
  for (const u of await id.users.list({ groupId: g.id })) {
    await id.users.setGroup(u, g.id, false);
    await id.revocations.revokeUser(u.id);
  }
  await id.groups.delete(g);
}

/** Keystone deletes a (disabled) domain with its projects, users and groups, and every role held on it. */
export async function removeDomainContents(id: Identity, d: DomainRecord): Promise<void> {
  const [projects, users, groups, onDomain, inherited] = await Promise.all([
    id.projects.list(d.id),
    id.users.list({ domainId: d.id }),
    id.groups.list(d.id),
    id.assignments.list({ domainId: d.id }),
    id.assignments.listInherited({ domainId: d.id }),
  ]);
  // Roles on the domain held by actors of other domains (an admin one is a cloud admin).
  for (const a of onDomain) await id.assignments.revoke(a.scope, a.role, a.actor.type, a.actor.id);
  for (const a of inherited) await id.assignments.revokeInherited(a.scope, a.role, a.actor.type, a.actor.id);
  await Promise.all(projects.map((p) => removeProject(id, p)));
  for (const g of groups) await removeGroup(id, g);
  for (const u of users) await removeUser(id, u);
}
