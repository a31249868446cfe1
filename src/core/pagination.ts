import { badRequest } from './faults.ts';

// The one pagination helper: limit/marker over an ordered list, plus each service's style
// of "next" link. No next link on the last page (clients would page forever).

export interface PageRequest {
  limit?: number | undefined;
  marker?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Marker for the next page, undefined on the last one. */
  next: string | undefined;
}

/** Parses `limit` and `marker` from query parameters, rejecting bad limits with a 400. */
export function pageRequest(query: URLSearchParams, maxLimit = 1000): PageRequest {
  const rawLimit = query.get('limit');
  let limit: number | undefined;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit)) throw badRequest(`Invalid input for field/attribute limit. Value: ${rawLimit}.`);
    limit = Math.min(Number(rawLimit), maxLimit);
  }
  return { limit, marker: query.get('marker') ?? undefined };
}

/**
 * Returns the page after `marker` (by `idOf`). An unknown marker is an error the caller
 * words per service, signalled by `onBadMarker`.
 */
export function paginate<T>(items: T[], req: PageRequest, idOf: (item: T) => string, onBadMarker: (marker: string) => Error): Page<T> {
  let start = 0;
  if (req.marker !== undefined) {
    const at = items.findIndex((i) => idOf(i) === req.marker);
    if (at < 0) throw onBadMarker(req.marker);
    start = at + 1;
  }
  if (req.limit === undefined) return { items: items.slice(start), next: undefined };
  const slice = items.slice(start, start + req.limit);
  const more = start + req.limit < items.length && slice.length > 0;
  return { items: slice, next: more ? idOf(slice[slice.length - 1] as T) : undefined };
}

/** URL of the next page: the request URL with `marker` replaced. */
export function nextPageUrl(requestUrl: string, marker: string, base?: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set('marker', marker);
  if (!base) return url.toString();
  return `${base.replace(/\/$/, '')}${url.pathname}${url.search}`;
}

/** Each service's way of telling the client about the next page. */
export const nextLinks = {
  /** Nova, Cinder, Neutron: `<collection>_links: [{rel: next, href}]`, absent on the last page. */
  collection: (collection: string, href: string | undefined) =>
    href ? { [`${collection}_links`]: [{ rel: 'next', href }] } : {},
  /** Keystone: `links: {self, previous, next}` with null when absent. */
  keystone: (self: string, href: string | undefined) => ({ links: { self, previous: null, next: href ?? null } }),
  /** Glance: top-level `next` with a path relative to the service root, absent on the last page. */
  glance: (href: string | undefined) => (href ? { next: href } : {}),
};
