import { createRoute } from '@hono/zod-openapi';
import { type KeyType, Keypairs, fingerprintOf, generateSshKeyPair, generateX509KeyPair } from '../../src/compute/keypairs.ts';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import { pageRequest, paginate } from '../../src/core/pagination.ts';
import { identityOf } from '../../src/identity/service.ts';
import { type Ctx, authOf, checkQuery, nextHref, queryOf, router, versionOf } from './common.ts';
import { accepted, body, json, noContent } from './schemas/common.ts';
import { KeypairCreateBody, KeypairCreated, KeypairList, KeypairNameParam, KeypairOwnerQuery, KeypairQuery, KeypairShow } from './schemas/keypairs.ts';
import { keypairCreated, keypairListItem, keypairShow } from './views/keypairs.ts';

// /os-keypairs (nova keypairs.py): per-user keys; import, or generate when no public key is
// given (below 2.92, which this gateway never exceeds).

const tags = ['compute: keypairs'];
const listRoute = createRoute({ method: 'get', path: '/os-keypairs', tags, summary: 'List keypairs', request: { query: KeypairQuery }, responses: { 200: json(KeypairList, 'Keypairs') } });
const createKp = createRoute({
  method: 'post',
  path: '/os-keypairs',
  tags,
  summary: 'Import or generate a keypair',
  request: body(KeypairCreateBody),
  responses: { 200: json(KeypairCreated, 'Created (2.1)'), 201: json(KeypairCreated, 'Created (2.2+)') },
});
const showRoute = createRoute({ method: 'get', path: '/os-keypairs/{name}', tags, summary: 'Show a keypair', request: { params: KeypairNameParam, query: KeypairQuery }, responses: { 200: json(KeypairShow, 'Keypair') } });
const deleteRoute = createRoute({
  method: 'delete',
  path: '/os-keypairs/{name}',
  tags,
  summary: 'Delete a keypair',
  request: { params: KeypairNameParam, query: KeypairQuery },
  responses: { 202: accepted, 204: noContent },
});

export function keypairStore(c: Ctx): Keypairs {
  const id = identityOf(c.get('gateway'));
  return new Keypairs(id.kube, () => id.ensureSystemNamespace());
}

/** Whose keypairs: the caller's, or (2.10, admins) the `user_id` asked for. */
function ownerOf(c: Ctx, requested: string | undefined): string {
  const auth = authOf(c);
  if (requested === undefined || !versionOf(c).atLeast('2.10')) return auth.userId;
  if (requested !== auth.userId && !auth.isAdmin) throw forbidden("Policy doesn't allow os_compute_api:os-keypairs:index to be performed.");
  return requested;
}

const NAME_221 = /^[a-zA-Z0-9 _-]+$/;

export const keypairRoutes = router()
  .openapi(listRoute, async (c) => {
    checkQuery(c, KeypairQuery);
    const v = versionOf(c);
    const q = queryOf(c);
    const userId = ownerOf(c, q.get('user_id') ?? undefined);
    const all = await keypairStore(c).list(userId);
    // limit/marker arrived at 2.35; below that the whole list.
    const page = v.atLeast('2.35')
      ? paginate(all, pageRequest(q), (k) => k.name, (m) => badRequest(`marker [${m}] not found`))
      : { items: all, next: undefined };
    const href = nextHref(c, page.next);
    return c.json({ keypairs: page.items.map((k) => ({ keypair: keypairListItem(k, v) })), ...(href ? { keypairs_links: [{ rel: 'next', href }] } : {}) }, 200);
  })
  .openapi(createKp, async (c) => {
    const v = versionOf(c);
    const { keypair: req } = c.req.valid('json');
    if (req.type !== undefined && !v.atLeast('2.2')) throw badRequest("Invalid input for field/attribute keypair. Additional properties are not allowed ('type' was unexpected)");
    if (req.user_id !== undefined && !v.atLeast('2.10')) throw badRequest("Invalid input for field/attribute keypair. Additional properties are not allowed ('user_id' was unexpected)");
    if (!NAME_221.test(req.name) || req.name.trim() !== req.name) {
      throw badRequest('Keypair data is invalid: Keypair name contains unsafe characters');
    }
    const auth = authOf(c);
    const userId = req.user_id ?? auth.userId;
    if (userId !== auth.userId && !auth.isAdmin) throw forbidden("Policy doesn't allow os_compute_api:os-keypairs:create to be performed.");
    const type: KeyType = req.type ?? 'ssh';
    let publicKey = req.public_key;
    let privateKey: string | undefined;
    if (publicKey === undefined) {
      ({ publicKey, privateKey } = type === 'x509' ? await generateX509KeyPair(userId) : await generateSshKeyPair());
    }
    const fingerprint = await fingerprintOf(type, publicKey);
    const kp = await keypairStore(c).create({ userId, name: req.name, type, publicKey, fingerprint });
    return c.json({ keypair: keypairCreated(kp, v, privateKey) }, v.atLeast('2.2') ? 201 : 200);
  })
  .openapi(showRoute, async (c) => {
    checkQuery(c, KeypairOwnerQuery);
    const { name } = c.req.valid('param');
    const userId = ownerOf(c, queryOf(c).get('user_id') ?? undefined);
    const kp = await keypairStore(c).get(userId, name);
    if (!kp) throw notFound(`Keypair ${name} not found for user ${userId}`);
    return c.json({ keypair: keypairShow(kp, versionOf(c)) }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    checkQuery(c, KeypairOwnerQuery);
    const { name } = c.req.valid('param');
    const userId = ownerOf(c, queryOf(c).get('user_id') ?? undefined);
    const store = keypairStore(c);
    const kp = await store.get(userId, name);
    if (!kp) throw notFound(`Keypair ${name} not found for user ${userId}`);
    await store.delete(kp);
    return c.body(null, versionOf(c).atLeast('2.2') ? 204 : 202);
  });
