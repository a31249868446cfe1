// Request attributes from a URL and method (k8s.io/apiserver/pkg/endpoints/request.RequestInfoFactory).

// Shared by the sandbox's API server (authorization, faults) and the gateway's metrics.

/** What a Kubernetes API request asks for (the attributes RBAC decides on). */
export interface RequestAttributes {
  verb: string; // get, list, watch, create, update, patch, delete, deletecollection
  apiGroup: string; // "" for core
  apiVersion: string;
  resource: string; // plural, e.g. "virtualmachines"
  subresource?: string; // e.g. "start", "vnc", "status"
  namespace?: string;
  name?: string;
}

export interface RequestInfo extends RequestAttributes {
  isResourceRequest: true;
  /** Path segments after the subresource (e.g. portforward/22/tcp). */
  parts: string[];
}

export type ParsedRequest = RequestInfo | { isResourceRequest: false; verb: string; path: string };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export function parseRequest(method: string, url: URL): ParsedRequest {
  const path = url.pathname;
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const nonResource = { isResourceRequest: false as const, verb: (METHOD_VERBS[method] ?? method).toLowerCase(), path };
  let apiGroup: string;
  let apiVersion: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    apiGroup = '';
    apiVersion = segs[1] as string;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    apiGroup = segs[1] as string;
    apiVersion = segs[2] as string;
    rest = segs.slice(3);
  } else return nonResource;

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) rest = rest.slice(2);
  }
  const [resource, name, subresource, ...parts] = rest as [string, string?, string?, ...string[]];
  let verb = METHOD_VERBS[method] ?? method.toLowerCase();
  const watch = url.searchParams.get('watch');
  const watching = watch === 'true' || watch === '1';
  if (name === undefined) {
    if (verb === 'get') verb = watching ? 'watch' : 'list';
    if (verb === 'delete') verb = 'deletecollection';
  } else if (verb === 'get' && watching) verb = 'watch';
  const info: RequestInfo = { isResourceRequest: true, verb, apiGroup, apiVersion, resource, parts };
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) info.name = name;
  if (subresource !== undefined) info.subresource = subresource;
  return info;
}
