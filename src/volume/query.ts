import { badRequest, notFound } from '../core/faults.ts';
import type { Page } from '../core/pagination.ts';
import { paginate } from '../core/pagination.ts';

// Cinder's list parameters (cinder/api/common.py): filters, `sort` / `sort_key`+`sort_dir`,
// `limit`, `marker`, `offset`. Pure: records in, the page out.

export interface Sortable {
  id: string;
  name: string | null;
  status: string;
  createdAt: string;
  updatedAt: string | null;
  size: number;
}

export interface ListQuery {
  filters: Record<string, string>;
  sort: { key: string; dir: 'asc' | 'desc' }[];
  limit: number | undefined;
  marker: string | undefined;
  offset: number;
}

const PAGING = new Set(['limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir', 'all_tenants', 'with_count', 'is_public']);
const SORT_KEYS: Record<string, keyof Sortable> = {
  id: 'id',
  name: 'name',
  display_name: 'name',
  status: 'status',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  size: 'size',
};

function dirOf(d: string | undefined): 'asc' | 'desc' {
  const dir = (d ?? 'desc').trim().toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') throw badRequest(`Invalid sort direction: ${d}`);
  return dir;
}

function nonNegative(raw: string | null, what: string): number | undefined {
  if (raw === null) return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) throw badRequest(`Invalid input received: ${what} must be a non-negative integer: ${raw}`);
  return Number(raw);
}

export function parseListQuery(q: URLSearchParams): ListQuery {
  const sort: ListQuery['sort'] = [];
  const sortParam = q.get('sort');
  if (sortParam !== null) {
    if (q.get('sort_key') !== null || q.get('sort_dir') !== null) throw badRequest("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
    for (const part of sortParam.split(',').filter((s) => s.trim())) {
      const [key, dir] = part.split(':');
      sort.push({ key: (key ?? '').trim(), dir: dirOf(dir) });
    }
  } else {
    const keys = (q.get('sort_key') ?? '').split(',').filter((s) => s.trim());
    const dirs = (q.get('sort_dir') ?? '').split(',').filter((s) => s.trim());
    keys.forEach((key, i) => {
      sort.push({ key: key.trim(), dir: dirOf(dirs[i] ?? dirs[0]) });
    });
    if (keys.length === 0 && dirs.length) sort.push({ key: 'created_at', dir: dirOf(dirs[0]) });
  }
  for (const s of sort) if (!SORT_KEYS[s.key]) throw badRequest(`Invalid input received: Invalid sort key ${s.key}`);
  if (!sort.some((s) => s.key === 'created_at')) sort.push({ key: 'created_at', dir: 'desc' });
  if (!sort.some((s) => s.key === 'id')) sort.push({ key: 'id', dir: 'desc' });
  const filters: Record<string, string> = {};
  for (const [k, v] of q) if (!PAGING.has(k)) filters[k === 'display_name' ? 'name' : k] = v;
  return {
    filters,
    sort,
    limit: nonNegative(q.get('limit'), 'limit'),
    marker: q.get('marker') ?? undefined,
    offset: nonNegative(q.get('offset'), 'offset') ?? 0,
  };
}

/** `metadata={'k': 'v'}` as Tempest (Python's str of a dict) or JSON sends it. */
export function parseMetadataFilter(raw: string): Record<string, string> {
  for (const text of [raw, raw.replace(/'/g, '"')]) {
    try {
      const o = JSON.parse(text) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    } catch {
      // try the next spelling
    }
  }
  throw badRequest(`Invalid input received: metadata filter is not a dictionary: ${raw}`);
}

function compare(a: Sortable, b: Sortable, key: keyof Sortable): number {
  const x = a[key];
  const y = b[key];
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : 1;
}

export function sortRecords<T extends Sortable>(items: T[], sort: ListQuery['sort']): T[] {
  return [...items].sort((a, b) => {
    for (const s of sort) {
      const c = compare(a, b, SORT_KEYS[s.key] as keyof Sortable);
      if (c !== 0) return s.dir === 'asc' ? c : -c;
    }
    return 0;
  });
}

/**
 * Sorted, then `offset`, then limit/marker (an unknown marker is a 404, Cinder's MarkerNotFound). Like Cinder, a full
 * page always has a next link, even when nothing follows (Tempest checks exactly that).
 */
export function pageRecords<T extends Sortable>(items: T[], q: ListQuery, what: string): Page<T> {
  const sorted = sortRecords(items, q.sort).slice(q.offset);
  const page = paginate(sorted, { limit: q.limit, marker: q.marker }, (r) => r.id, (m) => notFound(`Marker ${m} could not be found for ${what}.`));
  const last = page.items[page.items.length - 1];
  return { items: page.items, next: q.limit && page.items.length === q.limit && last ? last.id : undefined };
}
