import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { GatewayEnv } from '../../src/core/context.ts';
import { badRequest, notFound, unauthorized } from '../../src/core/faults.ts';
import type { UserFields } from '../../src/identity/directory.ts';
import type { UserRecord } from '../../src/identity/model.ts';
import { hashSecret, verifySecret } from '../../src/identity/passwords.ts';
import { requireAdmin, requireSelfOrAdmin } from '../../src/identity/policy.ts';
import type { Identity } from '../../src/identity/service.ts';
import { groupView, projectView, userView } from '../../src/identity/views.ts';
import { authOf, boolFilter, idn, listBody, router, v3Of } from './common.ts';
import { P, PasswordChange, UserCreate, UserQuery, UserUpdate, json, listOf, noContent, oneOf } from './schemas.ts';
import { userProjects } from './tokens.ts';
import { removeUser } from '../../src/identity/removal.ts';

// /v3/users: users are Secrets in dicot-system; passwords are kept only as scrypt hashes.

const tags = ['identity'];
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const User = oneOf('user');

const list = createRoute({ method: 'get', path: '/v3/users', tags, summary: 'List users', request: { query: UserQuery }, responses: { 200: json(listOf('users'), 'Users') } });
const create = createRoute({ method: 'post', path: '/v3/users', tags, summary: 'Create a user', request: body(UserCreate), responses: { 201: json(User, 'Created') } });
const show = createRoute({ method: 'get', path: '/v3/users/{id}', tags, summary: 'Show a user', request: { params: P.id }, responses: { 200: json(User, 'User') } });
const update = createRoute({ method: 'patch', path: '/v3/users/{id}', tags, summary: 'Update a user', request: { params: P.id, ...body(UserUpdate) }, responses: { 200: json(User, 'Updated') } });
const remove = createRoute({ method: 'delete', path: '/v3/users/{id}', tags, summary: 'Delete a user', request: { params: P.id }, responses: { 204: noContent } });
const password = createRoute({
  method: 'post',
  path: '/v3/users/{id}/password',
  tags,
  summary: "Change one's own password",
  request: { params: P.id, ...body(PasswordChange) },
  responses: { 204: noContent },
});
const projects = createRoute({ method: 'get', path: '/v3/users/{id}/projects', tags, summary: "A user's projects", request: { params: P.id }, responses: { 200: json(listOf('projects'), 'Projects') } });
const groups = createRoute({ method: 'get', path: '/v3/users/{id}/groups', tags, summary: "A user's groups", request: { params: P.id }, responses: { 200: json(listOf('groups'), 'Groups') } });

const KNOWN = new Set(['name', 'domain_id', 'password', 'enabled', 'email', 'description', 'default_project_id', 'options', 'id', 'links']);
const extraOf = (u: Record<string, unknown>) => Object.fromEntries(Object.entries(u).filter(([k]) => !KNOWN.has(k)));

async function getUser(id: Identity, userId: string): Promise<UserRecord> {
  const u = await id.users.get(userId);
  if (!u) throw notFound(`Could not find user: ${userId}.`);
  return u;
}

/** A new password must differ from the last N (the current one included). */
async function checkHistory(id: Identity, u: UserRecord, pw: string): Promise<void> {
  const n = id.options.uniqueLastPasswordCount;
  if (n <= 0) return;
  const recent = [u.passwordHash, ...u.passwordHistory].filter((h): h is string => Boolean(h)).slice(0, n);
  for (const h of recent) {
    if (await verifySecret(pw, h)) throw badRequest(`The new password cannot be identical to a previous password. The total number which includes the new password must be unique is ${n}.`);
  }
}

async function setPassword(id: Identity, u: UserRecord, pw: string): Promise<void> {
  await id.users.setPassword(u, await hashSecret(pw, id.options.scrypt), id.options.uniqueLastPasswordCount, id.now());
  await id.revocations.revokeUser(u.id);
}

async function checkDefaultProject(id: Identity, projectId: string | null | undefined): Promise<void> {
  if (projectId && !(await id.projects.get(projectId))) throw badRequest(`Could not find project: ${projectId}.`);
}

function selfOnly(c: Context<GatewayEnv>, userId: string, action: string) {
  requireSelfOrAdmin(authOf(c), userId, action);
}

