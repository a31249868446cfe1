import { type TestGateway, call as identityCall } from '../helpers/gateway.ts';

// Shared by the compute service tests: requests with microversion headers, a member user
// in a project of its own, and waiting for a server to settle.

export const CV = (v: string) => ({ 'OpenStack-API-Version': `compute ${v}`, 'X-OpenStack-Nova-API-Version': v });
export const C = '/RegionOne/compute/v2.1';

/** A request with microversion (or other) headers: the shared test call. */
export const api = identityCall;

/** Creates project `name` with a member user `name`, and returns that user's token. */
export async function memberToken(gw: TestGateway, admin: string, name = 'demo'): Promise<string> {
  const project = await identityCall(gw, admin, 'POST', '/identity/v3/projects', { project: { name, domain_id: 'default' } });
  if (project.status !== 201) throw new Error(`project: ${project.status} ${JSON.stringify(project.body)}`);
  const user = await identityCall(gw, admin, 'POST', '/identity/v3/users', { user: { name, password: `${name}-pw`, domain_id: 'default' } });
  if (user.status !== 201) throw new Error(`user: ${user.status} ${JSON.stringify(user.body)}`);
  const roles = await identityCall(gw, admin, 'GET', '/identity/v3/roles?name=member');
  const role = roles.body.roles[0].id;
  const grant = await identityCall(gw, admin, 'PUT', `/identity/v3/projects/${project.body.project.id}/users/${user.body.user.id}/roles/${role}`);
  if (grant.status !== 204) throw new Error(`grant: ${grant.status}`);
  return gw.login(name, `${name}-pw`, name);
}

export const demoToken = (gw: TestGateway, admin: string) => memberToken(gw, admin, 'demo');

/** Polls `fn` until it returns a value (not undefined); fails after `tries` polls. */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
