import { createRoute } from '@hono/zod-openapi';
import { notFound } from '../../src/core/faults.ts';
import { router, tags } from './common.ts';
import { dataRoutes } from './data.ts';
import { imageRoutes as images } from './images.ts';
import { IMAGES_SCHEMA, IMAGE_SCHEMA, MEMBERS_SCHEMA, MEMBER_SCHEMA } from './json-schemas.ts';
import { memberRoutes } from './members.ts';
import { JsonSchemaDoc, json } from './schemas.ts';

// Glance v2 under /<region>/image/v2: images on CDI DataSources and DataVolumes.

const schema = (name: string) =>
  createRoute({ method: 'get', path: `/schemas/${name}`, tags, summary: `JSON schema of ${name}`, responses: { 200: json(JsonSchemaDoc, 'JSON schema') } });

const schemas = router()
  .openapi(schema('image'), (c) => c.json(IMAGE_SCHEMA as never, 200))
  .openapi(schema('images'), (c) => c.json(IMAGES_SCHEMA as never, 200))
  .openapi(schema('member'), (c) => c.json(MEMBER_SCHEMA as never, 200))
  .openapi(schema('members'), (c) => c.json(MEMBERS_SCHEMA as never, 200));

// `/images/` names an image with an empty id (Glance: 404), not the collection.
const emptyId = router().use('*', async (c, next) => {
  // c.req.path has the trailing slash trimmed (strict: false); the raw URL keeps it.
  if (new URL(c.req.url).pathname.endsWith('/images/')) throw notFound('No image found with ID ');
  await next();
});

export const imageRoutes = router().route('/', emptyId).route('/', images).route('/', dataRoutes).route('/', memberRoutes).route('/', schemas);