export const userRoutes = router()
  .openapi(list, async (c) => {
    requireAdmin(authOf(c), 'identity:list_users');
    const q = c.req.valid('query');
    let items = await idn(c).users.list({ domainId: q.domain_id });
    const enabled = boolFilter(q.enabled);
    if (q.name !== undefined) items = items.filter((u) => u.name === q.name);
    if (enabled !== undefined) items = items.filter((u) => u.enabled === enabled);
    return c.json(listBody(c, 'users', items.map((u) => userView(v3Of(c), u))), 200);
  })
  .openapi(create, async (c) => {
    const auth = authOf(c);
    requireAdmin(auth, 'identity:create_user');
    const id = idn(c);
    const u = c.req.valid('json').user;
    const domainId = u.domain_id ?? auth.claims.project?.domain.id ?? 'default';
    if (!(await id.domains.get(domainId))) throw notFound(`Could not find domain: ${domainId}.`);
    await checkDefaultProject(id, u.default_project_id);
    const hash = u.password ? await hashSecret(u.password, id.options.scrypt) : undefined;
    await id.ensureSystemNamespace();
    const user = await id.users.create(
      {
        name: u.name,
        domainId,
        enabled: u.enabled ?? true,
        email: u.email ?? undefined,
        description: u.description ?? undefined,
        defaultProjectId: u.default_project_id ?? undefined,
        extra: extraOf(u),
      },
      hash,
    );
    return c.json({ user: userView(v3Of(c), user) }, 201);
  })
  .openapi(show, async (c) => {
    const userId = c.req.valid('param').id;
    selfOnly(c, userId, 'identity:get_user');
    return c.json({ user: userView(v3Of(c), await getUser(idn(c), userId)) }, 200);
  })
  .openapi(update, async (c) => {
    const id = idn(c);
    const userId = c.req.valid('param').id;
    requireAdmin(authOf(c), 'identity:update_user');
    const u = await getUser(id, userId);
    const b = c.req.valid('json').user;
    if (b.domain_id !== undefined && b.domain_id !== u.domainId) throw badRequest('Cannot change the domain of a user.');
    await checkDefaultProject(id, b.default_project_id);
    const fields: UserFields = {
      name: b.name,
      enabled: b.enabled,
      email: b.email,
      description: b.description,
      defaultProjectId: b.default_project_id,
      ...(Object.keys(extraOf(b)).length ? { extra: extraOf(b) } : {}),
    };
    let out = await id.users.update(u, fields);
    if (b.password) {
      await setPassword(id, out, b.password);
      out = await getUser(id, userId);
    }
    if (b.enabled === false && u.enabled) await id.revocations.revokeUser(u.id);
    return c.json({ user: userView(v3Of(c), out) }, 200);
  })
  .openapi(remove, async (c) => {
    const id = idn(c);
    requireAdmin(authOf(c), 'identity:delete_user');
    const u = await getUser(id, c.req.valid('param').id);
    await removeUser(id, u);
    return c.body(null, 204);
  })
  .openapi(password, async (c) => {
    const id = idn(c);
    const userId = c.req.valid('param').id;
    // Keystone enforces no policy here: knowing the current password is the authorisation.
    const { password: next, original_password } = c.req.valid('json').user;
    const u = await getUser(id, userId);
    if (!u.passwordHash || !(await verifySecret(original_password, u.passwordHash))) throw unauthorized('The request you have made requires authentication.');
    await checkHistory(id, u, next);
    await setPassword(id, u, next);
    return c.body(null, 204);
  })
  .openapi(projects, async (c) => {
    const id = idn(c);
    const userId = c.req.valid('param').id;
    selfOnly(c, userId, 'identity:list_user_projects');
    const u = await getUser(id, userId);
    const items = await userProjects(id, u.id, u.groups);
    return c.json(listBody(c, 'projects', items.map((p) => projectView(v3Of(c), p))), 200);
  })
  .openapi(groups, async (c) => {
    const id = idn(c);
    const userId = c.req.valid('param').id;
    selfOnly(c, userId, 'identity:list_groups_for_user');
    const u = await getUser(id, userId);
    const all = await id.groups.list();
    return c.json(listBody(c, 'groups', all.filter((g) => u.groups.includes(g.id)).map((g) => groupView(v3Of(c), g))), 200);
  });
