import type { z } from '@hono/zod-openapi';
import type { AuthContext } from '../../../src/core/auth.ts';
import { CA, MANAGED } from '../../../src/compute/model.ts';
import { type Servers, actionAnnotations } from '../../../src/compute/server-store.ts';
import type { ServerRecord } from '../../../src/compute/servers.ts';
import type { SpecialState, Task, Until } from '../../../src/compute/status.ts';
import { conflict } from '../../../src/core/faults.ts';
import { ConflictError, InvalidError, R } from '../../../src/kube/index.ts';
import { networkOptions } from '../../../src/network/context.ts';
import { type Ctx, parseBody } from '../common.ts';

// What every server action gets, and the helpers they share: KubeVirt subresource calls
// (their 409s worded as Nova's), and recording the action (task + action log) on the VM.

export interface ActionContext {
  c: Ctx;
  s: ServerRecord;
  auth: AuthContext;
  store: Servers;
  /** The action's body (the value under its name). */
  body: unknown;
}

/** A handler answers itself (200 with a body), or undefined for Nova's 202. */
export type ActionHandler = (a: ActionContext) => Promise<Response | undefined>;

export function bodyOf<S extends z.ZodType>(a: ActionContext, schema: S): z.infer<S> {
  return parseBody(schema, a.body);
}

type Op = 'start' | 'stop' | 'restart' | 'migrate' | 'pause' | 'unpause' | 'softreboot';

/**
 * Drives KubeVirt the way its own start/stop/restart/migrate handlers do, with the rights a
 * project member has on VMs, VMIs and migrations: start/stop flip runStrategy (guarded by a
 * test op), restart deletes the VMI (the VM, runStrategy Always, makes a new one), migrate
 * creates a VirtualMachineInstanceMigration. pause/unpause/softreboot exist only as
 * `subresources.kubevirt.io` calls. KubeVirt's state conflicts become Nova's 409.
 */
export async function kubevirt(a: ActionContext, action: string, op: Op, body: { addedNodeSelector?: Record<string, string> } = {}): Promise<void> {
  const { kube } = a.auth;
  const ns = { namespace: a.s.namespace };
  const strategy = (from: string, to: string) =>
    kube.patch(R.virtualMachines, a.s.object, [{ op: 'test', path: '/spec/runStrategy', value: from }, { op: 'replace', path: '/spec/runStrategy', value: to }], { ...ns, type: 'json' });
  try {
    if (op === 'stop' || op === 'restart' || op === 'migrate') await pinPodAddress(a, op !== 'migrate');
    switch (op) {
      case 'start':
        await strategy('Halted', 'Always');
        return;
      case 'stop':
        await strategy('Always', 'Halted');
        return;
      case 'restart':
        if (!a.s.vmi) throw new ConflictError(409, 'Conflict', 'VM is not running');
        await kube.delete(R.virtualMachineInstances, a.s.object, { ...ns, preconditions: { uid: a.s.vmi.metadata.uid } });
        return;
      case 'migrate':
        await kube.create(R.virtualMachineInstanceMigrations, {
          metadata: { generateName: `${a.s.object.slice(0, 40)}-migration-`, namespace: a.s.namespace, labels: { ...MANAGED }, annotations: { [CA.requestId]: a.c.get('requestId') } },
          spec: { vmiName: a.s.object, ...(body.addedNodeSelector ? { addedNodeSelector: body.addedNodeSelector } : {}) },
        } as never);
        return;
      default:
        await kube.subresource('PUT', R.virtualMachineInstances, a.s.object, op, { ...ns, group: 'subresources.kubevirt.io', version: 'v1', body: {} });
    }
  } catch (err) {
    if (err instanceof ConflictError || err instanceof InvalidError) throw conflict(`Cannot '${action}' instance ${a.s.id} while it is in vm_state ${a.s.state.vmState}`);
    throw err;
  }
}

/**
 * Nova keeps a server's fixed address for its whole life; a pod network gives every new
 * virt-launcher pod a new one. Before the pod is replaced, the VM template asks the CNI for the
 * current address (through the region's `podAddressAnnotation`), so the next pod gets it back.
 * A live migration runs both pods at once and cannot reuse the address: it drops the request.
 */
async function pinPodAddress(a: ActionContext, keep: boolean): Promise<void> {
  const key = networkOptions(a.c).podAddressAnnotation;
  const vmi = a.s.vmi;
  if (!key || !vmi) return;
  const podNet = (vmi.spec.networks ?? [{ name: 'default', pod: {} }]).find((n) => n.pod)?.name;
  const ip = vmi.status?.interfaces?.find((i) => i.name === podNet)?.ipAddress;
  const want = keep && ip ? JSON.stringify([ip]) : null;
  const has = a.s.vm.spec.template?.metadata?.annotations?.[key] ?? null;
  if (want === has) return;
  const ns = { namespace: a.s.namespace, type: 'merge' as const };
  await a.auth.kube.patch(R.virtualMachines, a.s.object, { spec: { template: { metadata: { annotations: { [key]: want } } } } }, ns);
  // The migration target pod is made from the running VMI, which carries the old request.
  if (!want && vmi.metadata.annotations?.[key]) {
    await a.auth.kube.patch(R.virtualMachineInstances, a.s.object, { metadata: { annotations: { [key]: null } } }, ns);
  }
}

export interface RecordOptions {
  /** The task it opens: [name, what ends it, vm_state shown while open]; omitted = none. */
  task?: [string, Until, SpecialState?];
  /** A restart-like task: done only once a new VMI runs. */
  replacesVmi?: boolean;
  /** Set (string) or clear (null) the special Nova state. */
  state?: SpecialState | null;
  annotations?: { [k: string]: string | null };
  message?: string;
}

/** Writes the action into the VM's annotations: task, state, action log. */
export async function record(a: ActionContext, action: string, r: RecordOptions = {}): Promise<void> {
  const at = new Date().toISOString();
  const task: Task | null = r.task
    ? {
        name: r.task[0],
        until: r.task[1],
        at,
        requestId: a.c.get('requestId'),
        ...(r.task[2] ? { vmState: r.task[2] } : {}),
        ...(r.replacesVmi && a.s.vmi?.metadata.uid ? { replaces: a.s.vmi.metadata.uid } : {}),
        ...(r.task[1] === 'migrated' && a.s.node ? { fromNode: a.s.node } : {}),
      }
    : null;
  const ann = {
    ...actionAnnotations(a.s, { action, requestId: a.c.get('requestId'), userId: a.auth.userId, projectId: a.auth.projectId ?? '', at, task, message: r.message }),
    ...(r.state === undefined ? {} : { [CA.state]: r.state }),
    ...(r.annotations ?? {}),
  };
  await a.store.annotate(a.s, ann);
}
