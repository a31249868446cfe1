// The sandbox's Kubernetes API server, assembled: storage, generic store, control-plane loops,
// RBAC, discovery, watches, faults and persistence behind one fetch handler.

import type { AggregatedApi, Caller, PodLogSource, ServiceResolver } from '../types.ts';
import { Authenticator } from './auth.ts';
import { bootstrapObjects } from './bootstrap.ts';
import { ControlPlane } from './controllers.ts';
import { Discovery } from './discovery.ts';
import { ApiError } from './errors.ts';
import { Faults } from './faults.ts';
import { createHandler } from './handler.ts';
import { Kinds } from './kinds.ts';
import { restore, serialize } from './persist.ts';
import { Authorizer } from './rbac.ts';
import { Storage } from './storage.ts';
import { GenericStore } from './store.ts';
import { Watches } from './watch.ts';

export type { FaultInjector, FaultMatch, FaultError } from './faults.ts';

export interface StateStore {
  load(): Promise<string | null>;
  save(data: string): Promise<void>;
}

export interface ApiServerOptions {
  state?: StateStore;
  /** Events kept for watch replay (older resourceVersions answer 410 Expired). */
  historySize?: number;
  bookmarkIntervalMs?: number;
  saveDebounceMs?: number;
  now?: () => number;
}

export interface ApiServer {
  fetch(req: Request): Promise<Response>;
  addToken(token: string, caller: Caller): void;
  addAggregatedApi(api: AggregatedApi): void;
  /** Backends for Services: reached at `<svc>.<ns>.svc` and through `services/proxy`. */
  addServiceResolver(resolve: ServiceResolver): void;
  /** Where `pods/log` reads container logs (the kubelets of the simulated nodes). */
  addPodLogSource(source: PodLogSource): void;
  readonly faults: Faults;
  /** Loads state (if any) and creates the bootstrap objects that are missing. */
  start(): Promise<void>;
  /** Resolves when the built-in control-plane loops (GC, namespaces, CRDs) have no work left. */
  idle(): Promise<void>;
  /** Whether the built-in loops have work queued right now. */
  busy(): boolean;
  close(): Promise<void>;
}

export function createApiServer(opts: ApiServerOptions = {}): ApiServer {
  const now = opts.now ?? Date.now;
  const storage = new Storage({ historySize: opts.historySize ?? 10_000 });
  const kinds = new Kinds();
  const store = new GenericStore(storage, now);
  const control = new ControlPlane(storage, store, kinds, now);
  const authenticator = new Authenticator();
  const authorizer = new Authorizer(storage);
  const watches = new Watches(storage, opts.bookmarkIntervalMs ?? 15_000);
  const faults = new Faults(watches);
  const aggregatedApis: AggregatedApi[] = [];
  const aggregated = () => aggregatedApis;
  const discovery = new Discovery(kinds, aggregated);
  const resolvers: ServiceResolver[] = [];
  const service = (namespace: string, name: string) => {
    for (const r of resolvers) {
      const h = r(namespace, name);
      if (h) return h;
    }
    return undefined;
  };
  const logSources: PodLogSource[] = [];
  const podLog: PodLogSource = async (pod, container) => {
    for (const source of logSources) {
      const text = await source(pod, container);
      if (text !== undefined) return text;
    }
    return undefined;
  };
  const handler = createHandler({ authenticator, authorizer, store, kinds, discovery, watches, faults, aggregated, service, podLog, now });

  // Persistence: serialize at most once per debounce window, flush on close.
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  let started = false;
  const flush = () => {
    saveTimer = undefined;
    const state = opts.state;
    if (!state) return saving;
    const data = serialize(storage);
    saving = saving.then(() => state.save(data)).catch((e) => console.error('sandbox state save failed:', e));
    return saving;
  };
  const unsubscribeSave = storage.subscribe(() => {
    if (!opts.state || !started || saveTimer) return;
    saveTimer = setTimeout(flush, opts.saveDebounceMs ?? 250);
  });

  return {
    fetch: handler,
    faults,
    addToken: (token, caller) => authenticator.add(token, caller),
    addAggregatedApi: (api) => {
      aggregatedApis.push(api);
    },
    addServiceResolver: (resolve) => {
      resolvers.push(resolve);
    },
    addPodLogSource: (source) => {
      logSources.push(source);
    },
    async start() {
      const data = await opts.state?.load();
      if (data) {
        restore(storage, data);
        control.syncCrds();
      }
      for (const [group, version, plural, object] of bootstrapObjects()) {
        const def = kinds.lookup(group, version, plural);
        if (!def || storage.get(`${group}/${plural}`, object.metadata.namespace, object.metadata.name as string)) continue;
        try {
          store.create(def, object.metadata.namespace, object);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 409)) throw e;
        }
      }
      started = true;
      await control.queue.idle();
      if (opts.state) await flush();
    },
    idle: () => control.queue.idle(),
    busy: () => control.queue.busy,
    async close() {
      watches.closeAll();
      await control.queue.idle();
      control.stop();
      unsubscribeSave();
      if (saveTimer) clearTimeout(saveTimer);
      if (opts.state && started) await flush();
      await saving;
    },
  };
}
