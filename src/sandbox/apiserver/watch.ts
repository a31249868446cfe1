// Watch streams: newline-delimited JSON events from one fan-out, replayed from the bounded
// history when a resourceVersion is given (410 Expired when it is too old).

import { expired } from './errors.ts';
import type { KubeObject } from './object.ts';
import { apiVersionOf, resourceKey, type ResourceDef } from './resources.ts';
import type { StoreEvent, Storage } from './storage.ts';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  match: (o: KubeObject) => boolean;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** Turns an object into what the event carries (the object itself, or a Table row). */
  encode: (o: KubeObject) => unknown;
  signal?: AbortSignal;
  /** Attributes for fault injection's dropWatches matching. */
  tag?: unknown;
}

interface OpenWatch {
  tag: unknown;
  close(): void;
}

export class Watches {
  private readonly open = new Set<OpenWatch>();

  constructor(
    private readonly storage: Storage,
    private readonly bookmarkIntervalMs: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Ends matching streams as a dropped connection would; returns how many. */
  drop(filter: (tag: unknown) => boolean = () => true): number {
    let n = 0;
    for (const w of [...this.open]) {
      if (filter(w.tag)) {
        w.close();
        n++;
      }
    }
    return n;
  }

  closeAll(): void {
    this.drop();
  }

  stream(w: WatchRequest): ReadableStream<Uint8Array> {
    const enc = new TextEncoder();
    const resource = resourceKey(w.def);
    let cleanup = () => {};
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        let closed = false;
        const send = (type: string, object: unknown) => {
          if (!closed) controller.enqueue(enc.encode(`${JSON.stringify({ type, object })}\n`));
        };
        const bookmark = (annotations?: Record<string, string>) =>
          send('BOOKMARK', {
            kind: w.def.kind,
            apiVersion: apiVersionOf(w.def),
            metadata: { resourceVersion: String(this.storage.resourceVersion), ...(annotations ? { annotations } : {}) },
          });
        const inScope = (o: KubeObject) => !w.def.namespaced || w.namespace === undefined || o.metadata.namespace === w.namespace;
        const deliver = (e: StoreEvent) => {
          if (e.resource !== resource || !inScope(e.object)) return;
          const now = w.match(e.object);
          const before = e.prev ? w.match(e.prev) : false;
          if (e.type === 'ADDED') {
            if (now) send('ADDED', w.encode(e.object));
          } else if (e.type === 'DELETED') {
            if (before || now) send('DELETED', w.encode(e.object));
          } else if (now && before) send('MODIFIED', w.encode(e.object));
          else if (now) send('ADDED', w.encode(e.object));
          else if (before) send('DELETED', w.encode(e.object));
        };

        const rv = w.resourceVersion;
        if (rv === undefined || rv === '' || rv === '0' || w.sendInitialEvents) {
          for (const [, o] of this.storage.scan(resource, w.def.namespaced ? w.namespace : undefined)) {
            if (w.match(o)) send('ADDED', w.encode(o));
          }
          if (w.sendInitialEvents && w.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
        } else {
          const n = Number(rv);
          const events = Number.isInteger(n) && n >= 0 ? this.storage.eventsSince(n) : undefined;
          if (!events) {
            const oldest = this.storage.oldestWatchableRv;
            send('ERROR', expired(`too old resource version: ${rv} (${oldest + 1})`).toStatus());
            controller.close();
            return;
          }
          for (const e of events) deliver(e);
        }

        const unsubscribe = this.storage.subscribe(deliver);
        const timers: ReturnType<typeof setTimeout>[] = [];
        const entry: OpenWatch = {
          tag: w.tag,
          close: () => {
            if (closed) return;
            cleanup();
            controller.close();
          },
        };
        cleanup = () => {
          closed = true;
          unsubscribe();
          for (const t of timers) clearTimeout(t);
          this.open.delete(entry);
          w.signal?.removeEventListener('abort', entry.close);
        };
        this.open.add(entry);
        if (w.allowBookmarks) timers.push(setInterval(() => bookmark(), this.bookmarkIntervalMs));
        if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
          timers.push(setTimeout(entry.close, w.timeoutSeconds * 1000));
        }
        w.signal?.addEventListener('abort', entry.close);
      },
      cancel: () => cleanup(),
    });
  }
}
