import { badRequest } from '../core/faults.ts';
import { parseIsoTime } from '../core/time.ts';
import { type Caller, type ImageRecord, MEMBER_STATUSES, STATUSES, VISIBILITIES, isOwner, memberOf } from './model.ts';

// GET /v2/images query semantics (glance/api/v2/images.py RequestDeserializer.index and the
// db api's filters), applied to records after one LIST. Pure.

export const DEFAULT_LIMIT = 25; // Glance's limit_param_default
export const MAX_LIMIT = 1000; // api_limit_max
const SORT_KEYS = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at', 'min_disk', 'min_ram', 'visibility', 'owner', 'virtual_size'] as const;
type SortKey = (typeof SORT_KEYS)[number];
type Dir = 'asc' | 'desc';

/** Query parameters that are not property filters. */
const RESERVED = new Set(['limit', 'marker', 'sort_key', 'sort_dir', 'sort', 'name', 'status', 'visibility', 'owner', 'tag', 'member_status', 'size', 'size_min', 'size_max', 'os_hidden', 'id', 'created_at', 'updated_at', 'disk_format', 'container_format', 'protected', 'min_disk', 'min_ram', 'checksum', 'os_hash_value']);

export interface ImageQuery {
  limit: number;
  marker: string | undefined;
  sort: { key: SortKey; dir: Dir }[];
  filters: ((r: ImageRecord) => boolean)[];
  visibility: string | undefined;
  memberStatus: string;
  osHidden: boolean;
}

/** `in:"a b",c` → ['a b', 'c'] (Glance's list operator). */
function inList(value: string): string[] | undefined {
  if (!value.startsWith('in:')) return undefined;
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/g;
  const body = value.slice(3);
  for (const m of body.matchAll(re)) {
    if (m.index >= body.length) break;
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '').trim());
  }
  return out;
}

function equalsFilter(key: string, value: string, get: (r: ImageRecord) => string | null | undefined): (r: ImageRecord) => boolean {
  const list = inList(value);
  if (list) return (r) => list.includes(get(r) ?? '');
  if (value.startsWith('eq:')) value = value.slice(3);
  if (key === '' && value === '') return () => true;
  return (r) => (get(r) ?? '') === value;
}

/** `gt:2016-01-01T00:00:00Z` etc. on created_at / updated_at. */
function timeFilter(key: string, value: string, get: (r: ImageRecord) => string): (r: ImageRecord) => boolean {
  const m = /^(gt|gte|lt|lte|eq|neq):(.+)$/.exec(value);
  const op = m ? m[1] : 'eq';
  const at = parseIsoTime(m ? (m[2] as string) : value);
  if (at === undefined) throw badRequest(`Unable to filter on a ${key} with an invalid date: ${value}`);
  return (r) => {
    const t = Date.parse(get(r));
    switch (op) {
      case 'gt':
        return t > at;
      case 'gte':
        return t >= at;
      case 'lt':
        return t < at;
      case 'lte':
        return t <= at;
      case 'neq':
        return t !== at;
      default:
        return t === at;
    }
  };
}

function intParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`Invalid value '${value}' for parameter '${name}': must be a non-negative integer.`);
  return Number(value);
}

function boolParam(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw badRequest(`Invalid value '${value}' for parameter '${name}': expected a boolean.`);
}

function sortOf(q: URLSearchParams): { key: SortKey; dir: Dir }[] {
  const sort = q.get('sort');
  const keys = q.getAll('sort_key');
  const dirs = q.getAll('sort_dir');
  const checkKey = (k: string): SortKey => {
    if (!(SORT_KEYS as readonly string[]).includes(k)) throw badRequest(`Invalid sort key: ${k}. It must be one of the following: ${SORT_KEYS.join(', ')}.`);
    return k as SortKey;
  };
  const checkDir = (d: string): Dir => {
    if (d !== 'asc' && d !== 'desc') throw badRequest(`Invalid sort direction: ${d}`);
    return d;
  };
  if (sort !== null) {
    if (keys.length || dirs.length) throw badRequest('The parameters sort and sort_key/sort_dir cannot be used together.');
    return sort.split(',').filter(Boolean).map((part) => {
      const [k, d] = part.trim().split(':');
      return { key: checkKey((k ?? '').trim()), dir: checkDir((d ?? 'desc').trim()) };
    });
  }
  if (dirs.length > keys.length && !(keys.length === 0 && dirs.length === 1)) throw badRequest('Number of sort dirs does not match the number of sort keys');
  if (keys.length === 0) return [{ key: 'created_at', dir: checkDir(dirs[0] ?? 'desc') }];
  return keys.map((k, i) => ({ key: checkKey(k), dir: checkDir(dirs[i] ?? dirs[0] ?? 'desc') }));
}

