import { createRoute, z } from '@hono/zod-openapi';
import { type ImageLinks, novaImageBrief, novaImageDetail, novaImageStatus } from '../../src/compute/image-views.ts';
import { badRequest, notFound } from '../../src/core/faults.ts';
import { pageRequest, paginate } from '../../src/core/pagination.ts';
import type { ImageRecord } from '../../src/image/model.ts';
import { allImages, deleteImage, getImage, imageContext, saveImage, writerFor } from '../../src/image/service.ts';
import { type Ctx, linksOf, nextHref, queryOf, router, versionOf } from './common.ts';
import { AnyObject, IdParam, Metadata, body, json, noContent } from './schemas/common.ts';

// Nova's image proxy (nova images.py, image_metadata.py): the image service's images as the
// compute API showed them until 2.35; from 2.36 these URLs are gone (404), as in Nova.

const tags = ['compute: images (proxy, ≤ 2.35)'];
const KeyParam = z.object({ id: z.string().min(1), key: z.string().min(1) });
const MetadataBody = z.object({ metadata: Metadata });
const MetaBody = z.object({ meta: Metadata });

const ok = (description: string) => ({ 200: json(AnyObject, description) });
const listRoute = createRoute({ method: 'get', path: '/images', tags, summary: 'List images', responses: ok('Images') });
const detailRoute = createRoute({ method: 'get', path: '/images/detail', tags, summary: 'List images with details', responses: ok('Images') });
const showRoute = createRoute({ method: 'get', path: '/images/{id}', tags, summary: 'Show an image', request: { params: IdParam }, responses: ok('Image') });
const deleteRoute = createRoute({ method: 'delete', path: '/images/{id}', tags, summary: 'Delete an image', request: { params: IdParam }, responses: { 204: noContent } });
const metaList = createRoute({ method: 'get', path: '/images/{id}/metadata', tags, summary: 'Image metadata', request: { params: IdParam }, responses: ok('Metadata') });
const metaReplace = createRoute({ method: 'put', path: '/images/{id}/metadata', tags, summary: 'Replace image metadata', request: { params: IdParam, ...body(MetadataBody) }, responses: ok('Metadata') });
const metaUpdate = createRoute({ method: 'post', path: '/images/{id}/metadata', tags, summary: 'Update image metadata', request: { params: IdParam, ...body(MetadataBody) }, responses: ok('Metadata') });
const metaShow = createRoute({ method: 'get', path: '/images/{id}/metadata/{key}', tags, summary: 'Image metadata item', request: { params: KeyParam }, responses: ok('Item') });
const metaSet = createRoute({ method: 'put', path: '/images/{id}/metadata/{key}', tags, summary: 'Set an image metadata item', request: { params: KeyParam, ...body(MetaBody) }, responses: ok('Item') });
const metaDelete = createRoute({ method: 'delete', path: '/images/{id}/metadata/{key}', tags, summary: 'Delete an image metadata item', request: { params: KeyParam }, responses: { 204: noContent } });

function proxyAvailable(c: Ctx): void {
  if (versionOf(c).atLeast('2.36')) throw notFound('The resource could not be found.');
}

export function imageLinks(c: Ctx): ImageLinks {
  const l = linksOf(c);
  return {
    links: l.links,
    glance: (id) => `${c.get('baseUrl')}/${c.get('region').name}/image/v2/images/${id}`,
    server: (id) => l.links(`servers/${id}`),
  };
}

/** The image, or Nova's 404 wording. */
async function imageOf(c: Ctx, id: string): Promise<ImageRecord> {
  proxyAvailable(c);
  try {
    return (await getImage(imageContext(c), id)).record;
  } catch (e) {
    if (e instanceof Error && /No image found/.test(e.message)) throw notFound('Image not found.');
    throw e;
  }
}

