// The one Kubernetes client: fetch + JSON over the REST API. It takes a fetch function, so
// the same code talks to a real cluster (platform fetch with the CA) or to the sandbox's
// handler in-process.

import { type KubeError, TimeoutError, UnavailableError, errorFromResponse } from './errors.ts';
import { type ResourceType, apiVersionOf } from './resources.ts';
import { DEFAULT_RETRY, type RetryPolicy, backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from './retry.ts';
import type { KubeList, KubeObject, WatchEvent } from './types.ts';
import { type QueryValue, queryString, resourcePath } from './url.ts';
import { watchEvents } from './watch.ts';

export interface KubeClientOptions {
  /** API server base URL, e.g. https://10.0.0.1:6443 or http://sandbox. */
  server: string;
  /** The platform's fetch (with the cluster CA) or the sandbox's handler. */
  fetch?: typeof fetch;
  /** Bearer token; a function is called per request so rotated token files are picked up. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Per-request timeout (watches are exempt). Default 30 s. */
  timeoutMs?: number;
  /** Backoff for safe requests (GET). `{ attempts: 1, ... }` disables retries. */
  retry?: RetryPolicy;
  userAgent?: string;
  /** Waits between retries; tests pass a recording stub. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface Common {
  namespace?: string;
  signal?: AbortSignal;
}
interface Write extends Common {
  dryRun?: boolean;
  fieldManager?: string;
}
export interface ListOptions extends Common {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}
export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Required: a watch runs until the server ends it or this aborts. */
  signal: AbortSignal;
}
export type PatchType = 'merge' | 'json' | 'strategic';
export interface PatchOptions extends Write {
  type: PatchType;
  subresource?: string;
}
export interface DeleteOptions extends Common {
  dryRun?: boolean;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}
export interface SubresourceOptions extends Common {
  body?: unknown;
  /** Where the subresource is served when not by the type's own group (subresources.kubevirt.io). */
  group?: string;
  version?: string;
  query?: Record<string, QueryValue>;
}
export interface RequestInitExtra extends RequestInit {
  /** Retry on 429/5xx/network errors (only for requests that are safe to repeat). */
  retry?: boolean;
  /** Apply the per-request timeout (false for streams). Default true. */
  timeout?: boolean;
}

export interface KubeClient {
  readonly server: string;
  /** A client that impersonates `user` (and `groups`); the server checks the caller may. */
  as(user: string, groups?: string[]): KubeClient;
  get<T = KubeObject>(type: ResourceType, name: string, opts?: Common): Promise<T>;
  list<T = KubeObject>(type: ResourceType, opts?: ListOptions): Promise<KubeList<T>>;
  /** Every page (continue tokens) merged; resourceVersion is the snapshot the pages share. */
  listAll<T = KubeObject>(type: ResourceType, opts?: Omit<ListOptions, 'continue'>): Promise<KubeList<T>>;
  watch<T = KubeObject>(type: ResourceType, opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
  create<T extends KubeObject>(type: ResourceType, obj: T, opts?: Write): Promise<T>;
  replace<T extends KubeObject>(type: ResourceType, obj: T, opts?: Write): Promise<T>;
  patch<T = KubeObject>(type: ResourceType, name: string, patch: unknown, opts: PatchOptions): Promise<T>;
  updateStatus<T extends KubeObject>(type: ResourceType, obj: T, opts?: Write): Promise<T>;
  patchStatus<T = KubeObject>(
    type: ResourceType,
    name: string,
    patch: unknown,
    opts: Omit<PatchOptions, 'subresource'>,
  ): Promise<T>;
  delete<T = unknown>(type: ResourceType, name: string, opts?: DeleteOptions): Promise<T>;
  deleteCollection(type: ResourceType, opts?: ListOptions & Omit<DeleteOptions, 'preconditions'>): Promise<unknown>;
  /** A subresource call; the parsed JSON answer, or undefined for an empty body. */
  subresource<T = unknown>(
    method: string,
    type: ResourceType,
    name: string,
    subresource: string,
    opts?: SubresourceOptions,
  ): Promise<T>;
  /** Raw request with auth, impersonation and timeout; the Response is returned whatever its status. */
  request(path: string, init?: RequestInitExtra): Promise<Response>;
  /** Headers the client sends (auth, impersonation), for callers opening websockets themselves. */
  headers(): Promise<Headers>;
}

const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

interface Identity {
  user: string;
  groups: string[];
}

export function createKubeClient(opts: KubeClientOptions): KubeClient {
  return makeClient(opts, undefined);
}

function makeClient(opts: KubeClientOptions, identity: Identity | undefined): KubeClient {
  const server = opts.server.replace(/\/+$/, '');
  const doFetch: typeof fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const policy = opts.retry ?? DEFAULT_RETRY;
  const wait = opts.sleep ?? sleep;

  async function headers(): Promise<Headers> {
    const h = new Headers({ Accept: 'application/json' });
    if (opts.userAgent) h.set('User-Agent', opts.userAgent);
    const token = typeof opts.token === 'function' ? await opts.token() : opts.token;
    if (token) h.set('Authorization', `Bearer ${token}`);
    if (identity) {
      h.set('Impersonate-User', identity.user);
      for (const g of identity.groups) h.append('Impersonate-Group', g);
    }
    return h;
  }

  async function request(path: string, init: RequestInitExtra = {}): Promise<Response> {
    const { retry = false, timeout = true, signal: callerSignal, ...rest } = init;
    const h = await headers();
    for (const [k, v] of new Headers(init.headers)) h.set(k, v);
    const attempts = retry ? Math.max(1, policy.attempts) : 1;
    for (let attempt = 1; ; attempt++) {
      const timer = timeout ? AbortSignal.timeout(timeoutMs) : undefined;
      const signal = combine(callerSignal ?? undefined, timer);
      let failure: KubeError;
      let retryAfter: number | undefined;
      try {
        const res = await doFetch(server + path, { ...rest, headers: h, signal });
        if (!(retry && isRetryableStatus(res.status) && attempt < attempts)) return res;
        retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
        failure = await errorFromResponse(res);
      } catch (err) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        failure = timer?.aborted
          ? new TimeoutError(504, 'Timeout', `${rest.method ?? 'GET'} ${path}: no answer within ${timeoutMs} ms`)
          : new UnavailableError(503, 'ServiceUnavailable', `${rest.method ?? 'GET'} ${path}: ${describe(err)}`);
        if (attempt >= attempts) throw failure;
      }
      // The server asked for more patience than our policy allows: give up now, not sooner than asked.
      if (retryAfter !== undefined && retryAfter > policy.maxDelayMs) throw failure;
      await wait(retryAfter ?? backoffDelay(policy, attempt), callerSignal ?? undefined);
    }
  }

  /** Sends, maps errors, parses JSON (undefined for an empty body). */
  async function call<T>(method: string, path: string, init: { body?: unknown; contentType?: string; signal?: AbortSignal } = {}): Promise<T> {
    const res = await request(path, {
      method,
      signal: init.signal,
      retry: method === 'GET',
      ...(init.body === undefined
        ? {}
        : { body: JSON.stringify(init.body), headers: { 'Content-Type': init.contentType ?? 'application/json' } }),
    });
    if (!res.ok) throw await errorFromResponse(res);
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  function nsOf(type: ResourceType, namespace: string | undefined, what: string): string | undefined {
    if (!type.namespaced) return undefined;
    if (!namespace) throw new TypeError(`${what} ${type.kind}: namespace required`);
    return namespace;
  }

  function withTypeMeta<T extends KubeObject>(type: ResourceType, obj: T): T {
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(type), kind: obj.kind ?? type.kind };
  }

  const writeQuery = (o?: Write) => queryString({ dryRun: o?.dryRun ? 'All' : undefined, fieldManager: o?.fieldManager });
  const listQuery = (o: ListOptions = {}) =>
    queryString({
      labelSelector: o.labelSelector,
      fieldSelector: o.fieldSelector,
      limit: o.limit,
      continue: o.continue,
      resourceVersion: o.resourceVersion,
      resourceVersionMatch: o.resourceVersionMatch,
    });

  const client: KubeClient = {
    server,
    as: (user, groups = []) => makeClient(opts, { user, groups }),
    headers,
    request,

    get: async (type, name, o = {}) =>
      call('GET', resourcePath(type, { namespace: nsOf(type, o.namespace, 'get'), name }), { signal: o.signal }),

    list: async (type, o = {}) => call('GET', resourcePath(type, { namespace: o.namespace }) + listQuery(o), { signal: o.signal }),

    async listAll<T>(type: ResourceType, o: Omit<ListOptions, 'continue'> = {}) {
      const first = await client.list<T>(type, { limit: 500, ...o });
      const items = [...first.items];
      let next = first.metadata.continue;
      while (next) {
        const page = await client.list<T>(type, { limit: 500, ...o, continue: next });
        items.push(...page.items);
        next = page.metadata.continue;
      }
      return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
    },

    async *watch<T>(type: ResourceType, o: WatchOptions): AsyncGenerator<WatchEvent<T>> {
      const path =
        resourcePath(type, { namespace: o.namespace }) +
        queryString({
          watch: true,
          resourceVersion: o.resourceVersion,
          labelSelector: o.labelSelector,
          fieldSelector: o.fieldSelector,
          allowWatchBookmarks: o.allowWatchBookmarks,
          timeoutSeconds: o.timeoutSeconds,
        });
      const res = await request(path, { method: 'GET', signal: o.signal, retry: true, timeout: false });
      if (!res.ok) throw await errorFromResponse(res);
      if (!res.body) return;
      try {
        yield* watchEvents<T>(res.body, o.signal);
      } catch (err) {
        if (o.signal.aborted) return; // the caller stopped the watch: end quietly
        throw err;
      }
    },

    create: async (type, obj, o = {}) =>
      call('POST', resourcePath(type, { namespace: nsOf(type, o.namespace ?? obj.metadata.namespace, 'create') }) + writeQuery(o), {
        body: withTypeMeta(type, obj),
        signal: o.signal,
      }),

    replace: async (type, obj, o = {}) =>
      call(
        'PUT',
        resourcePath(type, { namespace: nsOf(type, o.namespace ?? obj.metadata.namespace, 'replace'), name: obj.metadata.name }) +
          writeQuery(o),
        { body: withTypeMeta(type, obj), signal: o.signal },
      ),

    updateStatus: async (type, obj, o = {}) =>
      call(
        'PUT',
        resourcePath(type, {
          namespace: nsOf(type, o.namespace ?? obj.metadata.namespace, 'updateStatus'),
          name: obj.metadata.name,
          subresource: 'status',
        }) + writeQuery(o),
        { body: withTypeMeta(type, obj), signal: o.signal },
      ),

    patch: async (type, name, patch, o) =>
      call(
        'PATCH',
        resourcePath(type, { namespace: nsOf(type, o.namespace, 'patch'), name, subresource: o.subresource }) + writeQuery(o),
        { body: patch, contentType: patchContentType[o.type], signal: o.signal },
      ),

    patchStatus: (type, name, patch, o) => client.patch(type, name, patch, { ...o, subresource: 'status' }),

    delete: async (type, name, o = {}) =>
      call('DELETE', resourcePath(type, { namespace: nsOf(type, o.namespace, 'delete'), name }), {
        body: deleteBody(o),
        signal: o.signal,
      }),

    deleteCollection: async (type, o = {}) =>
      call('DELETE', resourcePath(type, { namespace: o.namespace }) + listQuery(o), { body: deleteBody(o), signal: o.signal }),

    subresource: async (method, type, name, subresource, o = {}) =>
      call(
        method,
        resourcePath(type, {
          namespace: nsOf(type, o.namespace, subresource),
          name,
          subresource,
          group: o.group,
          version: o.version,
        }) + queryString(o.query ?? {}),
        { body: o.body, signal: o.signal },
      ),
  };
  return client;
}

function deleteBody(o: DeleteOptions): object {
  return {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    ...(o.dryRun ? { dryRun: ['All'] } : {}),
    ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
    ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
    ...(o.preconditions ? { preconditions: o.preconditions } : {}),
  };
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
