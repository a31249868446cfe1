import { createRoute } from '@hono/zod-openapi';
import { badRequest, forbidden, notFound } from '../../src/core/faults.ts';
import { imageView, isOwner } from '../../src/image/model.ts';
import { listable, pageOf, parseImageQuery, sortImages } from '../../src/image/query.ts';
import { applyPatch, checkTag, fieldsForCreate, patchOps } from '../../src/image/rules.ts';
import { allImages, createImage, deleteImage, getImage, imageContext, saveImage, writerFor } from '../../src/image/service.ts';
import { jsonBody, requireType, router, tags } from './common.ts';
import { IdParam, Image, ImageCreate, ImageList, ImageQuery, PATCH_TYPE, PATCH_TYPE_V20, PatchBody, TagParam, json, noContent } from './schemas.ts';

// /v2/images: create, list, show, update (JSON patch), delete, deactivate/reactivate, tags.

const IMPORT_METHODS_HEADER = { 'OpenStack-image-import-methods': 'glance-direct,web-download' };

const list = createRoute({ method: 'get', path: '/images', tags, summary: 'List images', request: { query: ImageQuery }, responses: { 200: json(ImageList, 'Images') } });
const create = createRoute({
  method: 'post',
  path: '/images',
  tags,
  summary: 'Create an image (a DataSource; no data yet)',
  request: { body: { content: { 'application/json': { schema: ImageCreate } }, required: true } },
  responses: { 201: json(Image, 'Created') },
});
const show = createRoute({ method: 'get', path: '/images/{id}', tags, summary: 'Show an image', request: { params: IdParam }, responses: { 200: json(Image, 'Image') } });
const update = createRoute({
  method: 'patch',
  path: '/images/{id}',
  tags,
  summary: 'Update an image (JSON patch)',
  request: { params: IdParam, body: { content: { [PATCH_TYPE]: { schema: PatchBody } }, required: true } },
  responses: { 200: json(Image, 'Updated') },
});
const remove = createRoute({ method: 'delete', path: '/images/{id}', tags, summary: 'Delete an image and its data', request: { params: IdParam }, responses: { 204: noContent } });
const deactivate = createRoute({ method: 'post', path: '/images/{id}/actions/deactivate', tags, summary: 'Deactivate an image', request: { params: IdParam }, responses: { 204: noContent } });
const reactivate = createRoute({ method: 'post', path: '/images/{id}/actions/reactivate', tags, summary: 'Reactivate an image', request: { params: IdParam }, responses: { 204: noContent } });
const addTag = createRoute({ method: 'put', path: '/images/{id}/tags/{tag}', tags, summary: 'Add an image tag', request: { params: TagParam }, responses: { 204: noContent } });
const delTag = createRoute({ method: 'delete', path: '/images/{id}/tags/{tag}', tags, summary: 'Remove an image tag', request: { params: TagParam }, responses: { 204: noContent } });

/** Glance's `next`/`first`: paths relative to the service root, with the query kept. */
function pageLink(url: string, marker?: string): string {
  const u = new URL(url);
  if (marker === undefined) u.searchParams.delete('marker');
  else u.searchParams.set('marker', marker);
  const qs = u.searchParams.toString();
  return `/v2/images${qs ? `?${qs}` : ''}`;
}

