// The generic store: create/get/list/update/patch/delete with Kubernetes semantics for every
// kind (uid, generation, resourceVersion preconditions, generateName, finalizers, status
// subresource, dryRun). Per-kind differences come from the ResourceDef strategy hooks.

import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  type FieldError,
  forbidden,
  invalid,
  MODIFIED,
  notFound,
  unsupportedMediaType,
} from './errors.ts';
import type { Admit } from './escalation.ts';
import { generateName, labelValue, qualifiedName, validateName } from './names.ts';
import { type KubeObject, type ObjectMeta, isRecord, timestamp } from './object.ts';
import { deepEqual, type Json, jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { apiVersionOf, resourceKey, type ResourceDef } from './resources.ts';
import { type FieldRequirement, type LabelSelector, matchFields, matchLabels } from './selectors.ts';
import type { Storage } from './storage.ts';

/** Core kinds ResourceQuota also counts under their bare plural. */
const LEGACY_COUNTS = new Set(['pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: Propagation;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldRequirement[];
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
}

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

const gr = (def: ResourceDef) => ({ group: def.group, resource: def.plural });

const CRD_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const BUILTIN_PATCH_TYPES = [...CRD_PATCH_TYPES, 'application/strategic-merge-patch+json'];

/** Field selector getter for a kind; throws 400 for fields the kind does not index. */
export function fieldGetter(def: ResourceDef, fields: FieldRequirement[]): (o: KubeObject) => (f: string) => string | undefined {
  for (const r of fields) {
    if (r.field === 'metadata.name' || r.field === 'metadata.namespace' || def.fields?.[r.field]) continue;
    throw badRequest(
      def.crd
        ? `"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
        : `field label not supported: ${r.field}`,
    );
  }
  return (o) => (f) => {
    if (f === 'metadata.name') return o.metadata.name;
    if (f === 'metadata.namespace') return def.namespaced ? o.metadata.namespace : '';
    return def.fields?.[f]?.(o);
  };
}

export function selects(def: ResourceDef, opts: { labelSelector?: LabelSelector; fieldSelector?: FieldRequirement[] }) {
  const get = fieldGetter(def, opts.fieldSelector ?? []);
  return (o: KubeObject) =>
    (!opts.labelSelector?.length || matchLabels(opts.labelSelector, o.metadata.labels)) &&
    (!opts.fieldSelector?.length || matchFields(opts.fieldSelector, get(o)));
}

function encodeContinue(rv: number, start: string): string {
  return btoa(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${start}\u0000` })).replace(/=+$/, '');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(atob(token)) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error();
    return { rv: parsed.rv, start: parsed.start.endsWith('\u0000') ? parsed.start.slice(0, -1) : parsed.start };
  } catch {
    throw badRequest(`invalid continue token`);
  }
}

/** Content compared for generation bumps: everything but metadata (and status with a status subresource). */
function specOf(def: ResourceDef, o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status, ...rest } = o;
  return def.status ? rest : { ...rest, status };
}

/** Go's omitempty on ObjectMeta: empty lists and maps are not stored. */
function omitEmpty(meta: ObjectMeta): void {
  for (const k of ['finalizers', 'ownerReferences', 'labels', 'annotations'] as const) {
    const v = meta[k];
    if (v === null || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0)) delete meta[k];
  }
}

const tracksGeneration = (def: ResourceDef) => def.crd || def.status;

export class GenericStore {
  constructor(
    readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {}

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const o = this.storage.get(resourceKey(def), def.namespaced ? namespace : undefined, name);
    if (!o) throw notFound(gr(def), name);
    return this.present(def, o);
  }

  /** Stored objects carry the apiVersion of the version they were written through. */
  present(def: ResourceDef, o: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(def);
    return o.apiVersion === apiVersion ? o : { ...o, apiVersion };
  }

