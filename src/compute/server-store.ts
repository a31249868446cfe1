import { UUID } from '../core/names.ts';
import * as v from 'valibot';
import { notFound } from '../core/faults.ts';
import { type KubeClient, NotFoundError, R } from '../kube/index.ts';
import { CA, CL, type VirtualMachine, type VirtualMachineInstance, jsonOf } from './model.ts';
import { type ServerRecord, toServer } from './servers.ts';
import type { Task } from './status.ts';

// Reading and writing servers. A list is one paged LIST of VMs and one of VMIs, in parallel,
// joined in memory. Nova ids are VM uids, which the API cannot look up directly: each
// replica keeps a uid → (namespace, name) index, refilled from a list on a miss.

export const SERVER_SELECTOR = `${CL.server}=true`;

/** Where to look: one project's namespace, or every namespace (admins, all_tenants). */
export type Scope = { namespace: string } | { all: true };

const indexes = new WeakMap<KubeClient, Map<string, { namespace: string; name: string }>>();

export interface ActionRecord {
  action: string;
  request_id: string;
  user_id: string;
  project_id: string;
  start_time: string;
  finish_time: string | null;
  message: string | null;
  result: 'Success' | 'Error' | null;
}
const ActionSchema = v.object({
  action: v.string(),
  request_id: v.string(),
  user_id: v.string(),
  project_id: v.string(),
  start_time: v.string(),
  finish_time: v.nullable(v.string()),
  message: v.nullable(v.string()),
  result: v.nullable(v.picklist(['Success', 'Error'])),
});
export const readActions = jsonOf<ActionRecord[]>(v.array(ActionSchema), []);
/** Actions kept per server (the oldest drop off). */
export const MAX_ACTIONS = 30;

export class Servers {
  private readonly index: Map<string, { namespace: string; name: string }>;
  constructor(
    readonly kube: KubeClient,
    /** The region's own client: the key of the shared id index. */
    indexKey: KubeClient,
  ) {
    let idx = indexes.get(indexKey);
    if (!idx) {
      idx = new Map();
      indexes.set(indexKey, idx);
    }
    this.index = idx;
  }

  private ns(scope: Scope) {
    return 'namespace' in scope ? { namespace: scope.namespace } : {};
  }

  /** Every server in scope (one LIST per kind). */
  async list(scope: Scope): Promise<ServerRecord[]> {
    const [vms, vmis] = await Promise.all([
      this.kube.listAll<VirtualMachine>(R.virtualMachines, { ...this.ns(scope), labelSelector: SERVER_SELECTOR }),
      this.kube.listAll<VirtualMachineInstance>(R.virtualMachineInstances, { ...this.ns(scope), labelSelector: SERVER_SELECTOR }),
    ]);
    const byKey = new Map(vmis.items.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, i]));
    return vms.items.map((vm) => {
      this.remember(vm);
      return toServer(vm, byKey.get(`${vm.metadata.namespace}/${vm.metadata.name}`));
    });
  }

  remember(vm: VirtualMachine): void {
    if (vm.metadata.uid) this.index.set(vm.metadata.uid, { namespace: vm.metadata.namespace ?? '', name: vm.metadata.name ?? '' });
  }

  private inScope(scope: Scope, namespace: string) {
    return !('namespace' in scope) || scope.namespace === namespace;
  }

  private async vmNamed(namespace: string, name: string): Promise<VirtualMachine | undefined> {
    try {
      return await this.kube.get<VirtualMachine>(R.virtualMachines, name, { namespace });
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private async vmiNamed(namespace: string, name: string): Promise<VirtualMachineInstance | undefined> {
    try {
      return await this.kube.get<VirtualMachineInstance>(R.virtualMachineInstances, name, { namespace });
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** The VM with Nova id `id` in scope, or undefined. */
  async findVm(scope: Scope, id: string): Promise<VirtualMachine | undefined> {
    if (!UUID.test(id)) return undefined;
    const known = this.index.get(id);
    if (known && this.inScope(scope, known.namespace)) {
      const vm = await this.vmNamed(known.namespace, known.name);
      if (vm?.metadata.uid === id) return vm;
      this.index.delete(id);
    }
    const list = await this.kube.listAll<VirtualMachine>(R.virtualMachines, { ...this.ns(scope), labelSelector: SERVER_SELECTOR });
    for (const vm of list.items) this.remember(vm);
    return list.items.find((vm) => vm.metadata.uid === id);
  }

  async get(scope: Scope, id: string): Promise<ServerRecord | undefined> {
    const vm = await this.findVm(scope, id);
    if (!vm) return undefined;
    return toServer(vm, await this.vmiNamed(vm.metadata.namespace ?? '', vm.metadata.name ?? ''));
  }

  async require(scope: Scope, id: string): Promise<ServerRecord> {
    const s = await this.get(scope, id);
    if (!s) throw notFound(`Instance ${id} could not be found.`);
    return s;
  }

  /** Re-reads a server (after an action). */
  async reload(s: ServerRecord): Promise<ServerRecord> {
    const vm = await this.vmNamed(s.namespace, s.object);
    if (!vm || vm.metadata.uid !== s.id) throw notFound(`Instance ${s.id} could not be found.`);
    return toServer(vm, await this.vmiNamed(s.namespace, s.object));
  }

  /** Merge-patches annotations (null removes), conditional on the VM not having changed. */
  async annotate(s: ServerRecord, annotations: Record<string, string | null>, conditional = false): Promise<VirtualMachine> {
    const patch = { metadata: { annotations, ...(conditional ? { resourceVersion: s.vm.metadata.resourceVersion } : {}) } };
    return this.kube.patch<VirtualMachine>(R.virtualMachines, s.object, patch, { namespace: s.namespace, type: 'merge' });
  }

  async patchVm(s: ServerRecord, patch: unknown): Promise<VirtualMachine> {
    return this.kube.patch<VirtualMachine>(R.virtualMachines, s.object, patch, { namespace: s.namespace, type: 'merge' });
  }

  async delete(s: ServerRecord): Promise<void> {
    try {
      await this.kube.delete(R.virtualMachines, s.object, { namespace: s.namespace, propagationPolicy: 'Background', preconditions: { uid: s.id } });
    } catch (err) {
      if (err instanceof NotFoundError) throw notFound(`Instance ${s.id} could not be found.`);
      throw err;
    }
    this.index.delete(s.id);
  }
}

/**
 * Annotations recording an action: the task it opens (if any) and one more entry in the
 * bounded action log; earlier entries still open are closed at this start time.
 */
export function actionAnnotations(
  s: ServerRecord,
  a: { action: string; requestId: string; userId: string; projectId: string; at: string; task?: Task | null; message?: string },
): Record<string, string | null> {
  const log = readActions(s.vm.metadata.annotations?.[CA.actions]).map((e) =>
    e.finish_time === null ? { ...e, finish_time: a.at, result: e.result ?? 'Success' } : e,
  );
  const done = a.task === undefined || a.task === null;
  log.push({
    action: a.action,
    request_id: a.requestId,
    user_id: a.userId,
    project_id: a.projectId,
    start_time: a.at,
    finish_time: done ? a.at : null,
    message: a.message ?? null,
    result: done ? 'Success' : null,
  });
  return {
    [CA.actions]: JSON.stringify(log.slice(-MAX_ACTIONS)),
    ...(a.task === undefined ? {} : { [CA.task]: a.task === null ? null : JSON.stringify(a.task) }),
  };
}
