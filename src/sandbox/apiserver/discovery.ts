// Discovery documents: /api, /apis, /apis/<group>, /api/v1, /apis/<group>/<version>, /version.

import type { AggregatedApi } from '../types.ts';
import { compareVersions, type Kinds } from './kinds.ts';
import type { ResourceDef } from './resources.ts';

const STORED_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const VERSION_INFO = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-dicot.sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function verbsOf(def: ResourceDef): string[] {
  if (def.virtual) return ['create'];
  if (def.plural === 'namespaces' && def.group === '') return STORED_VERBS.filter((v) => v !== 'deletecollection');
  return STORED_VERBS;
}

function resourceEntries(def: ResourceDef): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: def.plural,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: verbsOf(def),
  };
  if (def.shortNames) main.shortNames = def.shortNames;
  if (def.categories) main.categories = def.categories;
  const out = [main];
  if (def.status) {
    out.push({ name: `${def.plural}/status`, singularName: '', namespaced: def.namespaced, kind: def.kind, verbs: ['get', 'patch', 'update'] });
  }
  if (def.group === '' && def.plural === 'namespaces') {
    out.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
  }
  return out;
}

export class Discovery {
  constructor(
    private readonly kinds: Kinds,
    private readonly aggregated: () => AggregatedApi[],
  ) {}

  private groupMap(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const { group, versions } of this.kinds.groups()) map.set(group, versions);
    for (const api of this.aggregated()) {
      const versions = map.get(api.group) ?? [];
      if (!versions.includes(api.version)) versions.push(api.version);
      map.set(api.group, versions.sort(compareVersions));
    }
    return map;
  }

  private groupDoc(name: string, versions: string[]) {
    const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: entries, preferredVersion: entries[0] };
  }

  apiVersions(host: string) {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
    };
  }

  groupList() {
    const groups = [...this.groupMap()]
      .filter(([g]) => g !== '')
      .map(([g, versions]) => this.groupDoc(g, versions));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  group(name: string) {
    const versions = this.groupMap().get(name);
    if (!versions || name === '') return undefined;
    return { kind: 'APIGroup', apiVersion: 'v1', ...this.groupDoc(name, versions) };
  }

  resourceList(group: string, version: string) {
    const defs = this.kinds.resourcesOf(group, version);
    const agg = this.aggregated().filter((a) => a.group === group && a.version === version);
    if (defs.length === 0 && agg.length === 0) return undefined;
    const resources: unknown[] = defs.flatMap(resourceEntries);
    for (const a of agg) resources.push(...a.resources);
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }
}
