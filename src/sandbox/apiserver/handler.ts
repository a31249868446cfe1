// The HTTP face of the API server: authenticate, impersonate, authorize, then serve discovery,
// an aggregated API, or a resource through the generic store. Errors become metav1.Status.

import type { AggregatedApi, Caller, PodLogSource, ServiceHandler } from '../types.ts';
import { impersonate, type Authenticator } from './auth.ts';
import type { Discovery } from './discovery.ts';
import { VERSION_INFO } from './discovery.ts';
import { escalationCheck } from './escalation.ts';
import { ApiError, badRequest, forbidden, methodNotAllowed, notFoundPath, toApiError } from './errors.ts';
import type { Faults } from './faults.ts';
import type { Kinds } from './kinds.ts';
import type { KubeObject } from './object.ts';
import { type Attributes, type Authorizer, forbiddenReason } from './rbac.ts';
import { parseRequest, type RequestInfo } from '../../kube/request-info.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { type DeleteOptions, type GenericStore, type ListOptions, type Propagation, selects } from './store.ts';
import { toTable, wantsTable } from './table.ts';
import type { Watches } from './watch.ts';

export interface HandlerDeps {
  authenticator: Authenticator;
  authorizer: Authorizer;
  store: GenericStore;
  kinds: Kinds;
  discovery: Discovery;
  watches: Watches;
  faults: Faults;
  aggregated: () => AggregatedApi[];
  /** Backends of Services (the cluster network and `services/proxy`). */
  service: (namespace: string, name: string) => ServiceHandler | undefined;
  /** What a kubelet would stream for `pods/log`: a container's log, or undefined when it has none. */
  podLog: PodLogSource;
  now: () => number;
}

// A fresh headers object per response: @hono/node-server's Response writes content-length into it.
const jsonHeaders = () => ({ 'content-type': 'application/json' });

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: jsonHeaders() });

function errorResponse(e: ApiError): Response {
  const headers: Record<string, string> = jsonHeaders();
  if (e.details?.retryAfterSeconds !== undefined) headers['retry-after'] = String(e.details.retryAfterSeconds);
  return new Response(JSON.stringify(e.toStatus()), { status: e.code, headers });
}

async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createHandler(d: HandlerDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      const url = new URL(req.url);
      // The cluster network: `https://<service>.<namespace>.svc/...` reaches the Service itself.
      const direct = serviceHost(url.hostname);
      const backend = direct && d.service(direct.namespace, direct.name);
      if (backend) return await backend(req, url.pathname + url.search);
      const parsed = parseRequest(req.method, url);
      const attrs = parsed.isResourceRequest ? parsed : undefined;
      const delay = d.faults.delayFor(attrs);
      if (delay > 0) await sleep(delay);
      const caller = impersonate(req, d.authenticator.authenticate(req), d.authorizer);
      const injected = d.faults.errorFor(attrs);
      if (injected) throw injected;
      if (!parsed.isResourceRequest) {
        authorize(d, caller, { verb: parsed.verb, path: parsed.path });
        return serveNonResource(d, url, parsed.path);
      }
      authorize(d, caller, parsed);
      if (parsed.apiGroup === '' && parsed.resource === 'services' && parsed.subresource === 'proxy' && parsed.namespace && parsed.name) {
        return await proxyToService(d, req, url, parsed.namespace, parsed.name, parsed.parts);
      }
      const api = d.aggregated().find((a) => a.group === parsed.apiGroup && a.version === parsed.apiVersion);
      if (api) return await api.handle(req, caller, parsed);
      return await serveResource(d, req, url, parsed, caller);
    } catch (e) {
      if (!(e instanceof ApiError)) console.error('sandbox apiserver:', e);
      const err = toApiError(e);
      return errorResponse(err);
    }
  };
}

