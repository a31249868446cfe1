import { createRoute } from '@hono/zod-openapi';
import { badRequest } from '../../src/core/faults.ts';
import { addMember, findMember, membersVisibleTo, removeMember, updateMember } from '../../src/image/members.ts';
import { isoSeconds, memberView } from '../../src/image/model.ts';
import { getImage, imageContext, saveImage } from '../../src/image/service.ts';
import { jsonBody, router, tags } from './common.ts';
import { IdParam, Member, MemberCreate, MemberList, MemberParam, MemberUpdate, json, noContent } from './schemas.ts';

// /v2/images/{id}/members: sharing. The owner writes through its own (impersonating)
// client; a member accepting or rejecting writes the owner's object, so the gateway's own
// client does that after Glance's policy has been checked here.

const body = <T extends typeof MemberCreate | typeof MemberUpdate>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const list = createRoute({ method: 'get', path: '/images/{id}/members', tags, summary: 'List image members', request: { params: IdParam }, responses: { 200: json(MemberList, 'Members') } });
const create = createRoute({ method: 'post', path: '/images/{id}/members', tags, summary: 'Share an image with a project', request: { params: IdParam, ...body(MemberCreate) }, responses: { 200: json(Member, 'Member') } });
const show = createRoute({ method: 'get', path: '/images/{id}/members/{member}', tags, summary: 'Show an image member', request: { params: MemberParam }, responses: { 200: json(Member, 'Member') } });
const update = createRoute({ method: 'put', path: '/images/{id}/members/{member}', tags, summary: 'Accept or reject a shared image', request: { params: MemberParam, ...body(MemberUpdate) }, responses: { 200: json(Member, 'Member') } });
const remove = createRoute({ method: 'delete', path: '/images/{id}/members/{member}', tags, summary: 'Stop sharing an image with a project', request: { params: MemberParam }, responses: { 204: noContent } });

function field(b: unknown, key: string): string {
  const v = typeof b === 'object' && b !== null ? (b as Record<string, unknown>)[key] : undefined;
  if (typeof v !== 'string' || !v) throw badRequest(`Provided object does not match schema 'member': '${key}' is a required property`);
  return v;
}

export const memberRoutes = router()
  .openapi(list, async (c) => {
    const ctx = imageContext(c);
    const { record } = await getImage(ctx, c.req.valid('param').id);
    return c.json({ members: membersVisibleTo(record, ctx.caller).map((m) => memberView(record, m)), schema: '/v2/schemas/members' } as never, 200);
  })
  .openapi(create, async (c) => {
    const ctx = imageContext(c);
    const { record } = await getImage(ctx, c.req.valid('param').id);
    const memberId = field(await jsonBody(c), 'member');
    const members = addMember(record, ctx.caller, memberId, isoSeconds(ctx.now()));
    const saved = await saveImage(ctx, ctx.user, record, { members });
    return c.json(memberView(saved, saved.members.find((m) => m.memberId === memberId)!) as never, 200);
  })
  .openapi(show, async (c) => {
    const ctx = imageContext(c);
    const { id, member } = c.req.valid('param');
    const { record } = await getImage(ctx, id);
    return c.json(memberView(record, findMember(record, ctx.caller, member)) as never, 200);
  })
  .openapi(update, async (c) => {
    const ctx = imageContext(c);
    const { id, member } = c.req.valid('param');
    const { record } = await getImage(ctx, id);
    const members = updateMember(record, ctx.caller, member, field(await jsonBody(c), 'status'), isoSeconds(ctx.now()));
    const saved = await saveImage(ctx, ctx.gw, record, { members });
    return c.json(memberView(saved, saved.members.find((m) => m.memberId === member)!) as never, 200);
  })
  .openapi(remove, async (c) => {
    const ctx = imageContext(c);
    const { id, member } = c.req.valid('param');
    const { record } = await getImage(ctx, id);
    const members = removeMember(record, ctx.caller, member);
    await saveImage(ctx, ctx.user, record, { members });
    return c.body(null, 204);
  });