async function listed(c: Ctx): Promise<{ items: ImageRecord[]; next: string | undefined }> {
  proxyAvailable(c);
  const q = queryOf(c);
  const status = q.get('status');
  const name = q.get('name');
  // nova images.py _get_filters: `server` (an id or a link to the server) and `type` are the
  // snapshot properties instance_uuid and image_type; minRam/minDisk are lower bounds.
  const server = q.get('server')?.replace(/\/+$/, '').split('/').pop() ?? null;
  const type = q.get('type');
  const minRam = Number(q.get('minRam') ?? 0) || 0;
  const minDisk = Number(q.get('minDisk') ?? 0) || 0;
  const all = (await allImages(imageContext(c)))
    .map((l) => l.record)
    .filter(
      (r) =>
        (name === null || r.name === name) &&
        (status === null || novaImageStatus(r.status) === status.toUpperCase()) &&
        (server === null || r.properties.instance_uuid === server) &&
        (type === null || r.properties.image_type === type) &&
        r.minRam >= minRam &&
        r.minDisk >= minDisk,
    )
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id.localeCompare(b.id)));
  const page = paginate(all, pageRequest(q), (r) => r.id, (m) => badRequest(`marker [${m}] not found`));
  return { items: page.items, next: nextHref(c, page.next) };
}

async function saveProperties(c: Ctx, r: ImageRecord, properties: Record<string, string>): Promise<Record<string, string>> {
  const ctx = imageContext(c);
  const saved = await saveImage(ctx, writerFor(ctx, r), r, { properties });
  return saved.properties;
}

export const imageRoutes = router()
  .openapi(listRoute, async (c) => {
    const { items, next } = await listed(c);
    const l = imageLinks(c);
    return c.json({ images: items.map((r) => novaImageBrief(r, l)), ...(next ? { images_links: [{ rel: 'next', href: next }] } : {}) }, 200);
  })
  .openapi(detailRoute, async (c) => {
    const { items, next } = await listed(c);
    const l = imageLinks(c);
    return c.json({ images: items.map((r) => novaImageDetail(r, l)), ...(next ? { images_links: [{ rel: 'next', href: next }] } : {}) }, 200);
  })
  .openapi(showRoute, async (c) => c.json({ image: novaImageDetail(await imageOf(c, c.req.valid('param').id), imageLinks(c)) }, 200))
  .openapi(deleteRoute, async (c) => {
    const r = await imageOf(c, c.req.valid('param').id);
    await deleteImage(imageContext(c), r);
    return c.body(null, 204);
  })
  .openapi(metaList, async (c) => c.json({ metadata: (await imageOf(c, c.req.valid('param').id)).properties }, 200))
  .openapi(metaReplace, async (c) => {
    const r = await imageOf(c, c.req.valid('param').id);
    return c.json({ metadata: await saveProperties(c, r, c.req.valid('json').metadata) }, 200);
  })
  .openapi(metaUpdate, async (c) => {
    const r = await imageOf(c, c.req.valid('param').id);
    return c.json({ metadata: await saveProperties(c, r, { ...r.properties, ...c.req.valid('json').metadata }) }, 200);
  })
  .openapi(metaShow, async (c) => {
    const { id, key } = c.req.valid('param');
    const r = await imageOf(c, id);
    const value = r.properties[key];
    if (value === undefined) throw notFound('Image not found.');
    return c.json({ meta: { [key]: value } }, 200);
  })
  .openapi(metaSet, async (c) => {
    const { id, key } = c.req.valid('param');
    const { meta } = c.req.valid('json');
    if (Object.keys(meta).length !== 1 || !(key in meta)) throw badRequest('Request body and URI mismatch');
    const r = await imageOf(c, id);
    const saved = await saveProperties(c, r, { ...r.properties, ...meta });
    return c.json({ meta: { [key]: saved[key] } }, 200);
  })
  .openapi(metaDelete, async (c) => {
    const { id, key } = c.req.valid('param');
    const r = await imageOf(c, id);
    if (!(key in r.properties)) throw notFound('Image not found.');
    const { [key]: _gone, ...rest } = r.properties;
    await saveProperties(c, r, rest);
    return c.body(null, 204);
  });