/** `pods/{name}/log?container=&tailLines=`: the kubelet's answer, text/plain. */
async function podLog(d: HandlerDeps, url: URL, pod: KubeObject): Promise<Response> {
  const name = pod.metadata.name as string;
  const containers = ((pod as { spec?: { containers?: { name: string }[] } }).spec?.containers ?? []).map((c) => c.name);
  const asked = url.searchParams.get('container');
  if (!asked && containers.length !== 1)
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  const container = asked ?? (containers[0] as string);
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const text = await d.podLog(pod, container);
  if (text === undefined) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  const tail = url.searchParams.get('tailLines');
  let lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (tail !== null && /^\d+$/.test(tail)) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  return new Response(lines.map((l) => `${l}\n`).join(''), { status: 200, headers: { 'content-type': 'text/plain' } });
}

/** `<service>.<namespace>.svc[.cluster.local]` → the Service it names. */
function serviceHost(host: string): { namespace: string; name: string } | undefined {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(host);
  return m ? { name: m[1] as string, namespace: m[2] as string } : undefined;
}

/**
 * `services/{[scheme:]name[:port]}/proxy/...`: the request, minus the caller's credentials
 * (kube-apiserver drops `Authorization` and `Impersonate-*` once it has used them), goes
 * to the Service's backend.
 */
async function proxyToService(d: HandlerDeps, req: Request, url: URL, namespace: string, target: string, parts: string[]): Promise<Response> {
  const segs = target.split(':');
  const name = (segs.length === 1 ? segs[0] : /^https?$/.test(segs[0] as string) ? segs[1] : segs[0]) as string;
  const backend = d.service(namespace, name);
  if (!backend) throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${target}"`, {});
  const headers = new Headers(req.headers);
  for (const h of [...headers.keys()]) if (h === 'authorization' || h.startsWith('impersonate-')) headers.delete(h);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null;
  const forwarded = new Request(req.url, { method: req.method, headers, signal: req.signal, ...(hasBody ? { body: req.body, duplex: 'half' } : {}) } as RequestInit);
  return backend(forwarded, `/${parts.map(encodeURIComponent).join('/')}${url.search}`);
}

function authorize(d: HandlerDeps, caller: Caller, a: Attributes): void {
  if (d.authorizer.authorize(caller, a).allowed) return;
  const why = forbiddenReason(caller, a);
  if (a.path !== undefined) throw new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
  throw forbidden({ group: a.apiGroup, resource: a.resource }, a.name, why);
}

function serveNonResource(d: HandlerDeps, url: URL, path: string): Response {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/version') return json(VERSION_INFO);
  if (['/healthz', '/livez', '/readyz'].includes(p)) return new Response('ok', { headers: { 'content-type': 'text/plain' } });
  if (p === '/api') return json(d.discovery.apiVersions(url.host));
  if (p === '/apis') return json(d.discovery.groupList());
  const segs = p.split('/').filter(Boolean);
  if (segs[0] === 'api' && segs.length === 2) {
    const doc = d.discovery.resourceList('', segs[1] as string);
    if (doc) return json(doc);
  }
  if (segs[0] === 'apis' && segs.length === 2) {
    const doc = d.discovery.group(segs[1] as string);
    if (doc) return json(doc);
  }
  if (segs[0] === 'apis' && segs.length === 3) {
    const doc = d.discovery.resourceList(segs[1] as string, segs[2] as string);
    if (doc) return json(doc);
  }
  // No OpenAPI documents: kubectl copes with --validate=false.
  throw notFoundPath();
}

function dryRunOf(url: URL, body?: { dryRun?: unknown }): boolean {
  return url.searchParams.getAll('dryRun').includes('All') || (Array.isArray(body?.dryRun) && body.dryRun.includes('All'));
}

function listOptions(url: URL, namespace: string | undefined): ListOptions {
  const q = url.searchParams;
  const opts: ListOptions = {};
  if (namespace !== undefined) opts.namespace = namespace;
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = parseLabelSelector(ls);
  const fs = q.get('fieldSelector');
  if (fs) opts.fieldSelector = parseFieldSelector(fs);
  const limit = q.get('limit');
  if (limit) opts.limit = Number.parseInt(limit, 10) || 0;
  const cont = q.get('continue');
  if (cont) opts.continue = cont;
  return opts;
}