  list(def: ResourceDef, opts: ListOptions): ListResult {
    const match = selects(def, opts);
    let after: string | undefined;
    let listRv = this.storage.resourceVersion;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      after = c.start;
      listRv = c.rv;
    }
    const items: KubeObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    let lastKey: string | undefined;
    let more = false;
    const ns = def.namespaced ? opts.namespace : undefined;
    for (const [key, o] of this.storage.scan(resourceKey(def), ns, after)) {
      if (items.length >= limit) {
        more = true;
        break;
      }
      lastKey = key;
      if (match(o)) items.push(this.present(def, o));
    }
    const result: ListResult = { items, resourceVersion: String(listRv) };
    if (more && lastKey !== undefined) result.continue = encodeContinue(listRv, lastKey);
    return result;
  }

  create(def: ResourceDef, namespace: string | undefined, body: unknown, opts: { dryRun?: boolean; admit?: Admit } = {}): KubeObject {
    const o = this.decode(def, body);
    const meta = o.metadata;
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('the server could not find the requested resource');
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = this.freshName(def, meta.namespace, meta.generateName);
    if (!meta.name) {
      throw invalid(def.kind, def.group, '', [
        { type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' },
      ]);
    }
    if (def.namespaced) this.admitNamespace(def, meta.namespace as string, meta.name);
    // Fields the server owns.
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink', 'managedFields']) {
      delete meta[k];
    }
    if (def.status && !def.keepStatusOnCreate) delete o.status;
    def.prepareForCreate?.(o);
    def.settleStatus?.(o);
    omitEmpty(meta);
    opts.admit?.(o);
    this.validate(def, o);
    if (this.storage.get(resourceKey(def), meta.namespace, meta.name)) throw alreadyExists(gr(def), meta.name);
    if (def.namespaced) this.admitQuota(def, o);
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = timestamp(this.now());
    if (tracksGeneration(def)) meta.generation = 1;
    if (opts.dryRun) return o;
    return this.present(def, this.storage.put(resourceKey(def), o));
  }

  update(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: { dryRun?: boolean; subresource?: string; admit?: Admit } = {},
  ): KubeObject {
    const ns = def.namespaced ? namespace : undefined;
    const existing = this.storage.get(resourceKey(def), ns, name);
    if (!existing) throw notFound(gr(def), name);
    const o = this.decode(def, body);
    if (o.metadata.name && o.metadata.name !== name) {
      throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && o.metadata.namespace && o.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const rv = o.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (def.crd) {
        throw invalid(def.kind, def.group, name, [
          { type: 'Invalid', field: 'metadata.resourceVersion', value: 0, detail: 'must be specified for an update' },
        ]);
      }
    } else if (rv !== existing.metadata.resourceVersion) {
      throw conflict(gr(def), name, MODIFIED);
    }
    return this.commit(def, existing, this.merge(def, existing, o, opts.subresource), opts);
  }

  patch(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    opts: { dryRun?: boolean; subresource?: string; admit?: Admit } = {},
  ): KubeObject {
    const ns = def.namespaced ? namespace : undefined;
    const existing = this.storage.get(resourceKey(def), ns, name);
    const accepted = def.crd ? CRD_PATCH_TYPES : BUILTIN_PATCH_TYPES;
    const type = contentType.split(';')[0]?.trim() ?? '';
    if (!accepted.includes(type) || type === 'application/apply-patch+yaml') {
      if (type === 'application/apply-patch+yaml') {
        throw new ApiError(415, 'UnsupportedMediaType', 'server-side apply is not supported by this server');
      }
      throw unsupportedMediaType(accepted);
    }
    if (!existing) throw notFound(gr(def), name);
    const current = existing as unknown as Json;
    let patched: Json;
    if (type === 'application/json-patch+json') patched = jsonPatch(current, body);
    else if (!isRecord(body)) throw badRequest('error decoding patch: expected a JSON object');
    else if (type === 'application/merge-patch+json') patched = mergePatch(current, body as Json);
    else patched = strategicMergePatch(current, body as Json);
    if (!isRecord(patched)) throw badRequest('patched object is not an object');
    const o = this.decode(def, patched);
    if (o.metadata.resourceVersion !== existing.metadata.resourceVersion) throw conflict(gr(def), name, MODIFIED);
    if (o.metadata.name !== name) {
      throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    }
    return this.commit(def, existing, this.merge(def, existing, o, opts.subresource), opts);
  }

  /** Deletes now, or marks deleting when finalizers (or propagation) keep the object. */
  delete(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): { object: KubeObject; deleted: boolean } {
    const ns = def.namespaced ? namespace : undefined;
    const key = resourceKey(def);
    const existing = this.storage.get(key, ns, name);
    if (!existing) throw notFound(gr(def), name);
    const pre = opts.preconditions;
    // rest.BeforeDelete names the kind (not the resource) in these conflicts.
    const byKind = { group: def.group, resource: def.kind };
    if (pre?.uid && pre.uid !== existing.metadata.uid) {
      throw conflict(
        byKind,
        name,
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${existing.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(
        byKind,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${existing.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    const o = structuredClone(existing) as KubeObject;
    const finalizers = [...(o.metadata.finalizers ?? [])];
    const policy = opts.propagationPolicy;
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND)) finalizers.push(FOREGROUND);
    if (policy === 'Orphan' && !finalizers.includes(ORPHAN)) finalizers.push(ORPHAN);
    if (policy === 'Background' || policy === 'Foreground') {
      const other = policy === 'Background' ? [FOREGROUND, ORPHAN] : [ORPHAN];
      for (const f of other) {
        const i = finalizers.indexOf(f);
        if (i >= 0 && existing.metadata.deletionTimestamp === undefined) finalizers.splice(i, 1);
      }
    }
    const wasDeleting = o.metadata.deletionTimestamp !== undefined;
    if (!wasDeleting) def.prepareForDelete?.(o);
    if (finalizers.length > 0 || def.pendingFinalizers?.(o)) {
      if (wasDeleting && deepEqual(finalizers, o.metadata.finalizers ?? [])) {
        return { object: this.present(def, existing), deleted: false };
      }
      o.metadata.finalizers = finalizers;
      if (!wasDeleting) {
        o.metadata.deletionTimestamp = timestamp(this.now());
        o.metadata.deletionGracePeriodSeconds = 0;
        if (o.metadata.generation !== undefined) o.metadata.generation += 1;
      }
      if (opts.dryRun) return { object: o, deleted: false };
      return { object: this.present(def, this.storage.put(key, o)), deleted: false };
    }
    if (opts.dryRun) return { object: this.present(def, existing), deleted: true };
    const last = this.storage.remove(key, ns, name) as KubeObject;
    return { object: this.present(def, last), deleted: true };
  }

  deleteCollection(def: ResourceDef, opts: ListOptions, del: DeleteOptions): KubeObject[] {
    const { items } = this.list(def, { ...opts, limit: 0 });
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        out.push(this.delete(def, item.metadata.namespace, item.metadata.name as string, del).object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return out;
  }

  private decode(def: ResourceDef, body: unknown): KubeObject {
    if (!isRecord(body)) throw badRequest('the body of the request was not a JSON object');
    const o = structuredClone(body) as KubeObject;
    if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(def)) {
      throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`);
    }
    if (o.kind !== undefined && o.kind !== def.kind) {
      throw badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${def.kind})`);
    }
    o.apiVersion = apiVersionOf(def);
    o.kind = def.kind;
    if (!isRecord(o.metadata)) o.metadata = {};
    return o;
  }

  /** The new object of an update: server-owned metadata kept, status/spec split honoured. */
  private merge(def: ResourceDef, existing: KubeObject, incoming: KubeObject, subresource?: string): KubeObject {
    let o: KubeObject;
    if (subresource === 'status') {
      o = structuredClone(existing) as KubeObject;
      if (incoming.status === undefined) delete o.status;
      else o.status = incoming.status;
      return o;
    }
    o = incoming;
    const em = existing.metadata;
    const m: ObjectMeta = o.metadata;
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name', 'generateName'] as const) {
      if (em[k] === undefined) delete m[k];
      else m[k] = em[k] as never;
    }
    delete m.managedFields;
    delete m.selfLink;
    if (def.status) {
      if (existing.status === undefined) delete o.status;
      else o.status = existing.status;
    }
    return o;
  }

  private commit(def: ResourceDef, existing: KubeObject, o: KubeObject, opts: { dryRun?: boolean; admit?: Admit }): KubeObject {
    const key = resourceKey(def);
    const meta = o.metadata;
    meta.resourceVersion = existing.metadata.resourceVersion;
    if (existing.metadata.deletionTimestamp) {
      const before = new Set(existing.metadata.finalizers ?? []);
      if ((meta.finalizers ?? []).some((f) => !before.has(f))) {
        throw invalid(def.kind, def.group, meta.name as string, [
          { type: 'Forbidden', field: 'metadata.finalizers', detail: 'no new finalizers can be added if the object is being deleted' },
        ]);
      }
    }
    omitEmpty(meta);
    def.settleStatus?.(o);
    opts.admit?.(o, existing);
    this.validate(def, o, existing);
    if (tracksGeneration(def) && !deepEqual(specOf(def, existing), specOf(def, o))) {
      meta.generation = (existing.metadata.generation ?? 0) + 1;
    }
    if (deepEqual(o, existing)) return this.present(def, existing);
    if (opts.dryRun) return o;
    const deleting = meta.deletionTimestamp !== undefined && !meta.finalizers?.length && !def.pendingFinalizers?.(o);
    const stored = this.storage.put(key, o);
    if (deleting) return this.present(def, this.storage.remove(key, meta.namespace, meta.name as string) as KubeObject);
    return this.present(def, stored);
  }

  private validate(def: ResourceDef, o: KubeObject, old?: KubeObject): void {
    const errs: FieldError[] = [];
    const name = o.metadata.name as string;
    if (!old) {
      for (const detail of validateName(def.nameRule ?? 'subdomain', name)) {
        errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail });
      }
    }
    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
      for (const detail of qualifiedName(k)) errs.push({ type: 'Invalid', field: 'metadata.labels', value: k, detail });
      if (typeof v !== 'string') {
        errs.push({ type: 'Invalid', field: `metadata.labels`, value: v, detail: 'must be a string' });
        continue;
      }
      for (const detail of labelValue(v)) errs.push({ type: 'Invalid', field: 'metadata.labels', value: v, detail });
    }
    for (const [i, ref] of (o.metadata.ownerReferences ?? []).entries()) {
      for (const f of ['apiVersion', 'kind', 'name', 'uid'] as const) {
        if (!ref[f]) errs.push({ type: 'Invalid', field: `metadata.ownerReferences[${i}].${f}`, value: ref[f] ?? '', detail: `${f} must not be empty` });
      }
    }
    errs.push(...(def.validate?.(o, old) ?? []));
    if (errs.length) throw invalid(def.kind, def.group, name, errs);
  }

  private freshName(def: ResourceDef, namespace: string | undefined, base: string): string {
    for (let i = 0; i < 8; i++) {
      const name = generateName(base);
      if (!this.storage.get(resourceKey(def), namespace, name)) return name;
    }
    return generateName(base);
  }

  /**
   * ResourceQuota admission for object counts (`count/<resource>[.<group>]`, the legacy core
   * names, `services.loadbalancers`/`nodeports`), counted live where kube-apiserver reads the
   * quota controller's status. Compute-resource keys (pods' requests/limits) are not modelled.
   */
  private admitQuota(def: ResourceDef, o: KubeObject): void {
    const namespace = o.metadata.namespace as string;
    const keys = [def.group ? `count/${def.plural}.${def.group}` : `count/${def.plural}`];
    if (!def.group && LEGACY_COUNTS.has(def.plural)) keys.push(def.plural);
    const type = (o.spec as { type?: string } | undefined)?.type;
    const serviceKind = (x: KubeObject) => (x.spec as { type?: string } | undefined)?.type;
    if (!def.group && def.plural === 'services' && (type === 'LoadBalancer' || type === 'NodePort')) keys.push(`services.${type.toLowerCase()}s`);
    for (const [, q] of this.storage.scan('/resourcequotas', namespace)) {
      const spec = q.spec as { hard?: Record<string, string>; scopes?: unknown[]; scopeSelector?: unknown } | undefined;
      if (spec?.scopes?.length || spec?.scopeSelector) continue;
      for (const key of keys) {
        const hard = Number(spec?.hard?.[key]);
        if (!Number.isFinite(hard)) continue;
        let used = 0;
        for (const [, x] of this.storage.scan(resourceKey(def), namespace)) {
          if (!key.startsWith('services.') || serviceKind(x) === type) used++;
        }
        if (used + 1 > hard) {
          throw forbidden(gr(def), o.metadata.name, `exceeded quota: ${q.metadata.name}, requested: ${key}=1, used: ${key}=${used}, limited: ${key}=${hard}`);
        }
      }
    }
  }

  /** NamespaceLifecycle admission: no new content in missing or terminating namespaces. */
  private admitNamespace(def: ResourceDef, namespace: string, name: string | undefined): void {
    const ns = this.storage.get('/namespaces', undefined, namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
      throw forbidden(gr(def), name, why, [
        { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
  }
}
