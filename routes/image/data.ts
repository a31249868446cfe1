import { createRoute } from '@hono/zod-openapi';
import { badRequest, conflict } from '../../src/core/faults.ts';
import { clearVolume, downloadImage, glanceDirect, uploadImage, webDownload } from '../../src/image/data.ts';
import { IMPORT_METHODS } from '../../src/image/model.ts';
import { getImage, imageContext } from '../../src/image/service.ts';
import { jsonBody, requireType, router, tags } from './common.ts';
import { IdParam, ImportBody, ImportInfo, StoresInfo, json, noContent, octets } from './schemas.ts';

// Image data (upload, download) and interoperable import (stage, import, discovery).

const upload = createRoute({
  method: 'put',
  path: '/images/{id}/file',
  tags,
  summary: 'Upload image data (streamed into a DataVolume through the CDI upload proxy)',
  request: { params: IdParam, body: { ...octets('Image data'), required: true } },
  responses: { 204: noContent },
});
const download = createRoute({
  method: 'get',
  path: '/images/{id}/file',
  tags,
  summary: 'Download image data (streamed from a VirtualMachineExport)',
  request: { params: IdParam },
  responses: { 200: octets('Image data'), 204: noContent },
});
const stage = createRoute({
  method: 'put',
  path: '/images/{id}/stage',
  tags,
  summary: 'Stage image data for glance-direct',
  request: { params: IdParam, body: { ...octets('Image data'), required: true } },
  responses: { 204: noContent },
});
const importRoute = createRoute({
  method: 'post',
  path: '/images/{id}/import',
  tags,
  summary: 'Import image data (glance-direct, web-download)',
  request: { params: IdParam, body: { content: { 'application/json': { schema: ImportBody } }, required: true } },
  responses: { 202: { description: 'Accepted' } },
});
const infoImport = createRoute({ method: 'get', path: '/info/import', tags, summary: 'Import methods', responses: { 200: json(ImportInfo, 'Import methods') } });
const infoStores = createRoute({ method: 'get', path: '/info/stores', tags, summary: 'Stores', responses: { 200: json(StoresInfo, 'Stores') } });

const contentLength = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);

export const dataRoutes = router()
  .openapi(upload, async (c) => {
    requireType(c, 'application/octet-stream');
    const ctx = imageContext(c);
    let { record } = await getImage(ctx, c.req.valid('param').id);
    const body = c.req.raw.body ?? new Blob([]).stream();
    if (record.status === 'queued' && record.volume) record = await clearVolume(ctx, record);
    await uploadImage(ctx, record, body, { mode: 'file', contentLength: contentLength(c.req.header('content-length')), signal: c.req.raw.signal });
    return c.body(null, 204);
  })
  .openapi(download, async (c) => {
    const ctx = imageContext(c);
    const { record } = await getImage(ctx, c.req.valid('param').id);
    return (await downloadImage(ctx, record)) as never;
  })
  .openapi(stage, async (c) => {
    requireType(c, 'application/octet-stream');
    const ctx = imageContext(c);
    let { record } = await getImage(ctx, c.req.valid('param').id);
    const body = c.req.raw.body ?? new Blob([]).stream();
    if (record.status === 'queued' && record.volume) record = await clearVolume(ctx, record);
    await uploadImage(ctx, record, body, { mode: 'stage', contentLength: contentLength(c.req.header('content-length')), signal: c.req.raw.signal });
    return c.body(null, 204);
  })
  .openapi(importRoute, async (c) => {
    const ctx = imageContext(c);
    let { record } = await getImage(ctx, c.req.valid('param').id);
    const parsed = ImportBody.safeParse(await jsonBody(c));
    if (!parsed.success) throw badRequest('Import request requires a method: {"method": {"name": "glance-direct" | "web-download"}}');
    const { method, stores } = parsed.data;
    if (!(IMPORT_METHODS as readonly string[]).includes(method.name)) throw badRequest(`Import method ${method.name} is not supported. Available methods: ${IMPORT_METHODS.join(', ')}`);
    if (stores?.some((s) => s !== 'local')) throw conflict(`Unknown store(s): ${stores.filter((s) => s !== 'local').join(', ')}`);
    if (method.name === 'web-download') {
      if (!method.uri) throw badRequest('URI is required for web-download import method. Please use \'"method": {"name": "web-download", "uri": "<uri>"}\'');
      if (record.status === 'queued' && record.volume) record = await clearVolume(ctx, record);
      await webDownload(ctx, record, method.uri);
    } else await glanceDirect(ctx, record);
    return c.body(null, 202);
  })
  .openapi(infoImport, (c) =>
    c.json({ 'import-methods': { description: 'Import methods available.', type: 'array', value: [...IMPORT_METHODS] } }, 200),
  )
  .openapi(infoStores, (c) =>
    c.json({ stores: [{ id: 'local', description: 'Kubernetes PersistentVolumeClaims (CDI DataVolumes) of this region', default: true }] }, 200),
  );
