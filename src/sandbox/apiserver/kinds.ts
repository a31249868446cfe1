// Which kinds are served: the built-in table plus whatever established CRDs add.

import { BUILTIN_RESOURCES, type ResourceDef } from './resources.ts';

const gvr = (group: string, version: string, plural: string) => `${group}/${version}/${plural}`;

// Group order of a real server's discovery: core groups first, then CRD groups by name.
const BUILTIN_GROUP_ORDER = [
  '',
  'apps',
  'rbac.authorization.k8s.io',
  'networking.k8s.io',
  'storage.k8s.io',
  'authorization.k8s.io',
  'apiextensions.k8s.io',
];

export class Kinds {
  private readonly byGvr = new Map<string, ResourceDef>();
  private readonly crdDefs = new Map<string, ResourceDef[]>();

  constructor() {
    for (const d of BUILTIN_RESOURCES) this.byGvr.set(gvr(d.group, d.version, d.plural), d);
  }

  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byGvr.get(gvr(group, version, plural));
  }

  /** Any served version of a kind, for ownerReferences (apiVersion + kind). */
  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    for (const d of this.byGvr.values()) {
      if (d.kind === kind && d.group === group && (d.version === version || version === undefined)) return d;
    }
    for (const d of this.byGvr.values()) if (d.kind === kind && d.group === group) return d;
    return undefined;
  }

  /** Registers the kinds of an established CRD (replacing what it served before). */
  setCrd(name: string, defs: ResourceDef[]): void {
    this.removeCrd(name);
    this.crdDefs.set(name, defs);
    for (const d of defs) this.byGvr.set(gvr(d.group, d.version, d.plural), d);
  }

  removeCrd(name: string): ResourceDef[] {
    const defs = this.crdDefs.get(name) ?? [];
    for (const d of defs) this.byGvr.delete(gvr(d.group, d.version, d.plural));
    this.crdDefs.delete(name);
    return defs;
  }

  all(): ResourceDef[] {
    return [...this.byGvr.values()];
  }

  /** Groups with their versions, in discovery order. */
  groups(): { group: string; versions: string[] }[] {
    const map = new Map<string, Set<string>>();
    for (const d of this.byGvr.values()) {
      let s = map.get(d.group);
      if (!s) {
        s = new Set();
        map.set(d.group, s);
      }
      s.add(d.version);
    }
    const rank = (g: string) => {
      const i = BUILTIN_GROUP_ORDER.indexOf(g);
      return i < 0 ? BUILTIN_GROUP_ORDER.length : i;
    };
    return [...map.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([group, versions]) => ({ group, versions: [...versions].sort(compareVersions) }));
  }

  resourcesOf(group: string, version: string): ResourceDef[] {
    return [...this.byGvr.values()].filter((d) => d.group === group && d.version === version);
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pb[i] as number) - (pa[i] as number);
  return a.localeCompare(b);
}
