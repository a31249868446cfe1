// REST paths: core `/api/v1/...`, groups `/apis/<group>/<version>/...`.

import type { ResourceType } from './resources.ts';

export interface PathOptions {
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Serve the path from another group/version (e.g. subresources.kubevirt.io/v1). */
  group?: string;
  version?: string;
}

export function resourcePath(type: ResourceType, opts: PathOptions = {}): string {
  const group = opts.group ?? type.group;
  const version = opts.version ?? type.version;
  let path = group ? `/apis/${group}/${version}` : `/api/${version}`;
  if (type.namespaced && opts.namespace) path += `/namespaces/${encodeURIComponent(opts.namespace)}`;
  path += `/${type.plural}`;
  if (opts.name !== undefined) {
    if (!opts.name) throw new TypeError(`${type.kind}: empty name`);
    path += `/${encodeURIComponent(opts.name)}`;
  }
  if (opts.subresource) path += `/${opts.subresource}`;
  return path;
}

export type QueryValue = string | number | boolean | undefined | readonly string[];

/** `?a=b&...` (empty when nothing is set); arrays repeat the key (dryRun=All). */
export function queryString(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
