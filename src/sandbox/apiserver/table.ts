// meta.k8s.io/v1 Table output for `kubectl get` (server-side printing).

import type { KubeObject } from './object.ts';
import { readPath } from './object.ts';
import type { Column, ResourceDef } from './resources.ts';

export function wantsTable(accept: string | null): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** duration.HumanDuration, as kubectl's AGE column shows it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.' };
const AGE: Column = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function columnsOf(def: ResourceDef): Column[] {
  const cols = def.columns ?? [];
  if (def.crd) return [NAME, ...cols];
  return [NAME, ...cols, AGE];
}

function cell(c: Column, o: KubeObject, now: number): unknown {
  if (c === NAME) return o.metadata.name;
  const v = c.value ? c.value(o) : readPath(o, c.jsonPath ?? '');
  if (c.type === 'date') return typeof v === 'string' ? humanDuration(now - Date.parse(v)) : '<unknown>';
  if (v === undefined || v === null) return def0(c);
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

// Missing values print as "<none>" for built-ins; CRD columns print nothing.
const def0 = (c: Column) => (c.value || c.jsonPath ? null : '<none>');

export interface TableOptions {
  includeHeaders: boolean;
  includeObject: string | null;
  now: number;
  resourceVersion?: string;
  continue?: string;
}

export function toTable(def: ResourceDef, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const cols = columnsOf(def);
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata };
  if (opts.includeHeaders) {
    table.columnDefinitions = cols.map((c) => ({
      name: c.name,
      type: c.type === 'date' ? 'string' : c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    }));
  }
  table.rows = objects.map((o) => ({
    cells: cols.map((c) => cell(c, o, opts.now)),
    object:
      opts.includeObject === 'Object'
        ? o
        : opts.includeObject === 'None'
          ? null
          : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
  }));
  return table;
}
