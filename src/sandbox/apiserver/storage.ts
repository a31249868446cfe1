// The one storage for all kinds: frozen objects per kind in key order, one cluster-wide
// resourceVersion counter, a bounded event history for watch replay, and the fan-out.

import { deepFreeze, type KubeObject, objectKey } from './object.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** Bucket: `group/plural`. */
  resource: string;
  rv: number;
  object: KubeObject;
  /** The previous state (MODIFIED, DELETED), to tell selector transitions apart. */
  prev?: KubeObject;
}

class Bucket {
  readonly objects = new Map<string, KubeObject>();
  /** Keys in sorted order, maintained on insert/delete (lists never sort). */
  readonly keys: string[] = [];

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.keys[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(key: string, obj: KubeObject): void {
    if (!this.objects.has(key)) this.keys.splice(this.lowerBound(key), 0, key);
    this.objects.set(key, obj);
  }

  delete(key: string): void {
    if (!this.objects.delete(key)) return;
    this.keys.splice(this.lowerBound(key), 1);
  }

  /** Objects with keys starting with `prefix`, strictly after `after`, in order. */
  *range(prefix: string, after?: string): Generator<[string, KubeObject]> {
    let i = this.lowerBound(after !== undefined && after >= prefix ? `${after}\0` : prefix);
    for (; i < this.keys.length; i++) {
      const key = this.keys[i] as string;
      if (!key.startsWith(prefix)) return;
      yield [key, this.objects.get(key) as KubeObject];
    }
  }
}

export interface StorageOptions {
  historySize?: number;
}

export class Storage {
  private rv = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly history: StoreEvent[] = [];
  private historyHead = 0;
  /** Events with rv > historyStart are all still in the history. */
  private historyStart = 0;
  private readonly historySize: number;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  /** owner uid -> `resource|key` of dependents, for garbage collection. */
  private readonly dependents = new Map<string, Set<string>>();

  constructor(opts: StorageOptions = {}) {
    this.historySize = opts.historySize ?? 10_000;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestWatchableRv(): number {
    return this.historyStart;
  }

  private bucket(resource: string): Bucket {
    let b = this.buckets.get(resource);
    if (!b) {
      b = new Bucket();
      this.buckets.set(resource, b);
    }
    return b;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(resource)?.objects.get(objectKey(namespace, name));
  }

  /** Ordered scan of one kind, optionally one namespace, optionally resuming after a key. */
  *scan(resource: string, namespace?: string, after?: string): Generator<[string, KubeObject]> {
    const b = this.buckets.get(resource);
    if (!b) return;
    yield* b.range(namespace !== undefined ? `${namespace}/` : '', after);
  }

  count(resource: string): number {
    return this.buckets.get(resource)?.keys.length ?? 0;
  }

  resources(): string[] {
    return [...this.buckets.keys()];
  }

  /** Writes an object (assigning the next resourceVersion) and emits ADDED or MODIFIED. */
  put(resource: string, obj: KubeObject): KubeObject {
    const rv = ++this.rv;
    obj.metadata.resourceVersion = String(rv);
    const stored = deepFreeze(obj);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name as string);
    const b = this.bucket(resource);
    const prev = b.objects.get(key);
    b.set(key, stored);
    this.index(resource, key, prev, stored);
    this.emit(prev ? { type: 'MODIFIED', resource, rv, object: stored, prev } : { type: 'ADDED', resource, rv, object: stored });
    return stored;
  }

  /** Removes an object; the DELETED event carries it with a fresh resourceVersion. */
  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey(namespace, name);
    const b = this.buckets.get(resource);
    const prev = b?.objects.get(key);
    if (!b || !prev) return undefined;
    const rv = ++this.rv;
    const last = deepFreeze({ ...prev, metadata: { ...prev.metadata, resourceVersion: String(rv) } });
    b.delete(key);
    this.index(resource, key, prev, undefined);
    this.emit({ type: 'DELETED', resource, rv, object: last, prev });
    return last;
  }

  /** Loads an object from persisted state: no event, keeps its resourceVersion. */
  restore(resource: string, obj: KubeObject): void {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name as string);
    const stored = deepFreeze(obj);
    this.bucket(resource).set(key, stored);
    this.index(resource, key, undefined, stored);
  }

  restoreResourceVersion(rv: number): void {
    this.rv = Math.max(this.rv, rv);
    this.historyStart = this.rv;
  }

  dependentsOf(ownerUid: string): { resource: string; key: string; object: KubeObject }[] {
    const out = [];
    for (const ref of this.dependents.get(ownerUid) ?? []) {
      const sep = ref.indexOf('|');
      const resource = ref.slice(0, sep);
      const key = ref.slice(sep + 1);
      const object = this.buckets.get(resource)?.objects.get(key);
      if (object) out.push({ resource, key, object });
    }
    return out;
  }

  private index(resource: string, key: string, prev: KubeObject | undefined, next: KubeObject | undefined) {
    const ref = `${resource}|${key}`;
    for (const o of prev?.metadata.ownerReferences ?? []) this.dependents.get(o.uid)?.delete(ref);
    for (const o of next?.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(o.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(o.uid, set);
      }
      set.add(ref);
    }
  }

  /** Events after `rv`, or undefined when they are no longer all in the history. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.historyStart) return undefined;
    const ordered = this.history.length < this.historySize
      ? this.history
      : [...this.history.slice(this.historyHead), ...this.history.slice(0, this.historyHead)];
    // Binary search for the first event newer than rv.
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ordered[mid] as StoreEvent).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return ordered.slice(lo);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    if (this.history.length < this.historySize) this.history.push(e);
    else {
      const dropped = this.history[this.historyHead] as StoreEvent;
      this.historyStart = dropped.rv;
      this.history[this.historyHead] = e;
      this.historyHead = (this.historyHead + 1) % this.historySize;
    }
    for (const fn of this.listeners) fn(e);
  }
}
