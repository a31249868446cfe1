import type { VirtualMachine } from '../../src/compute/model.ts';
import { netContext } from '../../src/network/context.ts';
import { ensureInfra } from '../../src/network/networks.ts';
import type { PortRec } from '../../src/network/ports.ts';
import { removePort } from '../../src/network/ports.ts';
import { ensureDefaultGroup } from '../../src/network/security-groups.ts';
import { type NetworkRequest, type Plan, bindPorts, groupsByName, makePorts, planNetworks, vmNetworking } from '../../src/network/server-ports.ts';
import type { NetworkRec } from '../../src/network/networks.ts';
import type { Ctx } from './common.ts';

// Server create's side of networking: Nova's `networks` resolved by the network service,
// one port per tenant network per instance, the VM's Multus interfaces and labels, and the
// ports bound to the server once it exists (or removed when its create fails).

export interface ResolvedNetworks {
  /** What buildVm puts on the pod interface. */
  networks: 'pod' | 'none';
  plan: Plan | undefined;
}

export async function resolveNetworks(c: Ctx, requested: 'pod' | 'none', reqs: NetworkRequest[] | undefined): Promise<ResolvedNetworks> {
  if (requested === 'none' || !reqs?.length) return { networks: requested, plan: undefined };
  const ctx = netContext(c);
  await ensureInfra(ctx);
  const plan = await planNetworks(ctx, reqs);
  return { networks: plan.pod ? 'pod' : 'none', plan };
}

export interface InstanceNetworking {
  /** Adds the Multus interfaces and the port/group labels to the VM body. */
  apply(vm: VirtualMachine): void;
  /** Records the server on its ports. */
  bind(serverId: string): Promise<void>;
  /** Removes the ports this create made. */
  abort(): Promise<void>;
}

export async function instanceNetworking(c: Ctx, r: ResolvedNetworks, namespace: string, projectId: string, groupNames: string[]): Promise<InstanceNetworking> {
  const ctx = netContext(c);
  let groups: { id: string; object: string }[] = [];
  if (r.networks === 'pod' || r.plan?.attachments.length) {
    if (groupNames.includes('default')) await ensureDefaultGroup(ctx, projectId);
    groups = await groupsByName(ctx, namespace, groupNames);
  }
  let ports: PortRec[] = [];
  let made: PortRec[] = [];
  if (r.plan?.attachments.length) ({ ports, made } = await makePorts(ctx, r.plan, projectId, groups.map((g) => g.id)));
  const nets = new Map(r.plan?.attachments.map((a) => [a.network.id, a.network]) ?? []);
  const extra = vmNetworking(ports, nets as Map<string, NetworkRec>, groups);
  return {
    apply(vm) {
      type Tpl = { metadata?: { labels?: Record<string, string> }; spec?: { domain?: { devices?: { interfaces?: unknown[] } }; networks?: unknown[] } };
      const tpl = vm.spec.template as Tpl | undefined;
      if (!tpl) return;
      const spec = tpl.spec ?? {};
      const devices = spec.domain?.devices ?? {};
      tpl.metadata = { ...tpl.metadata, labels: { ...tpl.metadata?.labels, ...extra.labels } };
      tpl.spec = {
        ...spec,
        domain: { ...spec.domain, devices: { ...devices, interfaces: [...(devices.interfaces ?? []), ...extra.interfaces] } },
        networks: [...(spec.networks ?? []), ...extra.networks],
      };
    },
    bind: (serverId) => bindPorts(ctx, ports, made, serverId),
    abort: async () => {
      await Promise.all(made.map((p) => removePort(ctx, p).catch(() => undefined)));
    },
  };
}
