import { createRoute, z } from '@hono/zod-openapi';
import { forbidden, notFound } from '../../src/core/faults.ts';
import { type AuthRequest, authenticate, validClaims } from '../../src/identity/authenticate.ts';
import { buildCatalog, tokenCatalog } from '../../src/identity/catalog.ts';
import { signToken } from '../../src/identity/tokens.ts';
import { domainView, projectView, tokenBody } from '../../src/identity/views.ts';
import { AuthBody, CatalogResponse, Links, Loose, NoCatalog, TokenResponse, json, listOf, noContent } from './schemas.ts';
import { authOf, idn, listBody, router, v3Of } from './common.ts';
import type { Assignment } from '../../src/identity/assignments.ts';

// /v3/auth/*: issue, validate, check and revoke tokens; what a token may be scoped to.

const tags = ['identity'];

const issue = createRoute({
  method: 'post',
  path: '/v3/auth/tokens',
  tags,
  summary: 'Authenticate and issue a token',
  request: { body: { content: { 'application/json': { schema: AuthBody } }, required: true }, query: NoCatalog },
  responses: { 201: json(TokenResponse, 'The token (its id in X-Subject-Token)') },
});

const validate = createRoute({
  method: 'get',
  path: '/v3/auth/tokens',
  tags,
  summary: 'Validate the token in X-Subject-Token',
  request: { query: NoCatalog },
  responses: { 200: json(TokenResponse, 'The token') },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v3/auth/tokens',
  tags,
  summary: 'Revoke the token in X-Subject-Token',
  responses: { 204: noContent },
});

const catalog = createRoute({
  method: 'get',
  path: '/v3/auth/catalog',
  tags,
  summary: 'The service catalog of the current token',
  responses: { 200: json(CatalogResponse, 'Catalog') },
});

const scopes = (what: 'projects' | 'domains') =>
  createRoute({
    method: 'get',
    path: `/v3/auth/${what}`,
    tags,
    summary: `The ${what} the current token's user may scope to`,
    responses: { 200: json(listOf(what), what) },
  });

const system = createRoute({
  method: 'get',
  path: '/v3/auth/system',
  tags,
  summary: 'Whether the user may scope to the system',
  responses: { 200: json(z.object({ system: z.array(Loose), links: Links }), 'System scopes') },
});

function toAuthRequest(body: z.infer<typeof AuthBody>): AuthRequest {
  const { identity, scope } = body.auth;
  if (scope && typeof scope === 'object' && scope['OS-TRUST:trust']) throw forbidden('Trusts are not supported.');
  return {
    methods: identity.methods,
    password: identity.password,
    token: identity.token,
    applicationCredential: identity.application_credential,
    scope: scope as AuthRequest['scope'],
  };
}

async function catalogFor(c: Parameters<typeof v3Of>[0], projectId: string | undefined) {
  const regions = c.get('gateway').config.regions.map((r) => r.name);
  return tokenCatalog(await buildCatalog(c.get('baseUrl'), regions, projectId));
}

export const tokenRoutes = router()
  .openapi(issue, async (c) => {
    const id = idn(c);
    const body = c.req.valid('json');
    await id.ensureSystemNamespace();
    const input = await authenticate(id, toAuthRequest(body));
    const { token, claims } = await signToken(id.keys, input, id.now());
    const nocatalog = c.req.valid('query').nocatalog !== undefined;
    const scoped = claims.project || claims.domain || claims.system;
    const cat = nocatalog || !scoped ? undefined : await catalogFor(c, claims.project?.id); // Keystone: no catalog key when unscoped
    c.set('userId', claims.sub);
    c.header('X-Subject-Token', token);
    return c.json({ token: tokenBody(claims, cat) }, 201);
  })
  .openapi(validate, async (c) => {
    const id = idn(c);
    authOf(c);
    const subject = c.req.header('x-subject-token');
    if (!subject) throw notFound('Could not find token.');
    const claims = await validClaims(id, subject);
    const nocatalog = c.req.valid('query').nocatalog !== undefined;
    const scoped = claims.project || claims.domain || claims.system;
    const cat = nocatalog || !scoped ? undefined : await catalogFor(c, claims.project?.id); // Keystone: no catalog key when unscoped
    c.header('X-Subject-Token', subject);
    return c.json({ token: tokenBody(claims, cat) }, 200);
  })
  .openapi(revoke, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const subject = c.req.header('x-subject-token');
    if (!subject) throw notFound('Could not find token.');
    const claims = await validClaims(id, subject);
    // Anyone may revoke their own tokens; only admins someone else's.
    if (claims.sub !== auth.userId && !auth.isAdmin) throw forbidden('You are not authorized to perform the requested action: identity:revoke_token.');
    await id.revocations.revokeToken(claims);
    return c.body(null, 204);
  })
  .openapi(catalog, async (c) => {
    const auth = authOf(c);
    if (!auth.projectId && !auth.domainId && !auth.system) throw forbidden('The service catalog is empty for an unscoped token.');
    return c.json({ catalog: await catalogFor(c, auth.projectId), links: { self: `${v3Of(c)}/auth/catalog`, previous: null, next: null } }, 200);
  })
  .openapi(scopes('projects'), async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    // Keystone answers from the current assignments and group memberships, not the token's.
    const groups = (await id.users.get(auth.userId))?.groups ?? [];
    const projects = await userProjects(id, auth.userId, groups);
    return c.json(listBody(c, 'projects', projects.map((p) => projectView(v3Of(c), p))), 200);
  })
  .openapi(scopes('domains'), async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const [all, user] = await Promise.all([id.assignments.list(), id.users.get(auth.userId)]);
    const groups = user?.groups ?? [];
    const mine = new Set(
      all
        .filter((a) => 'domainId' in a.scope && (a.actor.type === 'user' ? a.actor.id === auth.userId : groups.includes(a.actor.id)))
        .map((a) => ('domainId' in a.scope ? a.scope.domainId : '')),
    );
    const domains = (await id.domains.list()).filter((d) => d.enabled && mine.has(d.id));
    return c.json(listBody(c, 'domains', domains.map((d) => domainView(v3Of(c), d))), 200);
  })
  .openapi(system, async (c) => {
    const id = idn(c);
    const auth = authOf(c);
    const admin = await id.assignments.isCloudAdmin(auth.userId, auth.claims.groups);
    return c.json({ system: admin ? [{ all: true }] : [], links: { self: `${v3Of(c)}/auth/system`, previous: null, next: null } }, 200);
  });

/** Enabled projects where the user (directly, through a group, or by inheritance from a domain) holds a role. */
export async function userProjects(id: ReturnType<typeof idn>, userId: string, groups: string[]) {
  const mine = (a: Assignment) => (a.actor.type === 'user' ? a.actor.id === userId : groups.includes(a.actor.id));
  const [direct, inherited, projects] = await Promise.all([id.assignments.list(), id.assignments.listInherited(), id.projects.list()]);
  const ids = new Set(direct.filter((a) => 'projectId' in a.scope && mine(a)).map((a) => ('projectId' in a.scope ? a.scope.projectId : '')));
  const domains = new Set(inherited.filter((a) => 'domainId' in a.scope && mine(a)).map((a) => ('domainId' in a.scope ? a.scope.domainId : '')));
  return projects.filter((p) => p.enabled && (ids.has(p.id) || domains.has(p.domainId)));
}

