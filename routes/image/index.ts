import { createRoute } from '@hono/zod-openapi';
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

export const imageRoutes = router().route('/', images).route('/', dataRoutes).route('/', memberRoutes).route('/', schemas);
