import { z } from '@hono/zod-openapi';

// Version documents are the same building blocks in every service; each service arranges
// them in its own envelope (see routes/<service>/versions.ts).

export const Link = z.object({ rel: z.string(), href: z.string(), type: z.string().optional() }).openapi('Link');

export const MediaType = z.object({ base: z.string(), type: z.string() });

export const VersionEntry = z
  .object({
    id: z.string(),
    status: z.string(),
    updated: z.string().optional(),
    version: z.string().optional(),
    min_version: z.string().optional(),
    links: z.array(Link),
    'media-types': z.array(MediaType).optional(),
  })
  .openapi('VersionEntry');

export type VersionEntry = z.infer<typeof VersionEntry>;

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const selfLink = (href: string) => ({ rel: 'self', href });
