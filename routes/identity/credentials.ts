import { createRoute, z } from '@hono/zod-openapi';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import { ec2Access } from '../../src/identity/credentials.ts';
import { requireOwner } from '../../src/identity/policy.ts';
import { credentialView, ec2View } from '../../src/identity/views.ts';
import { authOf, idn, listBody, router, v3Of } from './common.ts';
import { json, listOf, noContent, oneOf } from './schemas.ts';

// /v3/credentials (Keystone's credential store) and /v3/users/{user_id}/credentials/OS-EC2,
// the EC2 view of the credentials of type `ec2`. Admins see every credential, users their own.

const tags = ['identity'];
const Credential = oneOf('credential');
const Fields = z.object({
  user_id: z.string().min(1).max(64),
  project_id: z.string().min(1).max(64).nullable().optional(),
  type: z.string().min(1).max(255),
  blob: z.string().min(1),
});
const CredentialCreate = z.object({ credential: Fields });
const CredentialUpdate = z.object({ credential: Fields.partial().refine((f) => Object.keys(f).length > 0, 'at least one attribute') });
const Ec2Create = z.object({ tenant_id: z.string().min(1).max(64) });
const IdParam = z.object({ id: z.string() });
const Ec2Param = z.object({ user_id: z.string(), access: z.string() });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const routes = {
  list: createRoute({ method: 'get', path: '/v3/credentials', tags, summary: 'List credentials', request: { query: z.object({ user_id: z.string().optional(), type: z.string().optional() }) }, responses: { 200: json(listOf('credentials'), 'Credentials') } }),
  create: createRoute({ method: 'post', path: '/v3/credentials', tags, summary: 'Create a credential', request: body(CredentialCreate), responses: { 201: json(Credential, 'Created') } }),
  show: createRoute({ method: 'get', path: '/v3/credentials/{id}', tags, summary: 'Show a credential', request: { params: IdParam }, responses: { 200: json(Credential, 'Credential') } }),
  update: createRoute({ method: 'patch', path: '/v3/credentials/{id}', tags, summary: 'Update a credential', request: { params: IdParam, ...body(CredentialUpdate) }, responses: { 200: json(Credential, 'Updated') } }),
  remove: createRoute({ method: 'delete', path: '/v3/credentials/{id}', tags, summary: 'Delete a credential', request: { params: IdParam }, responses: { 204: noContent } }),
  ec2List: createRoute({ method: 'get', path: '/v3/users/{user_id}/credentials/OS-EC2', tags, summary: "List a user's EC2 credentials", request: { params: z.object({ user_id: z.string() }) }, responses: { 200: json(listOf('credentials'), 'EC2 credentials') } }),
  ec2Create: createRoute({ method: 'post', path: '/v3/users/{user_id}/credentials/OS-EC2', tags, summary: 'Create an EC2 credential for a project', request: { params: z.object({ user_id: z.string() }), ...body(Ec2Create) }, responses: { 201: json(Credential, 'Created') } }),
  ec2Show: createRoute({ method: 'get', path: '/v3/users/{user_id}/credentials/OS-EC2/{access}', tags, summary: 'Show an EC2 credential', request: { params: Ec2Param }, responses: { 200: json(Credential, 'EC2 credential') } }),
  ec2Remove: createRoute({ method: 'delete', path: '/v3/users/{user_id}/credentials/OS-EC2/{access}', tags, summary: 'Delete an EC2 credential', request: { params: Ec2Param }, responses: { 204: noContent } }),
};

const notFoundCredential = (id: string) => notFound(`Could not find credential: ${id}.`);

/** Keystone's rules for a credential's fields (an ec2 blob names its access key and a project). */
function checkFields(f: { type: string; blob: string; projectId: string | null }): void {
  if (f.type !== 'ec2') return;
  if (!ec2Access(f.blob)) throw badRequest('Invalid blob in credential');
  if (!f.projectId) throw badRequest('Invalid blob in credential');
}

