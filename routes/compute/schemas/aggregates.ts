import { z } from '@hono/zod-openapi';
import { AnyObject } from './common.ts';

// Nova's os-aggregates request bodies (schemas/aggregates.py: no additional properties).

/** Nova's parameter_types.name: 1..255 characters, no leading or trailing whitespace. */
const Name = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => s.trim() === s, { message: 'the name has leading or trailing whitespace' });
const Zone = z.string().min(1).max(255).nullable();

export const AggregateCreateBody = z.strictObject({ aggregate: z.strictObject({ name: Name, availability_zone: Zone.optional() }) });
export const AggregateUpdateBody = z.strictObject({
  aggregate: z
    .strictObject({ name: Name.optional(), availability_zone: Zone.optional() })
    .refine((a) => Object.keys(a).length > 0, { message: 'the aggregate needs a name or an availability_zone' }),
});
export const HostBody = z.strictObject({ host: z.string().min(1).max(255) });
export const SetMetadataBody = z.strictObject({ metadata: z.record(z.string().min(1).max(255), z.string().max(255).nullable()) });

export const AggregateBody = z.object({ aggregate: AnyObject });
export const AggregateList = z.object({ aggregates: z.array(AnyObject) });
export const AggregateAction = z
  .record(z.string(), z.unknown())
  .openapi('AggregateAction', { description: '{"add_host": {"host": ...}}, {"remove_host": {"host": ...}} or {"set_metadata": {"metadata": {...}}}' });
