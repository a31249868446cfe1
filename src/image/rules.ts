import { ApiFault, badRequest, conflict, forbidden } from '../core/faults.ts';
import { CONTAINER_FORMATS, DISK_FORMATS, type ImageRecord, VISIBILITIES, type Visibility } from './model.ts';
import { UUID_LOOSE } from '../core/names.ts';

// Glance's rules for image properties on create and update (glance/api/v2/images.py,
// the image schema, and the default policy). Pure: records in, records or faults out.

/** Never writable by clients (`Attribute 'x' is read-only.`). */
const READ_ONLY = new Set(['created_at', 'updated_at', 'status', 'checksum', 'os_hash_algo', 'os_hash_value', 'size', 'virtual_size', 'direct_url', 'self', 'file', 'schema', 'stores']);
/** Reserved names (`Attribute 'x' is reserved.`). */
const RESERVED = new Set(['location', 'deleted', 'deleted_at', 'locations']);
/** Base properties: typed, and never removable. */
const CORE = new Set(['id', 'name', 'visibility', 'protected', 'os_hidden', 'container_format', 'disk_format', 'min_disk', 'min_ram', 'tags', 'owner']);

const MAX_PROPERTY = 255;

export interface Actor {
  projectId: string | undefined;
  isAdmin: boolean;
}

export type Fields = Pick<
  ImageRecord,
  'name' | 'visibility' | 'protected' | 'osHidden' | 'containerFormat' | 'diskFormat' | 'minDisk' | 'minRam' | 'tags' | 'owner' | 'properties'
>;

function checkName(key: string): void {
  if (READ_ONLY.has(key)) throw forbidden(`Attribute '${key}' is read-only.`);
  if (RESERVED.has(key) || key.startsWith('os_glance')) throw forbidden(`Attribute '${key}' is reserved.`);
  if (key.length === 0 || key.length > MAX_PROPERTY) throw badRequest(`Property names must be between 1 and ${MAX_PROPERTY} characters: '${key}'`);
}

const schemaError = (msg: string) => badRequest(`Provided object does not match schema 'image': ${msg}`);

function checkEnum(value: unknown, allowed: readonly string[], nullable: boolean): string | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw schemaError(`${JSON.stringify(value)} is not one of ${JSON.stringify(nullable ? [null, ...allowed] : allowed)}`);
  }
  return value;
}

function checkInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw schemaError(`${JSON.stringify(value)} is not valid for '${field}': must be an integer >= 0`);
  if (value > 2 ** 31 - 1) throw schemaError(`${value} is greater than the maximum of 2147483647 for '${field}'`);
  return value;
}

function checkBool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw schemaError(`${JSON.stringify(value)} is not of type 'boolean' for '${field}'`);
  return value;
}

function checkTags(value: unknown): string[] {
  if (!Array.isArray(value)) throw schemaError(`${JSON.stringify(value)} is not of type 'array' for 'tags'`);
  const tags: string[] = [];
  for (const t of value) {
    if (typeof t !== 'string' || t.length > 255) throw schemaError(`${JSON.stringify(t)} is not a valid tag (a string of at most 255 characters)`);
    if (!tags.includes(t)) tags.push(t);
  }
  if (tags.length > 128) throw new ApiFault(413, 'Maximum number of tags per image (128) exceeded.');
  return tags;
}

export function checkTag(tag: string): string {
  if (tag.length === 0 || tag.length > 255) throw badRequest(`Provided object does not match schema 'image': '${tag}' is too long`);
  return tag;
}

/** Sets one property on `f` with Glance's type rules and policy (who may publicize, change owner). */
function setField(f: Fields, key: string, value: unknown, actor: Actor, status: string): void {
  switch (key) {
    case 'name':
      if (value !== null && (typeof value !== 'string' || value.length > 255)) throw schemaError(`${JSON.stringify(value)} is not valid for 'name': a string of at most 255 characters`);
      f.name = value as string | null;
      return;
    case 'visibility': {
      const vis = checkEnum(value, VISIBILITIES, false) as Visibility;
      if (vis === 'public' && f.visibility !== 'public' && !actor.isAdmin) throw forbidden('You are not authorized to complete publicize_image action.');
      f.visibility = vis;
      return;
    }
    case 'protected':
      f.protected = checkBool(key, value);
      return;
    case 'os_hidden':
      f.osHidden = checkBool(key, value);
      return;
    case 'container_format':
    case 'disk_format': {
      const list = key === 'disk_format' ? DISK_FORMATS : CONTAINER_FORMATS;
      const next = checkEnum(value, list, true);
      const cur = key === 'disk_format' ? f.diskFormat : f.containerFormat;
      if (next !== cur && status !== 'queued') throw forbidden(`Attribute ${key} can be only replaced for a queued image.`);
      if (key === 'disk_format') f.diskFormat = next;
      else f.containerFormat = next;
      return;
    }
    case 'min_disk':
      f.minDisk = checkInt(key, value);
      return;
    case 'min_ram':
      f.minRam = checkInt(key, value);
      return;
    case 'tags':
      f.tags = checkTags(value);
      return;
    case 'owner':
      if (value !== null && (typeof value !== 'string' || value.length > 255)) throw schemaError(`${JSON.stringify(value)} is not valid for 'owner'`);
      if (value !== f.owner && !actor.isAdmin) throw forbidden("Attribute 'owner' is read-only.");
      f.owner = value as string | null;
      return;
    default:
      checkName(key);
      if (typeof value !== 'string') throw schemaError(`${JSON.stringify(value)} is not of type 'string' for '${key}'`);
      if (value.length > 65535) throw schemaError(`the value of '${key}' is too long`);
      f.properties = { ...f.properties, [key]: value };
  }
}

