import { z } from '@hono/zod-openapi';

// Building blocks of the Nova request and response schemas.

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
export const noContent = { description: 'No content' };
export const accepted = { description: 'Accepted' };

export const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const Links = z.array(z.object({ rel: z.string(), href: z.string() }));

/** Nova's integer-or-numeric-string parameters (`"ram": "512"` is accepted). */
export const IntLike = (min: number) =>
  z.union([z.number().int(), z.string().regex(/^\s*-?\d+\s*$/)]).transform((v) => Number(v)).pipe(z.number().int().min(min));

const TRUE = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't'];
const FALSE = ['False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'];
/** Nova's parameter_types.boolean: a JSON boolean or one of its spellings. */
export const BoolLike = z.union([z.boolean(), z.enum([...TRUE, ...FALSE] as [string, ...string[]])]).transform((b) => b === true || TRUE.includes(b as string));

/** Query strings: unknown parameters are ignored (below 2.75, as Nova does). */
export const Query = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

export const IdParam = z.object({ id: z.string().min(1) });
export const ServerIdParam = z.object({ server_id: z.string().min(1) });

/** `{"key": value}` metadata: string keys 1..255, string values ≤255 (Nova's metadata schema). */
export const Metadata = z.record(z.string().min(1).max(255), z.string().max(255));

/** Any JSON object (responses described loosely where Nova's body is free-form). */
export const AnyObject = z.record(z.string(), z.unknown());
