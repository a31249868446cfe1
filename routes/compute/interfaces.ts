import { createRoute } from '@hono/zod-openapi';
import { badRequest, notFound } from '../../src/core/faults.ts';
import { netContext } from '../../src/network/context.ts';
import { type PortAttrs, type PortRec, labelSafe, portStatus } from '../../src/network/ports.ts';
import { bindPorts, makePorts, planNetworks, releasePort, vmNetworking } from '../../src/network/server-ports.ts';
import { KINDS, NL } from '../../src/network/store.ts';
import { type Ctx, authOf, router } from './common.ts';
import { accepted, body, json, ServerIdParam } from './schemas/common.ts';
import { InterfaceBody, InterfaceCreate, InterfaceList, InterfaceParam } from './schemas/interfaces.ts';
import { checkLock, loadServer } from './server-common.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { R } from '../../src/kube/index.ts';

// /servers/{id}/os-interface (nova attach_interfaces.py): the server's ports. Attaching adds a
// Multus interface to the VM (KubeVirt hotplugs bridge interfaces into a running VM whose
// rollout strategy allows live updates; otherwise on the next start); detaching removes it.

const tags = ['compute: interfaces'];
const list = createRoute({ method: 'get', path: '/servers/{server_id}/os-interface', tags, summary: 'List interfaces', request: { params: ServerIdParam }, responses: { 200: json(InterfaceList, 'Interfaces') } });
const show = createRoute({ method: 'get', path: '/servers/{server_id}/os-interface/{port_id}', tags, summary: 'Show an interface', request: { params: InterfaceParam }, responses: { 200: json(InterfaceBody, 'Interface') } });
const attach = createRoute({ method: 'post', path: '/servers/{server_id}/os-interface', tags, summary: 'Attach an interface', request: { params: ServerIdParam, ...body(InterfaceCreate) }, responses: { 200: json(InterfaceBody, 'Interface') } });
const detach = createRoute({ method: 'delete', path: '/servers/{server_id}/os-interface/{port_id}', tags, summary: 'Detach an interface', request: { params: InterfaceParam }, responses: { 202: accepted } });

const view = (p: PortRec) => ({
  port_state: portStatus(p.attrs),
  fixed_ips: p.attrs.fixed_ips,
  port_id: p.id,
  net_id: p.attrs.network_id,
  mac_addr: p.attrs.mac_address,
});

async function serverPorts(c: Ctx, s: ServerRecord): Promise<PortRec[]> {
  const ctx = netContext(c);
  return (await ctx.store.list<PortAttrs>(KINDS.port, `${NL.deviceId}=${labelSafe(s.id)}`)).filter((p) => p.attrs.device_id === s.id);
}

type Tpl = { metadata?: { labels?: Record<string, string | null> }; spec?: { domain?: { devices?: { interfaces?: { name: string; macAddress?: string }[] } }; networks?: { name: string }[] } };

export const interfaceRoutes = router()
  .openapi(list, async (c) => {
    const s = await loadServer(c, c.req.valid('param').server_id);
    return c.json({ interfaceAttachments: (await serverPorts(c, s)).map(view) }, 200);
  })
  .openapi(show, async (c) => {
    const { server_id, port_id } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    const p = (await serverPorts(c, s)).find((x) => x.id === port_id);
    if (!p) throw notFound(`Port ${port_id} is not attached`);
    return c.json({ interfaceAttachment: view(p) }, 200);
  })
  .openapi(attach, async (c) => {
    const s = await loadServer(c, c.req.valid('param').server_id);
    checkLock(c, s);
    const req = c.req.valid('json').interfaceAttachment ?? {};
    if (req.net_id && req.port_id) throw badRequest('Must not input both network_id and port_id');
    if (!req.net_id && !req.port_id) throw badRequest('A network or a port must be given: the pod network is attached at create only.');
    const ctx = netContext(c);
    const plan = await planNetworks(ctx, [{ uuid: req.net_id, port: req.port_id, fixed_ip: req.fixed_ips?.[0]?.ip_address }]);
    if (!plan.attachments.length) throw badRequest('The cluster pod network cannot be hot-plugged.');
    const { ports, made } = await makePorts(ctx, plan, authOf(c).projectId ?? '', []);
    const port = ports[0] as PortRec;
    const tpl = (s.vm.spec.template ?? {}) as Tpl;
    const existing = tpl.spec?.networks?.length ?? 0;
    const extra = vmNetworking(ports, new Map(plan.attachments.map((a) => [a.network.id, a.network])), []);
    const iface = { ...extra.interfaces[0], name: `net${existing + 1}` };
    const net = { ...extra.networks[0], name: `net${existing + 1}` };
    try {
      await authOf(c).kube.patch(R.virtualMachines, s.object, [
        { op: 'add', path: '/spec/template/spec/domain/devices/interfaces/-', value: iface },
        { op: 'add', path: '/spec/template/spec/networks/-', value: net },
      ], { namespace: s.namespace, type: 'json' });
      await authOf(c).kube.patch(R.virtualMachines, s.object, { spec: { template: { metadata: { labels: extra.labels } } } }, { namespace: s.namespace, type: 'merge' });
      await bindPorts(ctx, ports, made, s.id);
    } catch (err) {
      for (const p of made) await releasePort(ctx, p, true).catch(() => undefined);
      throw err;
    }
    return c.json({ interfaceAttachment: view({ ...port, attrs: { ...port.attrs, device_id: s.id, device_owner: 'compute:nova' } }) }, 200);
  })
  .openapi(detach, async (c) => {
    const { server_id, port_id } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    checkLock(c, s);
    const p = (await serverPorts(c, s)).find((x) => x.id === port_id);
    if (!p) throw notFound(`Port ${port_id} is not attached`);
    const tpl = (s.vm.spec.template ?? {}) as Tpl;
    const ifaces = tpl.spec?.domain?.devices?.interfaces ?? [];
    const name = ifaces.find((i) => i.macAddress === p.attrs.mac_address)?.name;
    if (name) {
      await authOf(c).kube.patch(
        R.virtualMachines,
        s.object,
        {
          spec: {
            template: {
              metadata: { labels: { [`port.openstack.dicot.io/${p.id}`]: null } },
              spec: { domain: { devices: { interfaces: ifaces.filter((i) => i.name !== name) } }, networks: (tpl.spec?.networks ?? []).filter((n) => n.name !== name) },
            },
          },
        },
        { namespace: s.namespace, type: 'merge' },
      );
    }
    await releasePort(netContext(c), p, p.obj.metadata.labels?.['openstack.dicot.io/server-port'] === 'nova');
    return c.body(null, 202);
  });
