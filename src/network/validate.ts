import { badRequest } from '../core/faults.ts';

// Request-body checks shared by every Neutron resource, worded as Neutron words them.

export type Body = Record<string, unknown>;

/** The `{"<singular>": {...}}` object of a create/update request. */
export function resourceBody(body: unknown, singular: string): Body {
  const inner = body && typeof body === 'object' && !Array.isArray(body) ? (body as Body)[singular] : undefined;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw badRequest(`Resource body required: ${singular}`);
  return inner as Body;
}

/** Rejects attributes that are unknown or not allowed in this request. */
export function onlyKeys(b: Body, allowed: readonly string[], singular: string): void {
  for (const k of Object.keys(b)) {
    if (!allowed.includes(k)) throw badRequest(`Unrecognized attribute(s) '${k}'`, { type: 'HTTPBadRequest' });
  }
  void singular;
}

export function str(b: Body, key: string, max = 255): string | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`Invalid input for ${key}. Reason: '${String(v)}' is not a valid string.`);
  if (v.length > max) throw badRequest(`Invalid input for ${key}. Reason: '${v}' exceeds maximum length of ${max}.`);
  return v;
}

export function bool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())) return v.toLowerCase() === 'true';
  throw badRequest(`Invalid input for ${key}. Reason: '${String(v)}' is not a valid boolean value.`);
}

export function strList(b: Body, key: string): string[] | undefined {
  const v = b[key];
  if (v === undefined || v === null) return v === null ? [] : undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badRequest(`Invalid input for ${key}. Reason: '${JSON.stringify(v)}' is not a list of strings.`);
  if (new Set(v).size !== v.length) throw badRequest(`Invalid input for ${key}. Reason: Duplicate items in the list: '${v.join(', ')}'.`);
  return v as string[];
}

export function checkTag(tag: string): string {
  if (!tag || tag.length > 255 || tag.includes(',')) throw badRequest(`Invalid input for operation: '${tag}' is not a valid tag.`);
  return tag;
}