export const imageRoutes = router()
  .openapi(list, async (c) => {
    const ctx = imageContext(c);
    const q = parseImageQuery(new URL(c.req.url).searchParams);
    const all = await allImages(ctx);
    const dvs = new Map(all.map((x) => [x.record.id, x.dv]));
    const chosen = all
      .map((x) => x.record)
      .filter((r) => listable(r, ctx.caller, q) && r.osHidden === q.osHidden && q.filters.every((f) => f(r)));
    const page = pageOf(sortImages(chosen, q.sort), q);
    const first = new URL(c.req.url);
    first.searchParams.delete('marker');
    return c.json(
      {
        images: page.items.map((r) => imageView(r, { progress: dvs.get(r.id)?.status?.progress })),
        schema: '/v2/schemas/images',
        first: pageLink(c.req.url),
        ...(page.next ? { next: pageLink(c.req.url, page.next) } : {}),
      } as never,
      200,
    );
  })
  .openapi(create, async (c) => {
    const ctx = imageContext(c);
    const body = await jsonBody(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Provided object does not match schema \'image\': the body must be a JSON object');
    const { fields, id } = fieldsForCreate(body as Record<string, unknown>, ctx.caller);
    const r = await createImage(ctx, fields, id);
    c.header('Location', `${c.get('baseUrl')}/${ctx.region.name}/image/v2/images/${r.id}`);
    for (const [k, v] of Object.entries(IMPORT_METHODS_HEADER)) c.header(k, v);
    return c.json(imageView(r) as never, 201);
  })
  .openapi(show, async (c) => {
    const { record, dv } = await getImage(imageContext(c), c.req.valid('param').id);
    return c.json(imageView(record, { progress: dv?.status?.progress }) as never, 200);
  })
  .openapi(update, async (c) => {
    requireType(c, PATCH_TYPE, PATCH_TYPE_V20);
    const ctx = imageContext(c);
    const { record } = await getImage(ctx, c.req.valid('param').id);
    const draft = c.req.header('content-type')?.toLowerCase().includes(PATCH_TYPE_V20) ? '2.0' : '2.1';
    const ops = patchOps(await jsonBody(c), draft);
    if (!ops) throw badRequest('Request body must be a JSON array of operation objects.');
    const client = writerFor(ctx, record);
    const fields = applyPatch(record, ops, ctx.caller, record.status);
    const saved = await saveImage(ctx, client, record, fields);
    return c.json(imageView({ ...saved, status: record.status }) as never, 200);
  })
  .openapi(remove, async (c) => {
    const ctx = imageContext(c);
    const { record } = await getImage(ctx, c.req.valid('param').id);
    await deleteImage(ctx, record);
    return c.body(null, 204);
  })
  .openapi(deactivate, async (c) => {
    const ctx = imageContext(c);
    const { record } = await getImage(ctx, c.req.valid('param').id);
    // Glance's default policy: an admin, or a member of the owning project.
    if (!ctx.caller.isAdmin && !isOwner(record, ctx.caller)) throw forbidden('You are not authorized to complete deactivate action.');
    if (record.status !== 'deactivated') {
      if (record.status !== 'active') throw badRequest(`Not allowed to deactivate image in status '${record.status}'`);
      await saveImage(ctx, ctx.user, record, { status: 'deactivated' });
    }
    return c.body(null, 204);
  })
  .openapi(reactivate, async (c) => {
    const ctx = imageContext(c);
    const { record } = await getImage(ctx, c.req.valid('param').id);
    if (!ctx.caller.isAdmin && !isOwner(record, ctx.caller)) throw forbidden('You are not authorized to complete reactivate action.');
    if (record.status !== 'active') {
      if (record.status !== 'deactivated') throw badRequest(`Not allowed to reactivate image in status '${record.status}'`);
      await saveImage(ctx, ctx.user, record, { status: 'active' });
    }
    return c.body(null, 204);
  })
  .openapi(addTag, async (c) => {
    const ctx = imageContext(c);
    const { id, tag } = c.req.valid('param');
    const { record } = await getImage(ctx, id);
    const client = writerFor(ctx, record);
    checkTag(tag);
    if (!record.tags.includes(tag)) {
      if (record.tags.length >= 128) throw badRequest('Maximum number of tags per image (128) exceeded.');
      await saveImage(ctx, client, record, { tags: [...record.tags, tag] });
    }
    return c.body(null, 204);
  })
  .openapi(delTag, async (c) => {
    const ctx = imageContext(c);
    const { id, tag } = c.req.valid('param');
    const { record } = await getImage(ctx, id);
    const client = writerFor(ctx, record);
    if (!record.tags.includes(tag)) throw notFound(`Tag ${tag} not found`);
    await saveImage(ctx, client, record, { tags: record.tags.filter((t) => t !== tag) });
    return c.body(null, 204);
  });
