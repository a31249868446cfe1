import type { Keypair } from '../../../src/compute/keypairs.ts';
import { isoMicros } from '../../../src/compute/model.ts';
import type { ApiVersion } from '../../../src/core/microversion.ts';
import { layerFor, pick } from '../common.ts';
import { KEYPAIR_CREATED_LAYERS, KEYPAIR_LIST_LAYERS, KEYPAIR_SHOW_LAYERS } from '../schemas/keypairs.ts';

// Keypair views (nova/api/openstack/compute/views/keypairs.py), keys chosen by version layer.

function fields(k: Keypair, privateKey?: string): Record<string, unknown> {
  return {
    name: k.name,
    public_key: k.publicKey,
    fingerprint: k.fingerprint,
    type: k.type,
    user_id: k.userId,
    private_key: privateKey,
    deleted: false,
    created_at: isoMicros(k.createdAt),
    updated_at: null,
    deleted_at: null,
    id: k.id,
  };
}

export const keypairListItem = (k: Keypair, v: ApiVersion) => pick(layerFor(v, KEYPAIR_LIST_LAYERS), fields(k));
export const keypairCreated = (k: Keypair, v: ApiVersion, privateKey?: string) => pick(layerFor(v, KEYPAIR_CREATED_LAYERS), fields(k, privateKey));
export const keypairShow = (k: Keypair, v: ApiVersion) => pick(layerFor(v, KEYPAIR_SHOW_LAYERS), fields(k));
