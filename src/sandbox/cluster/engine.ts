// A minimal controller runtime: one list+watch cache per kind, one serial work queue, and
// per-object "stage" timers (kwok style). Everything goes through the Kubernetes API.

import {
  ConflictError,
  GoneError,
  type KubeClient,
  type KubeObject,
  NotFoundError,
  type ResourceType,
} from '../../kube/index.ts';
import type { SandboxTiming } from './timing.ts';
import { keyOf } from './util.ts';

export interface Controller {
  name: string;
  /** The kind whose objects this controller reconciles (by "namespace/name" key). */
  type: ResourceType;
  /** Other kinds whose changes wake objects of `type`: the keys to reconcile. */
  watches?: { type: ResourceType; keys: (o: KubeObject) => string[] }[];
  reconcile(key: string): Promise<void>;
}

/** One step of a lifecycle: when the object matches, wait `delay`, then apply. */
export interface Stage<T> {
  name: string;
  when(o: T): boolean;
  delay(t: SandboxTiming): number;
  apply(o: T): Promise<void>;
  /** Distinguishes repeated passes through the same stage (progress steps). */
  id?(o: T): string;
}

const MAX_FAILURES = 6;

export class Engine {
  readonly client: KubeClient;
  readonly timing: SandboxTiming;
  private readonly abort = new AbortController();
  private readonly caches = new Map<ResourceType, Map<string, KubeObject>>();
  private readonly informers: Promise<void>[] = [];
  private readonly synced: Promise<void>[] = [];
  private readonly controllers: Controller[] = [];
  private readonly queue = new Set<string>(); // `${controller}\n${key}`
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly due = new Map<string, { stage: string; at: number }>();
  private readonly failures = new Map<string, number>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];

  constructor(client: KubeClient, timing: SandboxTiming, signal: AbortSignal) {
    this.client = client;
    this.timing = timing;
    signal.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  add(c: Controller): void {
    this.controllers.push(c);
    this.cache(c.type);
    for (const w of c.watches ?? []) this.cache(w.type);
  }

  /** The cache of a kind; starts its informer on first use. */
  cache(type: ResourceType): Map<string, KubeObject> {
    let cache = this.caches.get(type);
    if (!cache) {
      cache = new Map();
      this.caches.set(type, cache);
      let markSynced!: () => void;
      this.synced.push(new Promise<void>((r) => (markSynced = r)));
      this.informers.push(this.inform(type, cache, markSynced));
    }
    return cache;
  }

  get<T extends KubeObject>(type: ResourceType, key: string): T | undefined {
    return this.cache(type).get(key) as T | undefined;
  }

  list<T extends KubeObject>(type: ResourceType, filter: (o: T) => boolean = () => true): T[] {
    return ([...this.cache(type).values()] as T[]).filter(filter);
  }

  /** Records the result of our own write, so the next reconcile does not act on stale data. */
  track<T extends KubeObject>(type: ResourceType, o: T): T {
    const cache = this.cache(type);
    const prev = cache.get(keyOf(o));
    if (!prev || !olderThan(o, prev)) cache.set(keyOf(o), o);
    return o;
  }

  forget(type: ResourceType, o: KubeObject): void {
    this.cache(type).delete(keyOf(o));
  }

  enqueue(controller: string, key: string, delayMs = 0): void {
    if (this.abort.signal.aborted) return;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.enqueue(controller, key);
      }, delayMs);
      this.timers.add(timer);
      return;
    }
    this.queue.add(`${controller}\n${key}`);
    this.kick();
  }

  /** Runs the first matching stage of `stages` once its delay has passed. */
  async runStages<T extends KubeObject>(controller: string, stages: Stage<T>[], o: T): Promise<void> {
    const key = keyOf(o);
    const dueKey = `${controller}\n${key}`;
    const stage = stages.find((s) => s.when(o));
    if (!stage) {
      this.due.delete(dueKey);
      return;
    }
    const id = `${o.metadata.uid}/${stage.name}/${stage.id?.(o) ?? ''}`;
    const delay = stage.delay(this.timing);
    let entry = this.due.get(dueKey);
    if (!entry || entry.stage !== id) {
      entry = { stage: id, at: Date.now() + delay };
      this.due.set(dueKey, entry);
    }
    const wait = entry.at - Date.now();
    if (wait > 0) return this.enqueue(controller, key, wait);
    this.due.delete(dueKey);
    await stage.apply(o);
  }

  async start(): Promise<void> {
    await Promise.all(this.synced);
    for (const c of this.controllers) for (const key of this.cache(c.type).keys()) this.enqueue(c.name, key);
  }

  /** Resolves when no work is queued, running or scheduled and every cache matches the server. */
  async idle(): Promise<void> {
    await Promise.all(this.synced);
    for (;;) {
      if (this.abort.signal.aborted) return;
      await this.drained();
      if ((await this.inSync()) && this.isDrained()) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.clear();
    await Promise.allSettled(this.informers);
    await this.loopDone;
    for (const w of this.waiters.splice(0)) w();
  }

  private isDrained(): boolean {
    return this.queue.size === 0 && !this.running && this.timers.size === 0;
  }

  private drained(): Promise<void> {
    if (this.isDrained() || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private notifyIfDrained(): void {
    if (this.isDrained()) for (const w of this.waiters.splice(0)) w();
  }

  /** Compares each cache with a fresh list: events still on their way show up as differences. */
  private async inSync(): Promise<boolean> {
    for (const [type, cache] of this.caches) {
      const list = await this.client.listAll(type, { signal: this.abort.signal }).catch(() => undefined);
      if (!list || list.items.length !== cache.size) return false;
      for (const o of list.items) {
        if (cache.get(keyOf(o))?.metadata.resourceVersion !== o.metadata.resourceVersion) return false;
      }
    }
    return true;
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  private async loop(): Promise<void> {
    // Let the current synchronous work (a batch of events) enqueue first.
    await Promise.resolve();
    while (this.queue.size > 0 && !this.abort.signal.aborted) {
      const item = this.queue.values().next().value as string;
      this.queue.delete(item);
      const [name, key] = item.split('\n') as [string, string];
      const c = this.controllers.find((x) => x.name === name);
      if (!c) continue;
      try {
        await c.reconcile(key);
        this.failures.delete(item);
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (err instanceof NotFoundError) continue; // the object went away meanwhile
        const n = (this.failures.get(item) ?? 0) + 1;
        this.failures.set(item, n);
        if (n >= MAX_FAILURES) {
          this.failures.delete(item);
          console.warn(`sandbox controller ${name} gave up on ${key}: ${String(err)}`);
          continue;
        }
        this.enqueue(name, key, err instanceof ConflictError ? 1 : 10 * 2 ** n);
      }
    }
    this.running = false;
    this.notifyIfDrained();
  }

  private onEvent(type: ResourceType, o: KubeObject): void {
    for (const c of this.controllers) {
      if (c.type === type) this.enqueue(c.name, keyOf(o));
      for (const w of c.watches ?? []) if (w.type === type) for (const k of w.keys(o)) this.enqueue(c.name, k);
    }
  }

  private async inform(type: ResourceType, cache: Map<string, KubeObject>, markSynced: () => void): Promise<void> {
    const signal = this.abort.signal;
    let rv: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (rv === undefined) {
          const list = await this.client.listAll(type, { signal });
          const seen = new Set<string>();
          for (const o of list.items) {
            seen.add(keyOf(o));
            const prev = cache.get(keyOf(o));
            if (prev?.metadata.resourceVersion !== o.metadata.resourceVersion) {
              cache.set(keyOf(o), o);
              this.onEvent(type, o);
            }
          }
          for (const [k, o] of cache) {
            if (!seen.has(k)) {
              cache.delete(k);
              this.onEvent(type, o);
            }
          }
          rv = list.metadata.resourceVersion;
          markSynced();
        }
        for await (const ev of this.client.watch(type, { resourceVersion: rv, allowWatchBookmarks: true, signal })) {
          failures = 0;
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (ev.type === 'BOOKMARK') continue;
          const k = keyOf(ev.object);
          if (ev.type === 'DELETED') cache.delete(k);
          else {
            const prev = cache.get(k);
            if (prev && olderThan(ev.object, prev)) continue;
            cache.set(k, ev.object);
          }
          this.onEvent(type, ev.object);
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof GoneError) rv = undefined;
        else await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** failures++)));
      }
    }
  }
}

/** resourceVersions are opaque, but both etcd's and the sandbox's are increasing integers. */
function olderThan(a: KubeObject, b: KubeObject): boolean {
  const x = a.metadata.resourceVersion;
  const y = b.metadata.resourceVersion;
  if (!x || !y || !/^\d+$/.test(x) || !/^\d+$/.test(y)) return false;
  return BigInt(x) < BigInt(y);
}