export function parseImageQuery(q: URLSearchParams): ImageQuery {
  const limitRaw = q.get('limit');
  let limit = DEFAULT_LIMIT;
  if (limitRaw !== null) {
    if (!/^-?\d+$/.test(limitRaw)) throw badRequest('limit param must be an integer');
    limit = Number(limitRaw);
    if (limit < 0) throw badRequest('limit param must be positive');
    limit = Math.min(limit, MAX_LIMIT);
  }
  const filters: ((r: ImageRecord) => boolean)[] = [];
  const simple: [string, (r: ImageRecord) => string | null | undefined][] = [
    ['name', (r) => r.name],
    ['id', (r) => r.id],
    ['owner', (r) => r.owner],
    ['disk_format', (r) => r.diskFormat],
    ['container_format', (r) => r.containerFormat],
    ['checksum', (r) => r.checksum],
    ['os_hash_value', (r) => r.hashValue],
  ];
  for (const [key, get] of simple) {
    const value = q.get(key);
    if (value !== null) filters.push(equalsFilter(key, value, get));
  }
  const status = q.get('status');
  if (status !== null) {
    const list = inList(status) ?? [status];
    for (const s of list) if (!(STATUSES as readonly string[]).includes(s)) throw badRequest(`Invalid status value: ${s}`);
    filters.push((r) => list.includes(r.status));
  }
  const visibility = q.get('visibility') ?? undefined;
  if (visibility !== undefined && visibility !== 'all' && !(VISIBILITIES as readonly string[]).includes(visibility)) throw badRequest(`Invalid visibility value: ${visibility}`);
  const memberStatus = q.get('member_status') ?? 'accepted';
  if (memberStatus !== 'all' && !(MEMBER_STATUSES as readonly string[]).includes(memberStatus)) throw badRequest(`Invalid status: ${memberStatus}`);
  for (const tag of q.getAll('tag')) filters.push((r) => r.tags.includes(tag));
  const sizeMin = intParam('size_min', q.get('size_min') ?? undefined);
  const sizeMax = intParam('size_max', q.get('size_max') ?? undefined);
  const size = intParam('size', q.get('size') ?? undefined);
  if (size !== undefined) filters.push((r) => r.size === size);
  if (sizeMin !== undefined) filters.push((r) => r.size !== null && r.size >= sizeMin);
  if (sizeMax !== undefined) filters.push((r) => r.size !== null && r.size <= sizeMax);
  for (const key of ['min_disk', 'min_ram'] as const) {
    const n = intParam(key, q.get(key) ?? undefined);
    if (n !== undefined) filters.push((r) => (key === 'min_disk' ? r.minDisk : r.minRam) === n);
  }
  const prot = boolParam('protected', q.get('protected') ?? undefined);
  if (prot !== undefined) filters.push((r) => r.protected === prot);
  for (const key of ['created_at', 'updated_at'] as const) {
    const value = q.get(key);
    if (value !== null) filters.push(timeFilter(key, value, (r) => (key === 'created_at' ? r.createdAt : r.updatedAt)));
  }
  // Anything else filters on a custom property, exactly.
  for (const [key, value] of q) {
    if (RESERVED.has(key)) continue;
    filters.push(equalsFilter(key, value, (r) => r.properties[key]));
  }
  return {
    limit,
    marker: q.get('marker') ?? undefined,
    sort: sortOf(q),
    filters,
    visibility,
    memberStatus,
    osHidden: boolParam('os_hidden', q.get('os_hidden') ?? undefined) ?? false,
  };
}

/** Which images a listing shows the caller before filters (glance db api `_make_conditions_from_filters`). */
export function listable(r: ImageRecord, c: Caller, q: Pick<ImageQuery, 'visibility' | 'memberStatus'>): boolean {
  const member = memberOf(r, c);
  const memberOk = !!member && (q.memberStatus === 'all' || member.status === q.memberStatus);
  switch (q.visibility) {
    case 'public':
    case 'community':
      return r.visibility === q.visibility;
    case 'private':
      return r.visibility === 'private' && (c.isAdmin || isOwner(r, c));
    case 'shared':
      return r.visibility === 'shared' && (isOwner(r, c) ? q.memberStatus === 'accepted' || q.memberStatus === 'all' || !!member : c.isAdmin ? true : memberOk);
    case 'all':
      return c.isAdmin || isOwner(r, c) || r.visibility === 'public' || r.visibility === 'community' || (r.visibility === 'shared' && memberOk);
    default:
      if (c.isAdmin || isOwner(r, c) || r.visibility === 'public') return true;
      return r.visibility === 'shared' && memberOk;
  }
}

function compare(a: ImageRecord, b: ImageRecord, key: SortKey): number {
  const get = (r: ImageRecord): string | number | null => {
    switch (key) {
      case 'container_format':
        return r.containerFormat;
      case 'disk_format':
        return r.diskFormat;
      case 'created_at':
        return r.createdMs ?? Date.parse(r.createdAt);
      case 'updated_at':
        return Date.parse(r.updatedAt);
      case 'min_disk':
        return r.minDisk;
      case 'min_ram':
        return r.minRam;
      case 'virtual_size':
        return r.virtualSize;
      default:
        return r[key];
    }
  };
  const x = get(a);
  const y = get(b);
  if (x === y) return 0;
  if (x === null) return -1; // NULLs sort first ascending, as in MySQL/SQLite
  if (y === null) return 1;
  return x < y ? -1 : 1;
}

/** Sorted by the requested keys, ties broken by id in the last key's direction (Glance adds id). */
export function sortImages(items: ImageRecord[], sort: ImageQuery['sort']): ImageRecord[] {
  const keys = sort.some((s) => s.key === 'id') ? sort : [...sort, { key: 'id' as const, dir: sort[sort.length - 1]?.dir ?? 'desc' }];
  return [...items].sort((a, b) => {
    for (const { key, dir } of keys) {
      const c = compare(a, b, key);
      if (c !== 0) return dir === 'asc' ? c : -c;
    }
    return 0;
  });
}

/** The page after `marker` (400 when the marker is not an image the caller can list). */
export function pageOf(items: ImageRecord[], q: Pick<ImageQuery, 'limit' | 'marker'>): { items: ImageRecord[]; next: string | undefined } {
  let start = 0;
  if (q.marker !== undefined) {
    const at = items.findIndex((r) => r.id === q.marker);
    if (at < 0) throw badRequest(`Invalid marker. Image ${q.marker} could not be found.`);
    start = at + 1;
  }
  const page = items.slice(start, start + q.limit);
  const more = start + q.limit < items.length && page.length > 0;
  return { items: page, next: more ? page[page.length - 1]?.id : undefined };
}
