import { z } from '@hono/zod-openapi';
import { Links, Query } from './common.ts';

// nova/api/openstack/compute/schemas/keypairs.py; responses per microversion
// (tempest api_schema v2_1/keypairs.py, v2_2/keypairs.py; samples os-keypairs/v2.10, v2.35).

export const KeypairCreateBody = z.object({
  keypair: z.object({
    name: z.string().min(1).max(255),
    public_key: z.string().max(65535).optional(),
    type: z.enum(['ssh', 'x509']).optional(),
    user_id: z.string().min(1).max(255).optional(),
  }),
});

export const KeypairQuery = Query({ user_id: z.string().optional(), limit: z.string().optional(), marker: z.string().optional() });
/** Show and delete take only the owner. */
export const KeypairOwnerQuery = Query({ user_id: z.string().optional() });
export const KeypairNameParam = z.object({ name: z.string().min(1) });

// ---- responses ----
export const KeypairListItemV21 = z.object({ name: z.string(), public_key: z.string(), fingerprint: z.string() });
export const KeypairListItemV22 = KeypairListItemV21.extend({ type: z.string() });
export const KEYPAIR_LIST_LAYERS = [
  ['2.1', KeypairListItemV21],
  ['2.2', KeypairListItemV22],
] as const;

export const KeypairCreatedV21 = KeypairListItemV21.extend({ user_id: z.string(), private_key: z.string().optional() });
export const KeypairCreatedV22 = KeypairCreatedV21.extend({ type: z.string() });
export const KEYPAIR_CREATED_LAYERS = [
  ['2.1', KeypairCreatedV21],
  ['2.2', KeypairCreatedV22],
] as const;

export const KeypairShowV21 = KeypairListItemV21.extend({
  user_id: z.string(),
  deleted: z.boolean(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
  deleted_at: z.string().nullable(),
  id: z.number().int(),
});
export const KeypairShowV22 = KeypairShowV21.extend({ type: z.string() });
export const KEYPAIR_SHOW_LAYERS = [
  ['2.1', KeypairShowV21],
  ['2.2', KeypairShowV22],
] as const;

export const KeypairList = z.object({
  keypairs: z.array(z.object({ keypair: z.union([KeypairListItemV22, KeypairListItemV21]) })),
  keypairs_links: Links.optional(),
});
export const KeypairCreated = z.object({ keypair: z.union([KeypairCreatedV22, KeypairCreatedV21]) });
export const KeypairShow = z.object({ keypair: z.union([KeypairShowV22, KeypairShowV21]) });
