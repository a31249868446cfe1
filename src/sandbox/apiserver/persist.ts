// Persisted state: every stored object plus the resourceVersion counter, validated on load.

import * as v from 'valibot';
import type { KubeObject } from './object.ts';
import type { Storage } from './storage.ts';

const StateSchema = v.object({
  version: v.literal(1),
  resourceVersion: v.pipe(v.number(), v.integer(), v.minValue(0)),
  objects: v.array(
    v.object({
      resource: v.string(),
      object: v.looseObject({
        metadata: v.looseObject({ name: v.string(), namespace: v.optional(v.string()), resourceVersion: v.optional(v.string()) }),
      }),
    }),
  ),
});

export function serialize(storage: Storage): string {
  const objects: { resource: string; object: KubeObject }[] = [];
  for (const resource of storage.resources()) {
    for (const [, object] of storage.scan(resource)) objects.push({ resource, object });
  }
  return JSON.stringify({ version: 1, resourceVersion: storage.resourceVersion, objects });
}

/** Loads state into an empty storage. Throws with the validation issue on bad data. */
export function restore(storage: Storage, data: string): void {
  const parsed = v.safeParse(StateSchema, JSON.parse(data));
  if (!parsed.success) {
    throw new Error(`invalid sandbox state: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? ''} ${i.message}`).join('; ')}`);
  }
  for (const { resource, object } of parsed.output.objects) storage.restore(resource, structuredClone(object) as KubeObject);
  storage.restoreResourceVersion(parsed.output.resourceVersion);
}