function deleteOptions(url: URL, body: unknown): DeleteOptions {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    propagationPolicy?: string;
    orphanDependents?: boolean;
    preconditions?: { uid?: string; resourceVersion?: string };
    dryRun?: unknown;
  };
  const opts: DeleteOptions = { dryRun: dryRunOf(url, b) };
  let policy = url.searchParams.get('propagationPolicy') ?? b.propagationPolicy;
  const orphan = url.searchParams.get('orphanDependents') ?? b.orphanDependents;
  if (!policy && orphan !== undefined && orphan !== null) policy = String(orphan) === 'true' ? 'Orphan' : 'Background';
  if (policy) {
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    opts.propagationPolicy = policy as Propagation;
  }
  if (b.preconditions) opts.preconditions = b.preconditions;
  return opts;
}

async function serveResource(d: HandlerDeps, req: Request, url: URL, info: RequestInfo, caller: Caller): Promise<Response> {
  const def = d.kinds.lookup(info.apiGroup, info.apiVersion, info.resource);
  if (!def) throw notFoundPath();
  const { name, subresource } = info;
  // Cluster-scoped kinds have no namespaced paths; namespaced items need a namespace.
  const ns = def.namespaced ? info.namespace : undefined;
  if (!def.namespaced && info.namespace !== undefined && !(def.group === '' && def.plural === 'namespaces')) throw notFoundPath();
  if (def.namespaced && name !== undefined && ns === undefined) throw notFoundPath();
  if (subresource === 'log' && def.group === '' && def.plural === 'pods' && ns !== undefined && name !== undefined) {
    if (info.verb !== 'get') throw methodNotAllowed();
    return podLog(d, url, d.store.get(def, ns, name));
  }
  if (subresource !== undefined && !(subresource === 'status' && def.status) && !(subresource === 'finalize' && def.plural === 'namespaces' && def.group === '')) {
    throw notFoundPath();
  }
  if (def.virtual) {
    if (info.verb !== 'create') throw methodNotAllowed();
    return json(review(d, def, info, caller, await readJson(req)), 201);
  }
  const table = wantsTable(req.headers.get('accept'));
  const tableOpts = (includeHeaders: boolean, meta?: { resourceVersion?: string; continue?: string }) => ({
    includeHeaders,
    includeObject: url.searchParams.get('includeObject'),
    now: d.now(),
    ...meta,
  });
  const admit = escalationCheck(d.authorizer, caller, def, ns, name);
  const guarded = admit ? { admit } : {};
  switch (info.verb) {
    case 'get': {
      const o = d.store.get(def, ns, name as string);
      return json(table ? toTable(def, [o], tableOpts(true, { resourceVersion: o.metadata.resourceVersion as string })) : o);
    }
    case 'list': {
      const r = d.store.list(def, listOptions(url, ns));
      if (table) return json(toTable(def, r.items, tableOpts(true, r)));
      const metadata: Record<string, unknown> = { resourceVersion: r.resourceVersion };
      if (r.continue) metadata.continue = r.continue;
      return json({ kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata, items: r.items });
    }
    case 'watch':
      return watch(d, req, url, def, info, ns, table);
    case 'create': {
      const body = await readJson(req);
      const o = d.store.create(def, ns, body, { dryRun: dryRunOf(url), ...guarded });
      return json(o, 201);
    }
    case 'update': {
      const body = await readJson(req);
      if (subresource === 'finalize') {
        const cur = d.store.get(def, ns, name as string);
        const spec = { ...(cur.spec as object), finalizers: (body as { spec?: { finalizers?: unknown } })?.spec?.finalizers ?? [] };
        return json(d.store.update(def, ns, name as string, { ...cur, spec }, { dryRun: dryRunOf(url) }));
      }
      const opts = { dryRun: dryRunOf(url), ...(subresource ? { subresource } : {}), ...guarded };
      return json(d.store.update(def, ns, name as string, body, opts));
    }
    case 'patch': {
      const body = await readJson(req);
      const opts = { dryRun: dryRunOf(url), ...(subresource ? { subresource } : {}), ...guarded };
      return json(d.store.patch(def, ns, name as string, req.headers.get('content-type') ?? '', body, opts));
    }
    case 'delete': {
      const body = await readJson(req);
      const r = d.store.delete(def, ns, name as string, deleteOptions(url, body));
      if (r.deleted && !def.crd) {
        const details: Record<string, unknown> = { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: r.object.metadata.uid };
        return json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
      }
      return json(r.object);
    }
    case 'deletecollection': {
      if (def.group === '' && def.plural === 'namespaces') throw methodNotAllowed();
      const body = await readJson(req);
      const items = d.store.deleteCollection(def, listOptions(url, ns), deleteOptions(url, body));
      return json({ kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: {}, items });
    }
    default:
      throw methodNotAllowed();
  }
}

