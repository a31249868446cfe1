import { z } from '@hono/zod-openapi';
import { BoolLike, IntLike, Links, Query } from './common.ts';

// nova/api/openstack/compute/schemas/flavor_manage.py, flavors_extraspecs.py, flavor_access.py;
// responses per microversion as explicit layers (tempest api_schema v2_1/flavors.py, v2_55, v2_61, v2_75).

const Name = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => s.trim() === s, 'Name may not have leading or trailing whitespace');
const FlavorId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?! )[a-zA-Z0-9. _-]+(?<! )$/, 'Flavor id may only hold letters, digits, ".", " ", "_" and "-"');

export const FlavorCreateBody = z.object({
  flavor: z.object({
    name: Name,
    ram: IntLike(1),
    vcpus: IntLike(1),
    disk: IntLike(0),
    // Nova takes a number too (it becomes the string id).
    id: z.union([FlavorId, z.number().transform(String).pipe(FlavorId)]).nullable().optional(),
    swap: z.union([IntLike(0), z.literal('')]).optional(),
    'OS-FLV-EXT-DATA:ephemeral': IntLike(0).optional(),
    rxtx_factor: z.union([z.number(), z.string()]).transform(Number).pipe(z.number().positive()).optional(),
    'os-flavor-access:is_public': BoolLike.optional(),
    description: z.string().max(65535).nullable().optional(),
  }),
});

export const FlavorUpdateBody = z.object({ flavor: z.object({ description: z.string().max(65535).nullable() }).strict() });

export const FlavorListQuery = Query({
  is_public: z.string().optional(),
  minRam: z.string().optional(),
  minDisk: z.string().optional(),
  sort_key: z.string().optional(),
  sort_dir: z.string().optional(),
  limit: z.string().optional(),
  marker: z.string().optional(),
});

const SpecKey = z.string().min(1).max(255).regex(/^[a-zA-Z0-9-_:. /]+$/, 'Invalid extra spec key');
const SpecValue = z.union([z.string().max(255), z.number(), z.boolean()]).transform(String);
export const ExtraSpecsBody = z.object({ extra_specs: z.record(SpecKey, SpecValue) });
export const ExtraSpecBody = z.record(SpecKey, SpecValue);
export const ExtraSpecs = z.object({ extra_specs: z.record(z.string(), z.string()) });
export const ExtraSpec = z.record(z.string(), z.string());

export const FlavorAccessAction = z.union([
  z.object({ addTenantAccess: z.object({ tenant: z.string().min(1).max(255) }) }),
  z.object({ removeTenantAccess: z.object({ tenant: z.string().min(1).max(255) }) }),
]);
export const FlavorAccessList = z.object({ flavor_access: z.array(z.object({ flavor_id: z.string(), tenant_id: z.string() })) });

// ---- responses: one layer per microversion that changed the flavor ----

export const FlavorBriefV21 = z.object({ id: z.string(), name: z.string(), links: Links });
export const FlavorBriefV255 = FlavorBriefV21.extend({ description: z.string().nullable() });

export const FlavorV21 = FlavorBriefV21.extend({
  ram: z.number().int(),
  vcpus: z.number().int(),
  disk: z.number().int(),
  swap: z.union([z.number().int(), z.literal('')]),
  'OS-FLV-EXT-DATA:ephemeral': z.number().int(),
  'OS-FLV-DISABLED:disabled': z.boolean(),
  'os-flavor-access:is_public': z.boolean(),
  rxtx_factor: z.number(),
});
export const FlavorV255 = FlavorV21.extend({ description: z.string().nullable() });
export const FlavorV261 = FlavorV255.extend({ extra_specs: z.record(z.string(), z.string()) });
export const FlavorV275 = FlavorV261.extend({ swap: z.number().int() });

export const FLAVOR_BRIEF_LAYERS = [
  ['2.1', FlavorBriefV21],
  ['2.55', FlavorBriefV255],
] as const;
export const FLAVOR_LAYERS = [
  ['2.1', FlavorV21],
  ['2.55', FlavorV255],
  ['2.61', FlavorV261],
  ['2.75', FlavorV275],
] as const;

const AnyFlavor = z.union([FlavorV275, FlavorV261, FlavorV255, FlavorV21]);
export const FlavorBody = z.object({ flavor: AnyFlavor });
export const FlavorList = z.object({
  flavors: z.array(z.union([FlavorBriefV255, FlavorBriefV21])),
  flavors_links: Links.optional(),
});
export const FlavorDetailList = z.object({ flavors: z.array(AnyFlavor), flavors_links: Links.optional() });
