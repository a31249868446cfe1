// The control-plane loops a real cluster runs next to the API server (kube-controller-manager's
// garbage collector and namespace controller, the apiextensions controller), working on the
// store directly. Work runs off the write path, like the real controllers.

import { ApiError } from './errors.ts';
import type { Kinds } from './kinds.ts';
import type { KubeObject } from './object.ts';
import { defsFromCrd, establishedStatus } from './crds.ts';
import { CRD_CLEANUP, resourceKey, type ResourceDef } from './resources.ts';
import type { StoreEvent, Storage } from './storage.ts';
import { FOREGROUND, type GenericStore, ORPHAN } from './store.ts';
import { timestamp } from './object.ts';

/** Coalescing work queue drained on a macrotask; `idle()` resolves when it is empty. */
export class WorkQueue {
  private readonly pending = new Map<string, () => void>();
  private scheduled = false;
  private waiters: (() => void)[] = [];
  private stopped = false;

  add(key: string, fn: () => void): void {
    if (this.stopped) return;
    this.pending.set(key, fn);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.drain(), 0);
    }
  }

  private drain(): void {
    for (let round = 0; round < 10_000 && this.pending.size > 0; round++) {
      const [key, fn] = this.pending.entries().next().value as [string, () => void];
      this.pending.delete(key);
      try {
        fn();
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) console.error('sandbox controller:', e);
      }
    }
    this.scheduled = false;
    if (this.pending.size > 0) {
      this.scheduled = true;
      setTimeout(() => this.drain(), 0);
      return;
    }
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  get busy(): boolean {
    return this.scheduled || this.pending.size > 0;
  }

  idle(): Promise<void> {
    if (!this.scheduled && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}

const NAMESPACES = '/namespaces';
const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';

export class ControlPlane {
  readonly queue = new WorkQueue();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly storage: Storage,
    private readonly store: GenericStore,
    private readonly kinds: Kinds,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = storage.subscribe((e) => this.observe(e));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  /** Registers the kinds of every CRD already in storage (after a restore). */
  syncCrds(): void {
    for (const [, crd] of this.storage.scan(CRDS)) this.kinds.setCrd(crd.metadata.name as string, defsFromCrd(crd));
  }

  private defOf(resource: string): ResourceDef | undefined {
    return this.kinds.all().find((d) => resourceKey(d) === resource);
  }

  private observe(e: StoreEvent): void {
    const o = e.object;
    const uid = o.metadata.uid as string;
    if (e.resource === CRDS) this.observeCrd(e);
    if (e.type === 'DELETED') {
      this.queue.add(`gc-dependents:${uid}`, () => this.collectDependents(uid));
      for (const ref of o.metadata.ownerReferences ?? []) {
        this.queue.add(`gc-owner:${ref.uid}`, () => this.processDeletingOwner(ref.uid, o.metadata.namespace, ref));
      }
      if (o.metadata.namespace) this.queue.add(`ns:${o.metadata.namespace}`, () => this.syncNamespace(o.metadata.namespace as string));
      return;
    }
    if (o.metadata.deletionTimestamp) {
      const fins = o.metadata.finalizers ?? [];
      if (fins.includes(FOREGROUND) || fins.includes(ORPHAN)) {
        this.queue.add(`gc-owner:${uid}`, () => this.processDeleting(e.resource, o.metadata.namespace, o.metadata.name as string));
      }
      if (e.resource === NAMESPACES) this.queue.add(`ns:${o.metadata.name}`, () => this.syncNamespace(o.metadata.name as string));
    }
    if (e.type === 'ADDED' && o.metadata.ownerReferences?.length) {
      this.queue.add(`gc-dangling:${uid}`, () => this.deleteIfDangling(e.resource, o.metadata.namespace, o.metadata.name as string));
    }
  }

  private observeCrd(e: StoreEvent): void {
    const crd = e.object;
    const name = crd.metadata.name as string;
    if (e.type === 'DELETED') {
      this.kinds.removeCrd(name);
      return;
    }
    // Serving starts at once: a client may create instances right after the CRD.
    this.kinds.setCrd(name, defsFromCrd(crd));
    const status = crd.status as { conditions?: unknown[] } | undefined;
    if (!status?.conditions?.length && !crd.metadata.deletionTimestamp) {
      this.queue.add(`crd:${name}`, () => this.establish(name));
    }
    if (crd.metadata.deletionTimestamp && crd.metadata.finalizers?.includes(CRD_CLEANUP)) {
      this.queue.add(`crd:${name}`, () => this.cleanupCrd(name));
    }
  }

  private crdDef(): ResourceDef {
    return this.kinds.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions') as ResourceDef;
  }

  private establish(name: string): void {
    const crd = this.storage.get(CRDS, undefined, name);
    if (!crd) return;
    const status = establishedStatus(crd, timestamp(this.now()));
    this.store.update(this.crdDef(), undefined, name, { ...crd, status }, { subresource: 'status' });
  }

  private cleanupCrd(name: string): void {
    const crd = this.storage.get(CRDS, undefined, name);
    if (!crd) return;
    const defs = defsFromCrd(crd);
    const def = defs[0];
    if (def) {
      for (const [, o] of [...this.storage.scan(resourceKey(def))]) {
        const cur = this.storage.get(resourceKey(def), o.metadata.namespace, o.metadata.name as string);
        if (cur?.metadata.finalizers?.length) {
          this.store.update(def, o.metadata.namespace, o.metadata.name as string, { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
        } else if (cur) this.store.delete(def, o.metadata.namespace, o.metadata.name as string);
      }
    }
    this.removeFinalizer(this.crdDef(), undefined, name, CRD_CLEANUP);
  }

  private removeFinalizer(def: ResourceDef, namespace: string | undefined, name: string, finalizer: string): void {
    const cur = this.storage.get(resourceKey(def), namespace, name);
    if (!cur?.metadata.finalizers?.includes(finalizer)) return;
    const finalizers = cur.metadata.finalizers.filter((f) => f !== finalizer);
    this.store.update(def, namespace, name, { ...cur, metadata: { ...cur.metadata, finalizers } });
  }

  private ownerAlive(dep: KubeObject, ref: { apiVersion: string; kind: string; name: string; uid: string }): boolean | undefined {
    const def = this.kinds.byKind(ref.apiVersion, ref.kind);
    if (!def) return undefined;
    const owner = this.storage.get(resourceKey(def), def.namespaced ? dep.metadata.namespace : undefined, ref.name);
    return owner !== undefined && owner.metadata.uid === ref.uid;
  }

  /** Background collection: dependents of a removed owner go too, unless another owner lives. */
  private collectDependents(ownerUid: string): void {
    for (const { resource, object } of this.storage.dependentsOf(ownerUid)) {
      const def = this.defOf(resource);
      if (!def) continue;
      const refs = object.metadata.ownerReferences ?? [];
      const others = refs.filter((r) => r.uid !== ownerUid && this.ownerAlive(object, r) !== false);
      const ns = object.metadata.namespace;
      const name = object.metadata.name as string;
      if (others.length > 0) {
        const ownerReferences = refs.filter((r) => r.uid !== ownerUid);
        this.store.update(def, ns, name, { ...object, metadata: { ...object.metadata, ownerReferences } });
      } else if (!object.metadata.deletionTimestamp) {
        this.store.delete(def, ns, name, { propagationPolicy: 'Background' });
      }
    }
  }

  private deleteIfDangling(resource: string, namespace: string | undefined, name: string): void {
    const def = this.defOf(resource);
    const o = this.storage.get(resource, namespace, name);
    if (!def || !o || o.metadata.deletionTimestamp) return;
    const refs = o.metadata.ownerReferences ?? [];
    if (refs.length > 0 && refs.every((r) => this.ownerAlive(o, r) === false)) {
      this.store.delete(def, namespace, name, { propagationPolicy: 'Background' });
    }
  }

  private processDeletingOwner(ownerUid: string, namespace: string | undefined, ref: { apiVersion: string; kind: string; name: string }): void {
    const def = this.kinds.byKind(ref.apiVersion, ref.kind);
    if (!def) return;
    const owner = this.storage.get(resourceKey(def), def.namespaced ? namespace : undefined, ref.name);
    if (owner?.metadata.uid === ownerUid && owner.metadata.deletionTimestamp) {
      this.processDeleting(resourceKey(def), owner.metadata.namespace, ref.name);
    }
  }

  /** Foreground: delete dependents, release the owner once no blocking dependent is left. Orphan: unlink them. */
  private processDeleting(resource: string, namespace: string | undefined, name: string): void {
    const def = this.defOf(resource);
    const owner = this.storage.get(resource, namespace, name);
    if (!def || !owner?.metadata.deletionTimestamp) return;
    const uid = owner.metadata.uid as string;
    const fins = owner.metadata.finalizers ?? [];
    const dependents = this.storage.dependentsOf(uid);
    if (fins.includes(ORPHAN)) {
      for (const { resource: r, object } of dependents) {
        const ddef = this.defOf(r);
        if (!ddef) continue;
        const ownerReferences = (object.metadata.ownerReferences ?? []).filter((x) => x.uid !== uid);
        this.store.update(ddef, object.metadata.namespace, object.metadata.name as string, {
          ...object,
          metadata: { ...object.metadata, ownerReferences },
        });
      }
      this.removeFinalizer(def, namespace, name, ORPHAN);
      return;
    }
    if (!fins.includes(FOREGROUND)) return;
    let blocking = 0;
    for (const { resource: r, object } of dependents) {
      const ddef = this.defOf(r);
      if (!ddef) continue;
      if (object.metadata.ownerReferences?.some((x) => x.uid === uid && x.blockOwnerDeletion)) blocking++;
      if (!object.metadata.deletionTimestamp) {
        this.store.delete(ddef, object.metadata.namespace, object.metadata.name as string, { propagationPolicy: 'Foreground' });
      }
    }
    if (blocking === 0 || this.storage.dependentsOf(uid).length === 0) this.removeFinalizer(def, namespace, name, FOREGROUND);
  }

  /** Namespace controller: empty a terminating namespace, then finalize it. */
  private syncNamespace(name: string): void {
    const ns = this.storage.get(NAMESPACES, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    const seen = new Set<string>();
    for (const def of this.kinds.all()) {
      const key = resourceKey(def);
      if (!def.namespaced || def.virtual || seen.has(key)) continue;
      seen.add(key);
      for (const [, o] of [...this.storage.scan(key, name)]) {
        remaining++;
        if (!o.metadata.deletionTimestamp) this.store.delete(def, name, o.metadata.name as string, { propagationPolicy: 'Background' });
      }
    }
    const left = [...seen].some((key) => !this.storage.scan(key, name).next().done);
    if (remaining > 0 && left) return;
    const spec = ns.spec as { finalizers?: string[] } | undefined;
    const nsDef = this.kinds.lookup('', 'v1', 'namespaces') as ResourceDef;
    if (spec?.finalizers?.length) {
      this.store.update(nsDef, undefined, name, { ...ns, spec: { ...spec, finalizers: [] } });
    }
  }
}
