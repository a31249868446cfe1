// JSON patch (RFC 6902), JSON merge patch (RFC 7386) and a strategic merge patch that covers
// the shapes kubectl sends (lists of objects merged by their `name` key).

import { ApiError } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && deepEqual((a as Record<string, unknown>)[k], bo[k]));
}

const patchError = (message: string) => new ApiError(422, 'Invalid', message);

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// Keys kubectl and client-go use for strategic merge of lists of objects.
const MERGE_KEYS = ['name', 'containerPort', 'port', 'uid', 'mountPath', 'devicePath', 'type', 'ip', 'key'];

function mergeKeyOf(list: Json[]): string | undefined {
  const objs = list.filter(isObject);
  if (objs.length === 0 || objs.length !== list.length) return undefined;
  return MERGE_KEYS.find((k) => objs.every((o) => k in o));
}

export function strategicMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return null;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$') || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v) && Array.isArray(cur)) {
      const key = mergeKeyOf([...cur, ...v]);
      if (key) {
        out[k] = mergeListByKey(cur, v, key);
        continue;
      }
      out[k] = structuredClone(v);
      continue;
    }
    out[k] = strategicMergePatch(cur, v);
  }
  return out;
}

function mergeListByKey(cur: Json[], patch: Json[], key: string): Json[] {
  const out = [...cur] as JsonObject[];
  for (const item of patch as JsonObject[]) {
    const idx = out.findIndex((o) => deepEqual(o[key], item[key]));
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item) as JsonObject;
    else out.push(strategicMergePatch(undefined, item) as JsonObject);
  }
  return out;
}

export interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw patchError(`invalid JSON pointer: "${p}"`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonObject | Json[];

function resolveParent(doc: Json, tokens: string[], path: string): { parent: Container; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)] as Json;
    else if (isObject(cur)) cur = cur[t] as Json;
    else cur = undefined as unknown as Json;
    if (cur === undefined || cur === null || typeof cur !== 'object') {
      throw patchError(`doc is missing path: "${path}": missing value`);
    }
  }
  return { parent: cur as Container, key: tokens[tokens.length - 1] as string };
}

function arrayIndex(arr: Json[], key: string, path: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw patchError(`invalid array index "${key}" in path "${path}"`);
  const i = Number(key);
  if (i > arr.length || (!forAdd && i === arr.length)) throw patchError(`index out of range: "${path}"`);
  return i;
}

function getAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = resolveParent(doc, tokens, path);
  const v = Array.isArray(parent) ? parent[arrayIndex(parent, key, path, false)] : parent[key];
  if (v === undefined) throw patchError(`doc is missing path: "${path}": missing value`);
  return v;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  const { parent, key } = resolveParent(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, path, false);
    return parent.splice(i, 1)[0] as Json;
  }
  if (!Object.hasOwn(parent, key)) throw patchError(`Unable to remove nonexistent key: ${key}: missing value`);
  const v = parent[key] as Json;
  delete parent[key];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = resolveParent(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, path, !replace);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else {
    if (replace && !Object.hasOwn(parent, key)) {
      throw patchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    }
    parent[key] = value;
  }
  return doc;
}

export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out = structuredClone(doc);
  for (const raw of ops as JsonPatchOp[]) {
    const path = raw.path;
    if (typeof path !== 'string') throw patchError(`Unable to extract path from patch operation`);
    switch (raw.op) {
      case 'add':
        out = addAt(out, path, structuredClone(raw.value ?? null), false);
        break;
      case 'replace':
        out = addAt(out, path, structuredClone(raw.value ?? null), true);
        break;
      case 'remove':
        removeAt(out, path);
        break;
      case 'move': {
        const v = removeAt(out, raw.from ?? '');
        out = addAt(out, path, v, false);
        break;
      }
      case 'copy':
        out = addAt(out, path, structuredClone(getAt(out, raw.from ?? '')), false);
        break;
      case 'test': {
        let actual: Json | undefined;
        try {
          actual = getAt(out, path);
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, raw.value ?? null)) {
          throw patchError(`the server rejected our request due to an error in our request: testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw patchError(`Unexpected kind: ${String(raw.op)}`);
    }
  }
  return out;
}
