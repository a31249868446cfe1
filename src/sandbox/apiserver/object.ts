// The shape of stored objects, as far as the generic store needs to know it.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Key of an object inside its kind's bucket: sorts like etcd keys (namespace, then name). */
export const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export const timestamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A JSON path like `.status.printableStatus` or `.status.conditions[?(@.type=="Ready")].status`. */
export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_]+)==["']([^"']*)["']\)\]/g;
  for (const m of path.matchAll(re)) {
    if (cur === undefined || cur === null) return undefined;
    if (m[1] !== undefined) cur = isRecord(cur) ? cur[m[1]] : undefined;
    else if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    else {
      const [field, want] = [m[3] as string, m[4] as string];
      cur = Array.isArray(cur) ? cur.find((e) => isRecord(e) && String(e[field]) === want) : undefined;
    }
  }
  return cur;
}