function watch(d: HandlerDeps, req: Request, url: URL, def: ResourceDef, info: RequestInfo, ns: string | undefined, table: boolean): Response {
  const q = url.searchParams;
  const opts = listOptions(url, ns);
  if (info.name) opts.fieldSelector = [...(opts.fieldSelector ?? []), { field: 'metadata.name', op: '=', value: info.name }];
  const match = selects(def, opts);
  const timeout = q.get('timeoutSeconds');
  let first = true;
  const encode = (o: KubeObject) => {
    if (!table) return o;
    const t = toTable(def, [o], { includeHeaders: first, includeObject: q.get('includeObject'), now: d.now() });
    first = false;
    return t;
  };
  const stream = d.watches.stream({
    def,
    ...(ns !== undefined ? { namespace: ns } : {}),
    match,
    ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion') as string } : {}),
    allowBookmarks: q.get('allowWatchBookmarks') === 'true',
    sendInitialEvents: q.get('sendInitialEvents') === 'true',
    ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
    encode,
    signal: req.signal,
    tag: info,
  });
  return new Response(stream, { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' } });
}

interface ReviewSpec {
  user?: string;
  groups?: string[];
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
}

/** SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview: answered by RBAC, not stored. */
function review(d: HandlerDeps, def: ResourceDef, info: RequestInfo, caller: Caller, body: unknown): KubeObject {
  const o = (typeof body === 'object' && body !== null ? structuredClone(body) : {}) as KubeObject & { spec?: ReviewSpec };
  const spec: ReviewSpec = o.spec ?? {};
  let subject = caller;
  if (def.kind !== 'SelfSubjectAccessReview') {
    if (!spec.user && !spec.groups?.length) throw badRequest(`${def.kind}.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`);
    subject = { user: spec.user ?? '', groups: spec.groups ?? [] };
  }
  let attrs: Attributes;
  if (spec.nonResourceAttributes) attrs = { verb: spec.nonResourceAttributes.verb ?? '', path: spec.nonResourceAttributes.path ?? '' };
  else {
    const ra = spec.resourceAttributes ?? {};
    const namespace = def.kind === 'LocalSubjectAccessReview' ? info.namespace : ra.namespace;
    attrs = {
      verb: ra.verb ?? '',
      apiGroup: ra.group ?? '',
      apiVersion: ra.version ?? '',
      resource: ra.resource ?? '',
      ...(ra.subresource ? { subresource: ra.subresource } : {}),
      ...(ra.name ? { name: ra.name } : {}),
      ...(namespace ? { namespace } : {}),
    };
  }
  const decision = d.authorizer.authorize(subject, attrs);
  o.apiVersion = apiVersionOf(def);
  o.kind = def.kind;
  o.metadata = { ...(o.metadata ?? {}), creationTimestamp: null as unknown as string };
  o.status = decision.allowed ? { allowed: true, reason: decision.reason ?? '' } : { allowed: false };
  return o;
}
