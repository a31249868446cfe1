// virt-api's `subresources.kubevirt.io` (notes §2): each operation checks state the way
// KubeVirt's handlers do (same 409 messages), then acts through the Kubernetes API with the
// controller's own client, after the API server has authorized the caller.

import { KubeError, type KubeClient, NotFoundError, R } from '../../kube/index.ts';
import type { AggregatedApi, ApiResource, Caller, RequestAttributes } from '../types.ts';
import type { StateChangeRequest, VirtualMachine, VirtualMachineInstance } from './model.ts';
import type { SandboxTiming } from './timing.ts';
import { consoleHandler } from './consoles.ts';
import { findCondition } from './util.ts';
import { isFinal, runStrategyOf } from './vm.ts';

const GROUP = 'subresources.kubevirt.io';

const status = (code: number, reason: string, message: string, details?: object) =>
  Response.json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) }, { status: code });

/** errors.NewConflict(v1.Resource(kind), name, err) as virt-api writes it. */
const conflict = (kind: 'virtualmachine' | 'virtualmachineinstance', name: string, msg: string) =>
  status(409, 'Conflict', `Operation cannot be fulfilled on ${kind}.kubevirt.io "${name}": ${msg}`, { name, group: 'kubevirt.io', kind });
const notFound = (kind: string, name: string) =>
  status(404, 'NotFound', `${kind}.kubevirt.io "${name}" not found`, { name, group: 'kubevirt.io', kind });
const badRequest = (msg: string) => status(400, 'BadRequest', msg);
const accepted = () => new Response(null, { status: 202 });
const ok = () => new Response(null, { status: 200 });

type Handler = (ctx: { client: KubeClient; ns: string; name: string; body: Record<string, unknown> }) => Promise<Response>;

/**
 * An answer decided deep in a handler. Thrown, not returned: `instanceof Response` is not
 * reliable (@hono/node-server swaps the global Response class while serving).
 */
class Reply extends Error {
  constructor(readonly response: Response) {
    super('reply');
  }
}

async function getOr404<T>(client: KubeClient, type: typeof R.virtualMachines, ns: string, name: string, kind: string): Promise<T> {
  try {
    return await client.get<T>(type, name, { namespace: ns });
  } catch (e) {
    if (e instanceof NotFoundError) throw new Reply(notFound(kind, name));
    throw e;
  }
}
const vmiOrUndefined = (client: KubeClient, ns: string, name: string) =>
  client.get<VirtualMachineInstance>(R.virtualMachineInstances, name, { namespace: ns }).catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));

/** Appends state change requests with a test op, as getChangeRequestJson does. */
async function addRequests(client: KubeClient, vm: VirtualMachine, changes: StateChangeRequest[]): Promise<Response | undefined> {
  const current = vm.status?.stateChangeRequests ?? [];
  let patch: object[];
  if (!vm.status || Object.keys(vm.status).length === 0) patch = [{ op: 'add', path: '/status', value: { stateChangeRequests: changes } }];
  else if (current.length === 0) patch = [{ op: 'test', path: '/status/stateChangeRequests', value: vm.status.stateChangeRequests ?? null }, { op: 'add', path: '/status/stateChangeRequests', value: changes }];
  else if (changes.length === 1 && changes[0]!.action === 'Stop') patch = [{ op: 'test', path: '/status/stateChangeRequests', value: current }, { op: 'replace', path: '/status/stateChangeRequests', value: changes }];
  else return conflict('virtualmachine', vm.metadata.name!, 'unable to complete request: stop/start already underway');
  if (vm.status && current.length === 0 && vm.status.stateChangeRequests === undefined) patch = [{ op: 'add', path: '/status/stateChangeRequests', value: changes }];
  await client.patchStatus(R.virtualMachines, vm.metadata.name!, patch, { namespace: vm.metadata.namespace, type: 'json' });
  return undefined;
}

