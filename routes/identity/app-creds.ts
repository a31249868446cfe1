import { createRoute, z } from '@hono/zod-openapi';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import { hashSecret, randomSecret } from '../../src/identity/passwords.ts';
import { requireOwner } from '../../src/identity/policy.ts';
import { appCredView, normalizeExpiry } from '../../src/identity/views.ts';
import { authOf, idn, listBody, router, v3Of } from './common.ts';
import { AppCredCreate, P, json, listOf, noContent, oneOf } from './schemas.ts';

// /v3/users/{user_id}/application_credentials: Secrets in dicot-system holding a scrypt hash
// of the secret, which is shown once, at creation.

const tags = ['identity'];
const AppCred = oneOf('application_credential');

const list = createRoute({
  method: 'get',
  path: '/v3/users/{user_id}/application_credentials',
  tags,
  summary: "List a user's application credentials",
  request: { params: P.userId, query: z.object({ name: z.string().optional() }) },
  responses: { 200: json(listOf('application_credentials'), 'Application credentials') },
});
const create = createRoute({
  method: 'post',
  path: '/v3/users/{user_id}/application_credentials',
  tags,
  summary: 'Create an application credential for the current project',
  request: { params: P.userId, body: { content: { 'application/json': { schema: AppCredCreate } }, required: true } },
  responses: { 201: json(AppCred, 'Created (the secret is shown only here)') },
});
const show = createRoute({
  method: 'get',
  path: '/v3/users/{user_id}/application_credentials/{id}',
  tags,
  summary: 'Show an application credential',
  request: { params: P.appCred },
  responses: { 200: json(AppCred, 'Application credential') },
});
const remove = createRoute({
  method: 'delete',
  path: '/v3/users/{user_id}/application_credentials/{id}',
  tags,
  summary: 'Delete an application credential',
  request: { params: P.appCred },
  responses: { 204: noContent },
});

export const appCredRoutes = router()
  .openapi(list, async (c) => {
    const auth = authOf(c);
    const { user_id } = c.req.valid('param');
    requireOwner(auth, user_id, 'identity:list_application_credentials', true);
    const name = c.req.valid('query').name;
    const items = (await idn(c).appCreds.list(user_id)).filter((a) => name === undefined || a.name === name);
    return c.json(listBody(c, 'application_credentials', items.map((a) => appCredView(v3Of(c), a))), 200);
  })
  .openapi(create, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const { user_id } = c.req.valid('param');
    requireOwner(auth, user_id, 'identity:create_application_credential', false);
    if (!auth.projectId || !auth.claims.project) throw badRequest('An application credential needs a project-scoped token.');
    if (auth.claims.appcred?.restricted) throw forbidden('A restricted application credential cannot create application credentials.');
    const b = c.req.valid('json').application_credential;
    if (b.access_rules?.length) throw badRequest('Access rules are not supported.');
    // Keystone checks the roles the user holds on the project now, not those in the token.
    const [project, user] = await Promise.all([id.projects.get(auth.projectId), id.users.get(user_id)]);
    const held: { id: string; name: string }[] = project && user ? await id.assignments.rolesOnProject(project, user.id, user.groups) : auth.claims.roles;
    let roles = auth.claims.roles;
    if (b.roles?.length) {
      roles = b.roles.map((want) => {
        const r = held.find((h) => (want.id ? h.id === want.id : h.name === want.name));
        if (!r) throw forbidden(`The role ${want.id ?? want.name} is not one the user holds on the project.`);
        return r;
      });
    }
    let expiresAt: string | null = null;
    if (b.expires_at) {
      expiresAt = normalizeExpiry(b.expires_at) ?? null;
      if (!expiresAt) throw badRequest(`Invalid input for field 'expires_at': ${b.expires_at} is not a date-time.`);
      if (Date.parse(`${expiresAt}Z`) <= id.now()) throw badRequest('The expiration time is in the past.');
    }
    const secret = b.secret ?? randomSecret();
    await id.ensureSystemNamespace();
    const rec = await id.appCreds.create({
      name: b.name,
      userId: user_id,
      projectId: auth.projectId,
      description: b.description ?? null,
      roles: [...new Map(roles.map((r) => [r.id, { id: r.id, name: r.name }])).values()],
      unrestricted: b.unrestricted === true,
      expiresAt,
      secretHash: await hashSecret(secret, id.options.scrypt),
    });
    return c.json({ application_credential: appCredView(v3Of(c), rec, secret) }, 201);
  })
  .openapi(show, async (c) => {
    const auth = authOf(c);
    const p = c.req.valid('param');
    requireOwner(auth, p.user_id, 'identity:get_application_credential', true);
    const a = await idn(c).appCreds.get(p.id);
    if (!a || a.userId !== p.user_id) throw notFound(`Could not find Application Credential: ${p.id}.`);
    return c.json({ application_credential: appCredView(v3Of(c), a) }, 200);
  })
  .openapi(remove, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const p = c.req.valid('param');
    requireOwner(auth, p.user_id, 'identity:delete_application_credential', true);
    if (auth.claims.appcred?.restricted) throw forbidden('A restricted application credential cannot delete application credentials.');
    const a = await id.appCreds.get(p.id);
    if (!a || a.userId !== p.user_id) throw notFound(`Could not find Application Credential: ${p.id}.`);
    await id.appCreds.delete(a);
    await id.revocations.revokeAppCred(a.id);
    return c.body(null, 204);
  });