export const DEFAULT_FIELDS = (owner: string | undefined): Fields => ({
  name: null,
  visibility: 'shared',
  protected: false,
  osHidden: false,
  containerFormat: null,
  diskFormat: null,
  minDisk: 0,
  minRam: 0,
  tags: [],
  owner: owner ?? null,
  properties: {},
});

/** The fields of `POST /v2/images`, and the id the client asked for (if any). */
export function fieldsForCreate(body: Record<string, unknown>, actor: Actor): { fields: Fields; id: string | undefined } {
  const fields = DEFAULT_FIELDS(actor.projectId);
  let id: string | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key === 'id') {
      if (typeof value !== 'string' || !UUID_LOOSE.test(value)) throw schemaError(`${JSON.stringify(value)} does not match the id pattern (a UUID)`);
      id = value.toLowerCase();
      if (!id.includes('-')) id = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
      continue;
    }
    setField(fields, key, value, actor, 'queued');
  }
  return { fields, id };
}

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

const OPS = ['add', 'replace', 'remove'] as const;

/**
 * Reads a patch body in either media type Glance accepts: v2.1 (`{"op": "replace", "path": "/name"}`)
 * or v2.0, the older draft whose operation is a member naming the path (`{"replace": "/name"}`).
 * Returns null when the body is not an array of operation objects.
 */
export function patchOps(body: unknown, draft: '2.0' | '2.1'): PatchOp[] | null {
  if (!Array.isArray(body)) return null;
  const ops: PatchOp[] = [];
  for (const item of body) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
    const o = item as Record<string, unknown>;
    const value = 'value' in o ? { value: o.value } : {};
    if (draft === '2.1') {
      if (typeof o.op !== 'string' || typeof o.path !== 'string') return null;
      ops.push({ op: o.op, path: o.path, ...value });
      continue;
    }
    const named = OPS.filter((op) => op in o);
    if (named.length !== 1) throw badRequest('Operation objects must contain exactly one member named "add", "remove", or "replace".');
    const op = named[0] as string;
    if (typeof o[op] !== 'string') return null;
    ops.push({ op, path: o[op] as string, ...value });
  }
  return ops;
}

/** The property a JSON-pointer path names (`/name`, `/tags`, `/os~1distro`). */
function propertyOf(path: string): string {
  if (!path.startsWith('/') || path.length < 2) throw badRequest(`Invalid JSON pointer for this resource: '${path}'`);
  const parts = path.slice(1).split('/');
  if (parts.length > 1) {
    if (parts[0] === 'locations') throw forbidden("It's not allowed to update locations if locations are invisible.");
    throw badRequest(`Nested paths are not allowed: '${path}'`);
  }
  return (parts[0] as string).replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Applies `application/openstack-images-v2.1-json-patch` operations (add, replace, remove)
 * to an image's fields with Glance's rules: read-only and reserved attributes 403, removing
 * a core property 403, replacing or removing a missing custom property 409.
 */
export function applyPatch(current: Fields, ops: PatchOp[], actor: Actor, status: string): Fields {
  const f: Fields = { ...current, tags: [...current.tags], properties: { ...current.properties } };
  for (const op of ops) {
    if (!(OPS as readonly string[]).includes(op.op)) throw badRequest(`Operation objects must contain exactly one member named "add", "remove", or "replace": ${op.op}`);
    const key = propertyOf(op.path);
    if (key === 'id') throw forbidden("Attribute 'id' is read-only.");
    if (op.op === 'remove') {
      if (CORE.has(key)) throw forbidden(`Properties ${key} cannot be removed: it is a core property.`);
      checkName(key);
      if (!(key in f.properties)) throw conflict(`Property ${key} does not exist.`);
      const { [key]: _gone, ...rest } = f.properties;
      f.properties = rest;
      continue;
    }
    if (!('value' in op)) throw badRequest(`Operation "${op.op}" requires a member named "value".`);
    if (op.op === 'replace' && !CORE.has(key)) {
      checkName(key);
      if (!(key in f.properties)) throw conflict(`Property ${key} does not exist.`);
    }
    setField(f, key, op.value, actor, status);
  }
  return f;
}
