import { z } from '@hono/zod-openapi';

// Glance v2 request and response schemas for the OpenAPI document and validation. Glance's
// own rules (read-only attributes 403, formats, policy) are applied by src/image/rules.ts,
// so request bodies are described loosely here and checked there.

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
export const noContent = { description: 'No content' };
export const octets = (description: string) => ({ content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } }, description });

export const IdParam = z.object({ id: z.string().openapi({ description: 'Image id (UUID)' }) });
export const TagParam = IdParam.extend({ tag: z.string() });
export const MemberParam = IdParam.extend({ member: z.string().openapi({ description: 'Member project id' }) });

export const Image = z
  .looseObject({
    id: z.string(),
    name: z.string().nullable(),
    status: z.string(),
    visibility: z.string(),
    protected: z.boolean(),
    os_hidden: z.boolean(),
    tags: z.array(z.string()),
    container_format: z.string().nullable(),
    disk_format: z.string().nullable(),
    size: z.number().int().nullable(),
    virtual_size: z.number().int().nullable(),
    checksum: z.string().nullable(),
    os_hash_algo: z.string().nullable(),
    os_hash_value: z.string().nullable(),
    owner: z.string().nullable(),
    min_disk: z.number().int(),
    min_ram: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
    self: z.string(),
    file: z.string(),
    schema: z.string(),
  })
  .openapi('GlanceImage', { description: 'An image; custom properties appear at the top level as strings.' });

export const ImageCreate = z
  .looseObject({
    id: z.string().optional(),
    name: z.string().nullable().optional(),
    visibility: z.string().optional(),
    protected: z.boolean().optional(),
    os_hidden: z.boolean().optional(),
    container_format: z.string().nullable().optional(),
    disk_format: z.string().nullable().optional(),
    min_disk: z.number().optional(),
    min_ram: z.number().optional(),
    tags: z.array(z.string()).optional(),
  })
  .openapi('GlanceImageCreate');

export const ImageList = z.object({ images: z.array(Image), schema: z.string(), first: z.string(), next: z.string().optional() });

export const ImageQuery = z.looseObject({
  limit: z.string().optional(),
  marker: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
  visibility: z.string().optional(),
  owner: z.string().optional(),
  tag: z.string().optional(),
  member_status: z.string().optional(),
  size_min: z.string().optional(),
  size_max: z.string().optional(),
  os_hidden: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  sort_key: z.string().optional(),
  sort_dir: z.string().optional(),
  sort: z.string().optional(),
});

export const PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';
export const PATCH_TYPE_V20 = 'application/openstack-images-v2.0-json-patch';
export const PatchBody = z
  .array(z.object({ op: z.string(), path: z.string(), value: z.unknown().optional() }))
  .openapi('GlanceJsonPatch', { description: `Sent as ${PATCH_TYPE}` });

export const ImportBody = z.object({
  method: z.object({ name: z.string(), uri: z.string().optional() }),
  stores: z.array(z.string()).optional(),
  all_stores: z.boolean().optional(),
  all_stores_must_succeed: z.boolean().optional(),
});

export const ImportInfo = z.object({ 'import-methods': z.object({ description: z.string(), type: z.string(), value: z.array(z.string()) }) });
export const StoresInfo = z.object({ stores: z.array(z.object({ id: z.string(), description: z.string(), default: z.boolean().optional() })) });

export const Member = z
  .object({ image_id: z.string(), member_id: z.string(), status: z.string(), created_at: z.string(), updated_at: z.string(), schema: z.string() })
  .openapi('GlanceMember');
export const MemberList = z.object({ members: z.array(Member), schema: z.string() });
export const MemberCreate = z.object({ member: z.string().min(1).max(255) });
export const MemberUpdate = z.object({ status: z.string() });

export const JsonSchemaDoc = z.looseObject({ name: z.string() });
