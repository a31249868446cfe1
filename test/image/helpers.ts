import { type Json, type TestGateway, call } from '../helpers/gateway.ts';

// Shared by the image service tests: Glance calls, a member of a project of its own, data.

export const G = '/RegionOne/image/v2';

export async function glance(gw: TestGateway, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await gw.request(`${G}${path}`, {
    method,
    headers: { ...(token ? { 'x-auth-token': token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const patch = (gw: TestGateway, token: string, id: string, ops: unknown[]) =>
  glance(gw, token, 'PATCH', `/images/${id}`, JSON.stringify(ops), { 'content-type': 'application/openstack-images-v2.1-json-patch' });

export async function upload(gw: TestGateway, token: string, id: string, data: Uint8Array | ReadableStream<Uint8Array>, path = 'file'): Promise<Response> {
  return gw.request(`${G}/images/${id}/${path}`, {
    method: 'PUT',
    headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
    body: data,
    ...(data instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** A project with a member user of the same name: its token and project id. */
export async function member(gw: TestGateway, admin: string, name: string): Promise<{ token: string; projectId: string }> {
  const project = await call(gw, admin, 'POST', '/identity/v3/projects', { project: { name, domain_id: 'default' } });
  if (project.status !== 201) throw new Error(`project: ${project.status} ${JSON.stringify(project.body)}`);
  const user = await call(gw, admin, 'POST', '/identity/v3/users', { user: { name, password: `${name}-pw`, domain_id: 'default' } });
  if (user.status !== 201) throw new Error(`user: ${user.status}`);
  const roles = await call(gw, admin, 'GET', '/identity/v3/roles?name=member');
  const grant = await call(gw, admin, 'PUT', `/identity/v3/projects/${project.body.project.id}/users/${user.body.user.id}/roles/${roles.body.roles[0].id}`);
  if (grant.status !== 204) throw new Error(`grant: ${grant.status}`);
  return { token: await gw.login(name, `${name}-pw`, name), projectId: project.body.project.id };
}

export const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17) & 255);

/** Polls the image until `pred` holds. */
export async function waitImage(gw: TestGateway, token: string, id: string, pred: (img: Json) => boolean): Promise<Json> {
  for (let i = 0; i < 400; i++) {
    const r = await glance(gw, token, 'GET', `/images/${id}`);
    if (pred(r.body)) return r.body;
    await gw.sandbox.idle();
  }
  throw new Error(`image ${id} never reached the expected state`);
}
