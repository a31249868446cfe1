import type { z } from '@hono/zod-openapi';
import type { AuthContext } from '../../../src/core/auth.ts';
import { CA } from '../../../src/compute/model.ts';
import { type Servers, actionAnnotations } from '../../../src/compute/server-store.ts';
import type { ServerRecord } from '../../../src/compute/servers.ts';
import type { SpecialState, Task, Until } from '../../../src/compute/status.ts';
import { conflict } from '../../../src/core/faults.ts';
import { ConflictError, R } from '../../../src/kube/index.ts';
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

type Sub = 'start' | 'stop' | 'restart' | 'migrate' | 'pause' | 'unpause' | 'softreboot';
const VMI_SUBS = new Set<Sub>(['pause', 'unpause', 'softreboot']);

/** PUT subresources.kubevirt.io …/{sub}; KubeVirt's state 409s become Nova's. */
export async function kubevirt(a: ActionContext, action: string, sub: Sub, body: unknown = {}): Promise<void> {
  const type = VMI_SUBS.has(sub) ? R.virtualMachineInstances : R.virtualMachines;
  try {
    await a.auth.kube.subresource('PUT', type, a.s.object, sub, { namespace: a.s.namespace, group: 'subresources.kubevirt.io', version: 'v1', body });
  } catch (err) {
    if (err instanceof ConflictError) throw conflict(`Cannot '${action}' instance ${a.s.id} while it is in vm_state ${a.s.state.vmState}`);
    throw err;
  }
}

export interface Record {
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
export async function record(a: ActionContext, action: string, r: Record = {}): Promise<void> {
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