async function setRunning(client: KubeClient, vm: VirtualMachine, running: boolean): Promise<void> {
  const patch = vm.spec.runStrategy !== undefined || vm.spec.running === undefined
    ? [{ op: 'test', path: '/spec/runStrategy', value: vm.spec.runStrategy ?? null }, { op: vm.spec.runStrategy ? 'replace' : 'add', path: '/spec/runStrategy', value: running ? 'Always' : 'Halted' }]
    : [{ op: 'test', path: '/spec/running', value: vm.spec.running }, { op: 'replace', path: '/spec/running', value: running }];
  if (vm.spec.runStrategy === undefined && vm.spec.running === undefined) patch.shift();
  await client.patch(R.virtualMachines, vm.metadata.name!, patch, { namespace: vm.metadata.namespace, type: 'json' });
}

const vmHandlers: Record<string, Handler> = {
  async start({ client, ns, name, body }) {
    const vm = await getOr404<VirtualMachine>(client, R.virtualMachines, ns, name, 'virtualmachine');
    const vmi = await vmiOrUndefined(client, ns, name);
    const phase = vmi?.status?.phase ?? '';
    if (vmi && !isFinal(vmi) && phase !== 'Unknown' && phase !== '') return conflict('virtualmachine', name, 'VM is already running');
    const paused = body.paused === true;
    const data = paused ? { startPaused: 'true' } : undefined;
    const strategy = runStrategyOf(vm);
    switch (strategy) {
      case 'Halted':
        if (paused) return (await addRequests(client, vm, [{ action: 'Start', data }])) ?? accepted();
        await setRunning(client, vm, true);
        return accepted();
      case 'RerunOnFailure':
      case 'Manual': {
        if (strategy === 'RerunOnFailure' && phase === 'Failed') return conflict('virtualmachine', name, 'RerunOnFailure does not support starting VM from failed state');
        const restart = vmi && ((strategy === 'RerunOnFailure' && phase === 'Succeeded') || (strategy === 'Manual' && isFinal(vmi)));
        const changes: StateChangeRequest[] = restart ? [{ action: 'Stop', uid: vmi.metadata.uid }, { action: 'Start', ...(data ? { data } : {}) }] : [{ action: 'Start', ...(data ? { data } : {}) }];
        return (await addRequests(client, vm, changes)) ?? accepted();
      }
      default:
        return conflict('virtualmachine', name, `${strategy} does not support manual start requests`);
    }
  },
  async stop({ client, ns, name, body }) {
    const vm = await getOr404<VirtualMachine>(client, R.virtualMachines, ns, name, 'virtualmachine');
    const vmi = await vmiOrUndefined(client, ns, name);
    const grace = typeof body.gracePeriod === 'number' ? body.gracePeriod : undefined;
    if (vmi && !isFinal(vmi) && grace !== undefined)
      await client.patch(R.virtualMachineInstances, name, { spec: { terminationGracePeriodSeconds: grace } }, { namespace: ns, type: 'merge' });
    const strategy = runStrategyOf(vm);
    switch (strategy) {
      case 'Halted': {
        if (!vmi || isFinal(vmi)) return conflict('virtualmachine', name, 'VM is not running');
        const old = vmi.spec.terminationGracePeriodSeconds;
        if (grace === undefined || (old !== undefined && grace >= old)) return conflict('virtualmachine', name, 'Halted only supports manual stop requests with a shorter graceperiod');
        return (await addRequests(client, vm, [{ action: 'Stop', uid: vmi.metadata.uid }])) ?? accepted();
      }
      case 'RerunOnFailure':
      case 'Manual':
        if (!vmi || isFinal(vmi)) return conflict('virtualmachine', name, 'VM is not running');
        return (await addRequests(client, vm, [{ action: 'Stop', uid: vmi.metadata.uid }])) ?? accepted();
      default:
        await setRunning(client, vm, false);
        return accepted();
    }
  },
  async restart({ client, ns, name, body }) {
    const grace = body.gracePeriodSeconds;
    if (typeof grace === 'number' && grace > 0) return badRequest('For force restart, only gracePeriod=0 is supported for now');
    if (typeof grace === 'number' && grace < 0) return badRequest('gracePeriod has to be greater or equal to 0');
    const vm = await getOr404<VirtualMachine>(client, R.virtualMachines, ns, name, 'virtualmachine');
    const strategy = runStrategyOf(vm);
    if (strategy === 'Halted' || strategy === 'Once') return conflict('virtualmachine', name, `RunStategy ${strategy} does not support manual restart requests`);
    const vmi = await vmiOrUndefined(client, ns, name);
    if (!vmi) return conflict('virtualmachine', name, 'VM is not running: Halted');
    return (await addRequests(client, vm, [{ action: 'Stop', uid: vmi.metadata.uid }, { action: 'Start' }])) ?? accepted();
  },
  async migrate({ client, ns, name, body }) {
    await getOr404<VirtualMachine>(client, R.virtualMachines, ns, name, 'virtualmachine');
    const vmi = await getOr404<VirtualMachineInstance>(client, R.virtualMachineInstances, ns, name, 'virtualmachineinstance');
    if (vmi.status?.phase !== 'Running') return conflict('virtualmachine', name, 'VM is not running');
    await client.create(R.virtualMachineInstanceMigrations, {
      metadata: { generateName: 'kubevirt-migrate-vm-', namespace: ns },
      spec: { vmiName: name, ...(body.addedNodeSelector ? { addedNodeSelector: body.addedNodeSelector } : {}) },
    });
    return accepted();
  },
  async addvolume({ client, ns, name, body }) {
    const vm = await getOr404<VirtualMachine>(client, R.virtualMachines, ns, name, 'virtualmachine');
    const volName = body.name as string | undefined;
    const source = body.volumeSource as { persistentVolumeClaim?: { claimName: string }; dataVolume?: { name: string } } | undefined;
    if (!volName || !body.disk || !source || (!source.persistentVolumeClaim && !source.dataVolume))
      return badRequest('AddVolumeOptions requires name, disk and a persistentVolumeClaim or dataVolume volumeSource');
    const volumes = vm.spec.template?.spec?.volumes ?? [];
    if (volumes.some((v) => v.name === volName)) return conflict('virtualmachine', name, `Unable to add volume [${volName}] because volume with that name already exists`);
    const volume = source.dataVolume
      ? { name: volName, dataVolume: { ...source.dataVolume, hotpluggable: true } }
      : { name: volName, persistentVolumeClaim: { ...source.persistentVolumeClaim!, hotpluggable: true } };
    const disk = { ...(body.disk as object), name: volName };
    const disks = [...(vm.spec.template?.spec?.domain?.devices?.disks ?? []), disk];
    // resourceVersion in a merge patch makes it conditional: a concurrent edit gives 409.
    await client.patch(
      R.virtualMachines,
      name,
      { metadata: { resourceVersion: vm.metadata.resourceVersion }, spec: { template: { spec: { volumes: [...volumes, volume], domain: { devices: { disks } } } } } },
      { namespace: ns, type: 'merge' },
    );
    await syncRunningVmi(client, ns, name);
    return accepted();
  },
  async removevolume({ client, ns, name, body }) {
    const vm = await getOr404<VirtualMachine>(client, R.virtualMachines, ns, name, 'virtualmachine');
    const volName = body.name as string | undefined;
    if (!volName) return badRequest('RemoveVolumeOptions requires name');
    const volumes = vm.spec.template?.spec?.volumes ?? [];
    const vol = volumes.find((v) => v.name === volName);
    if (!vol) return conflict('virtualmachine', name, `Unable to remove volume [${volName}] because it does not exist`);
    if (!vol.dataVolume?.hotpluggable && !vol.persistentVolumeClaim?.hotpluggable)
      return conflict('virtualmachine', name, `Unable to remove volume [${volName}] because it is not hotpluggable`);
    const disks = (vm.spec.template?.spec?.domain?.devices?.disks ?? []).filter((d) => d.name !== volName);
    await client.patch(R.virtualMachines, name, { spec: { template: { spec: { volumes: volumes.filter((v) => v.name !== volName), domain: { devices: { disks } } } } } }, { namespace: ns, type: 'merge' });
    await syncRunningVmi(client, ns, name);
    return accepted();
  },
};