export const credentialRoutes = router()
  .openapi(routes.list, async (c) => {
    const auth = authOf(c);
    const q = c.req.valid('query');
    // Users see their own credentials whatever they ask for (Keystone filters, it does not refuse).
    const userId = auth.isAdmin ? q.user_id : auth.userId;
    const items = (await idn(c).credentials.list({ ...(userId ? { userId } : {}), ...(q.type ? { type: q.type } : {}) })).filter((x) => q.user_id === undefined || x.userId === q.user_id);
    return c.json(listBody(c, 'credentials', items.map((x) => credentialView(v3Of(c), x))), 200);
  })
  .openapi(routes.create, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const b = c.req.valid('json').credential;
    requireOwner(auth, b.user_id, 'identity:create_credential', true);
    if (!(await id.users.get(b.user_id))) throw notFound(`Could not find user: ${b.user_id}.`);
    if (b.project_id && !(await id.projects.get(b.project_id))) throw notFound(`Could not find project: ${b.project_id}.`);
    const fields = { userId: b.user_id, projectId: b.project_id ?? null, type: b.type, blob: b.blob };
    checkFields(fields);
    await id.ensureSystemNamespace();
    return c.json({ credential: credentialView(v3Of(c), await id.credentials.create(fields)) }, 201);
  })
  .openapi(routes.show, async (c) => {
    const auth = authOf(c);
    const cred = await idn(c).credentials.get(c.req.valid('param').id);
    if (!cred || (!auth.isAdmin && cred.userId !== auth.userId)) throw notFoundCredential(c.req.valid('param').id);
    return c.json({ credential: credentialView(v3Of(c), cred) }, 200);
  })
  .openapi(routes.update, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const cur = await id.credentials.get(c.req.valid('param').id);
    if (!cur || (!auth.isAdmin && cur.userId !== auth.userId)) throw notFoundCredential(c.req.valid('param').id);
    const b = c.req.valid('json').credential;
    if (b.user_id !== undefined && b.user_id !== cur.userId && !auth.isAdmin) throw forbidden('You are not authorized to perform the requested action: identity:update_credential.');
    if (b.project_id && !(await id.projects.get(b.project_id))) throw notFound(`Could not find project: ${b.project_id}.`);
    const next = {
      userId: b.user_id ?? cur.userId,
      projectId: b.project_id === undefined ? cur.projectId : b.project_id,
      type: b.type ?? cur.type,
      blob: b.blob ?? cur.blob,
    };
    checkFields(next);
    return c.json({ credential: credentialView(v3Of(c), await id.credentials.update(cur, next)) }, 200);
  })
  .openapi(routes.remove, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const cur = await id.credentials.get(c.req.valid('param').id);
    if (!cur || (!auth.isAdmin && cur.userId !== auth.userId)) throw notFoundCredential(c.req.valid('param').id);
    await id.credentials.delete(cur);
    return c.body(null, 204);
  })
  .openapi(routes.ec2List, async (c) => {
    const { user_id } = c.req.valid('param');
    requireOwner(authOf(c), user_id, 'identity:ec2_list_credentials', true);
    const items = await idn(c).credentials.list({ userId: user_id, type: 'ec2' });
    return c.json(listBody(c, 'credentials', items.map((x) => ec2View(v3Of(c), x))), 200);
  })
  .openapi(routes.ec2Create, async (c) => {
    const id = idn(c);
    const { user_id } = c.req.valid('param');
    requireOwner(authOf(c), user_id, 'identity:ec2_create_credential', true);
    const { tenant_id } = c.req.valid('json');
    if (!(await id.users.get(user_id))) throw notFound(`Could not find user: ${user_id}.`);
    if (!(await id.projects.get(tenant_id))) throw notFound(`Could not find project: ${tenant_id}.`);
    const hex = () => crypto.randomUUID().replace(/-/g, ''); // Keystone's: uuid4 hex
    const blob = JSON.stringify({ access: hex(), secret: hex(), trust_id: null });
    await id.ensureSystemNamespace();
    const cred = await id.credentials.create({ userId: user_id, projectId: tenant_id, type: 'ec2', blob });
    return c.json({ credential: ec2View(v3Of(c), cred) }, 201);
  })
  .openapi(routes.ec2Show, async (c) => {
    const p = c.req.valid('param');
    requireOwner(authOf(c), p.user_id, 'identity:ec2_get_credential', true);
    const cred = await idn(c).credentials.byAccess(p.user_id, p.access);
    if (!cred) throw notFound('Could not find credential.');
    return c.json({ credential: ec2View(v3Of(c), cred) }, 200);
  })
  .openapi(routes.ec2Remove, async (c) => {
    const id = idn(c);
    const p = c.req.valid('param');
    requireOwner(authOf(c), p.user_id, 'identity:ec2_delete_credential', true);
    const cred = await id.credentials.byAccess(p.user_id, p.access);
    if (!cred) throw notFound('Could not find credential.');
    await id.credentials.delete(cred);
    return c.body(null, 204);
  });
