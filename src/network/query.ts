import { badRequest } from '../core/faults.ts';
import { nextPageUrl, pageRequest, paginate } from '../core/pagination.ts';
import { nfault } from './context.ts';

// Neutron's list query, applied to views: attribute filters (repeated values are ORed),
// tag filters, `fields=`, sorting (sort_key/sort_dir pairs) and limit/marker paging with
// `<collection>_links`. Pure.

export type View = Record<string, unknown>;

const RESERVED = new Set(['fields', 'limit', 'marker', 'page_reverse', 'sort_key', 'sort_dir', 'tags', 'tags-any', 'not-tags', 'not-tags-any']);

function matchesScalar(value: unknown, want: string): boolean {
  if (value === null || value === undefined) return want === '' || want.toLowerCase() === 'none' || want.toLowerCase() === 'null';
  if (typeof value === 'boolean') return ['true', '1'].includes(want.toLowerCase()) === value && ['true', 'false', '1', '0'].includes(want.toLowerCase());
  if (typeof value === 'number') return String(value) === want;
  if (typeof value === 'string') return value === want;
  return false;
}

function matches(value: unknown, want: string): boolean {
  if (Array.isArray(value)) {
    // fixed_ips=ip_address=10.0.0.2 / fixed_ips=subnet_id=...; plain lists match an element.
    const kv = /^([a-z_]+)=(.*)$/.exec(want);
    return value.some((el) => {
      if (!kv || !el || typeof el !== 'object') return matchesScalar(el, want);
      const [key, v] = [kv[1] as string, kv[2] as string];
      // ip-substring-filtering: fixed_ips=ip_address_substr=10.0.
      if (key.endsWith('_substr')) return String((el as View)[key.slice(0, -7)] ?? '').includes(v);
      return matchesScalar((el as View)[key], v);
    });
  }
  return matchesScalar(value, want);
}

const splitTags = (values: string[]) => values.flatMap((v) => v.split(',')).filter(Boolean);

/** Keeps the views matching every filter of the query. */
export function filterViews(views: View[], q: URLSearchParams): View[] {
  const keys = [...new Set([...q.keys()].filter((k) => !RESERVED.has(k)))];
  const all = splitTags(q.getAll('tags'));
  const any = splitTags(q.getAll('tags-any'));
  const notAll = splitTags(q.getAll('not-tags'));
  const notAny = splitTags(q.getAll('not-tags-any'));
  return views.filter((v) => {
    for (const k of keys) {
      if (!(k in v)) continue;
      const wants = q.getAll(k);
      if (!wants.some((w) => matches(v[k], w))) return false;
    }
    const tags = (v.tags as string[] | undefined) ?? [];
    if (all.length && !all.every((t) => tags.includes(t))) return false;
    if (any.length && !any.some((t) => tags.includes(t))) return false;
    if (notAll.length && notAll.every((t) => tags.includes(t))) return false;
    if (notAny.length && notAny.some((t) => tags.includes(t))) return false;
    return true;
  });
}

/** `fields=a&fields=b`: only those keys (Neutron adds nothing else). */
export function pickFields(view: View, q: URLSearchParams): View {
  const fields = q.getAll('fields').flatMap((f) => f.split(',')).filter(Boolean);
  if (!fields.length) return view;
  return Object.fromEntries(fields.filter((f) => f in view).map((f) => [f, view[f]]));
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : 1;
}

export function sortViews(views: View[], q: URLSearchParams): View[] {
  const keys = q.getAll('sort_key');
  const dirs = q.getAll('sort_dir');
  for (const d of dirs) if (d !== 'asc' && d !== 'desc') throw badRequest(`Invalid sort_dir ${d}; valid values are asc and desc.`);
  if (keys.length && dirs.length && keys.length !== dirs.length && dirs.length !== 1) throw badRequest('The number of sort_keys and sort_dirs must be same');
  for (const k of keys) if (views.length && !(k in (views[0] as View))) throw badRequest(`${k} is invalid attribute for sort_key`);
  const order = keys.length ? keys.map((k, i) => [k, dirs[i] ?? dirs[0] ?? 'asc'] as const) : [['id', 'asc'] as const];
  if (!order.some(([k]) => k === 'id')) order.push(['id', order[0]?.[1] ?? 'asc']);
  return [...views].sort((a, b) => {
    for (const [k, d] of order) {
      const c = compare(a[k], b[k]);
      if (c) return d === 'asc' ? c : -c;
    }
    return 0;
  });
}

/** Filter, sort, page and pick fields: the list body's items and its `_links`. */
export function listBody(collection: string, views: View[], requestUrl: string, base?: string): Record<string, unknown> {
  const url = new URL(requestUrl);
  const q = url.searchParams;
  const reverse = (q.get('page_reverse') ?? '').toLowerCase() === 'true';
  let sorted = sortViews(filterViews(views, q), q);
  if (reverse) sorted = sorted.reverse();
  const req = pageRequest(q);
  const page = paginate(sorted, req, (v) => String(v.id), (m) => nfault(404, 'MarkerNotFound', `Marker ${m} could not be found.`));
  let items = page.items;
  if (reverse) items = [...items].reverse();
  const out: Record<string, unknown> = { [collection]: items.map((v) => pickFields(v, q)) };
  const links: { rel: string; href: string }[] = [];
  if (page.next) links.push({ rel: 'next', href: nextPageUrl(requestUrl, page.next, base) });
  if (req.marker && items.length) {
    const prev = new URL(nextPageUrl(requestUrl, String(items[0]?.id), base));
    prev.searchParams.set('page_reverse', reverse ? 'False' : 'True');
    links.push({ rel: 'previous', href: prev.toString() });
  }
  if (links.length) out[`${collection}_links`] = links;
  return out;
}