/** Declarative hotplug (the 1.9 default): the running VMI follows the VM template's volumes. */
async function syncRunningVmi(client: KubeClient, ns: string, name: string): Promise<void> {
  const vm = await client.get<VirtualMachine>(R.virtualMachines, name, { namespace: ns });
  const vmi = await vmiOrUndefined(client, ns, name);
  if (!vmi || isFinal(vmi)) return;
  const volumes = vm.spec.template?.spec?.volumes ?? [];
  const disks = vm.spec.template?.spec?.domain?.devices?.disks ?? [];
  await client.patch(R.virtualMachineInstances, name, { spec: { volumes, domain: { devices: { disks } } } }, { namespace: ns, type: 'merge' });
}

const setPaused = (client: KubeClient, vmi: VirtualMachineInstance, paused: boolean) => {
  const conditions = (vmi.status?.conditions ?? []).filter((c) => c.type !== 'Paused');
  if (paused) conditions.push({ type: 'Paused', status: 'True', reason: 'PausedByUser', message: 'VMI was paused by user', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  return client.patchStatus(R.virtualMachineInstances, vmi.metadata.name!, [
    { op: 'test', path: '/metadata/resourceVersion', value: vmi.metadata.resourceVersion },
    { op: 'replace', path: '/status/conditions', value: conditions },
  ], { namespace: vmi.metadata.namespace, type: 'json' });
};

const vmiHandlers: Record<string, Handler> = {
  async pause({ client, ns, name }) {
    const vmi = await getOr404<VirtualMachineInstance>(client, R.virtualMachineInstances, ns, name, 'virtualmachineinstance');
    if (vmi.status?.phase !== 'Running') return conflict('virtualmachineinstance', name, 'VM is not running');
    if (vmi.spec.livenessProbe) return status(403, 'Forbidden', `virtualmachineinstance.kubevirt.io "${name}" is forbidden: Pausing VMIs with LivenessProbe is currently not supported`);
    if (findCondition(vmi.status.conditions, 'Paused')) return conflict('virtualmachineinstance', name, 'VMI is already paused');
    const m = vmi.status.migrationState;
    if (m && !m.completed && !m.failed) return conflict('virtualmachineinstance', name, `Cannot pause VM '${name}' because it is currently being migrated`);
    await setPaused(client, vmi, true);
    return ok();
  },
  async unpause({ client, ns, name }) {
    const vmi = await getOr404<VirtualMachineInstance>(client, R.virtualMachineInstances, ns, name, 'virtualmachineinstance');
    if (vmi.status?.phase !== 'Running') return conflict('virtualmachineinstance', name, 'VMI is not running');
    if (!findCondition(vmi.status.conditions, 'Paused')) return conflict('virtualmachineinstance', name, 'VMI is not paused');
    await setPaused(client, vmi, false);
    return ok();
  },
  async softreboot({ client, ns, name }) {
    const vmi = await getOr404<VirtualMachineInstance>(client, R.virtualMachineInstances, ns, name, 'virtualmachineinstance');
    if (vmi.status?.phase !== 'Running') return conflict('virtualmachineinstance', name, 'VM is not running');
    if (findCondition(vmi.status.conditions, 'Paused')?.status === 'True') return conflict('virtualmachineinstance', name, 'VMI is paused');
    return ok(); // the guest reboots in place: nothing a client can observe changes
  },
  async addvolume() {
    return badRequest('Unable to add volume to a VMI owned by a VM; use the VM subresource (DeclarativeHotplugVolumes)');
  },
  async removevolume() {
    return badRequest('Unable to remove volume from a VMI owned by a VM; use the VM subresource (DeclarativeHotplugVolumes)');
  },
  async guestosinfo({ client, ns, name }) {
    const vmi = await getOr404<VirtualMachineInstance>(client, R.virtualMachineInstances, ns, name, 'virtualmachineinstance');
    if (vmi.status?.phase !== 'Running') return conflict('virtualmachineinstance', name, 'VMI is not running');
    if (findCondition(vmi.status.conditions, 'AgentConnected')?.status !== 'True') return conflict('virtualmachineinstance', name, 'VMI does not have guest agent connected');
    return Response.json({
      guestAgentVersion: '9.1.0',
      hostname: vmi.metadata.name,
      os: vmi.status.guestOSInfo ?? {},
      timezone: 'UTC, 0',
      supportedCommands: [{ name: 'guest-ping', enabled: true }],
      fsInfo: { disks: [] },
      userList: [],
      fsFreezeStatus: 'thawed',
    });
  },
};

const vmSub = (sub: string): ApiResource => ({ name: `virtualmachines/${sub}`, singularName: '', namespaced: true, kind: 'VirtualMachine', verbs: ['update'] });
const vmiSub = (sub: string, verbs = ['update']): ApiResource => ({ name: `virtualmachineinstances/${sub}`, singularName: '', namespaced: true, kind: 'VirtualMachineInstance', verbs });

export function subresourcesApi(opts: { client: KubeClient; timing: SandboxTiming }, version: string): AggregatedApi {
  const { client } = opts;
  return {
    group: GROUP,
    version,
    resources: [
      ...Object.keys(vmHandlers).map(vmSub),
      ...['pause', 'unpause', 'softreboot', 'addvolume', 'removevolume'].map((s) => vmiSub(s)),
      ...['guestosinfo', 'vnc', 'console'].map((s) => vmiSub(s, ['get'])),
    ],
    async handle(req: Request, _caller: Caller, attrs: RequestAttributes): Promise<Response> {
      // The console websockets (vnc, console) are upgrades, handled apart from the JSON calls.
      if (attrs.resource === 'virtualmachineinstances' && (attrs.subresource === 'vnc' || attrs.subresource === 'console') && attrs.name && attrs.namespace) {
        if (req.method !== 'GET') return status(405, 'MethodNotAllowed', `${req.method} is not supported on ${attrs.resource}/${attrs.subresource}`);
        return consoleHandler(client, req, attrs.namespace, attrs.name, attrs.subresource);
      }
      const table = attrs.resource === 'virtualmachines' ? vmHandlers : attrs.resource === 'virtualmachineinstances' ? vmiHandlers : undefined;
      const handler = attrs.subresource ? table?.[attrs.subresource] : undefined;
      if (!handler || !attrs.name || !attrs.namespace) return status(404, 'NotFound', 'the server could not find the requested resource');
      const wantGet = attrs.subresource === 'guestosinfo';
      if ((req.method === 'GET') !== wantGet) return status(405, 'MethodNotAllowed', `${req.method} is not supported on ${attrs.resource}/${attrs.subresource}`);
      let body: Record<string, unknown> = {};
      const text = req.method === 'GET' ? '' : await req.text();
      if (text.trim()) {
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch (e) {
          return badRequest(`Can not unmarshal Request body to struct, error: ${(e as Error).message}`);
        }
      }
      // dryRun: validated like a real call, nothing written.
      const dryRun = Array.isArray(body.dryRun) && body.dryRun[0] === 'All';
      try {
        return await handler({ client: dryRun ? dryRunClient(client) : client, ns: attrs.namespace, name: attrs.name, body });
      } catch (e) {
        if (e instanceof Reply) return e.response;
        if (e instanceof KubeError) {
          if (e.code === 422 || e.code === 409) return conflict(attrs.resource === 'virtualmachines' ? 'virtualmachine' : 'virtualmachineinstance', attrs.name, e.message);
          return Response.json(e.toStatus(), { status: e.code });
        }
        return status(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      }
    },
  };
}

/** A client whose writes are server-side dry runs. */
function dryRunClient(client: KubeClient): KubeClient {
  return {
    ...client,
    create: (t, o, opts) => client.create(t, o, { ...opts, dryRun: true }),
    patch: (t, n, p, opts) => client.patch(t, n, p, { ...opts, dryRun: true }),
    patchStatus: (t, n, p, opts) => client.patchStatus(t, n, p, { ...opts, dryRun: true }),
  };
}
