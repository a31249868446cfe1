import { createRoute, z } from '@hono/zod-openapi';
import { type KubeNode, MiB, isoMicros, quantityBytes } from '../../src/compute/model.ts';
import { nodeCapacity } from '../../src/compute/hosts.ts';
import { Servers } from '../../src/compute/server-store.ts';
import { listNodes, nodeReady, nodeSchedulable, nodeUptime, zoneOfNode } from '../../src/compute/zones.ts';
import { badRequest, notFound } from '../../src/core/faults.ts';
import { pageRequest, paginate } from '../../src/core/pagination.ts';
import { type Ctx, authOf, checkQuery, nextHref, queryOf, requireAdmin, router, strictBool, versionOf } from './common.ts';
import { AnyObject, json } from './schemas/common.ts';
import { Extensions, Hypervisor, HypervisorIdParam, HypervisorListQuery, HypervisorShowQuery, HypervisorStats, Hypervisors, Services, ServicesQuery, ZoneList } from './schemas/misc.ts';

// Availability zones (node zone labels), hypervisors and compute services (nodes; admins),
// and Nova's extension list. Nodes are read with the gateway's own client: Nova's policy
// (zones for everyone, hypervisors and services for admins) decides, not RBAC on nodes.

const tags = ['compute: infrastructure'];
const zones = createRoute({ method: 'get', path: '/os-availability-zone', tags, summary: 'List availability zones', responses: { 200: json(ZoneList, 'Zones') } });
const zonesDetail = createRoute({ method: 'get', path: '/os-availability-zone/detail', tags, summary: 'Availability zones with hosts (admin)', responses: { 200: json(ZoneList, 'Zones') } });
const hvList = createRoute({ method: 'get', path: '/os-hypervisors', tags, summary: 'List hypervisors (admin)', request: { query: HypervisorListQuery }, responses: { 200: json(Hypervisors, 'Hypervisors') } });
const hvDetail = createRoute({ method: 'get', path: '/os-hypervisors/detail', tags, summary: 'List hypervisors with details (admin)', request: { query: HypervisorListQuery }, responses: { 200: json(Hypervisors, 'Hypervisors') } });
const hvStats = createRoute({ method: 'get', path: '/os-hypervisors/statistics', tags, summary: 'Hypervisor statistics (admin)', responses: { 200: json(HypervisorStats, 'Statistics') } });
const hvShow = createRoute({ method: 'get', path: '/os-hypervisors/{id}', tags, summary: 'Show a hypervisor (admin)', request: { params: HypervisorIdParam, query: HypervisorShowQuery }, responses: { 200: json(Hypervisor, 'Hypervisor') } });
const PatternParam = z.object({ pattern: z.string().min(1) });
const hvSearch = createRoute({ method: 'get', path: '/os-hypervisors/{pattern}/search', tags, summary: 'Hypervisors by hostname substring (admin, up to 2.52)', request: { params: PatternParam }, responses: { 200: json(Hypervisors, 'Hypervisors') } });
const hvServers = createRoute({ method: 'get', path: '/os-hypervisors/{pattern}/servers', tags, summary: 'Hypervisors by hostname substring with their servers (admin, up to 2.52)', request: { params: PatternParam }, responses: { 200: json(Hypervisors, 'Hypervisors') } });
const hvUptime = createRoute({ method: 'get', path: '/os-hypervisors/{id}/uptime', tags, summary: 'Hypervisor uptime (admin; since the node became Ready)', request: { params: HypervisorIdParam }, responses: { 200: { description: 'Uptime' } } });
const services = createRoute({ method: 'get', path: '/os-services', tags, summary: 'List compute services (admin)', request: { query: ServicesQuery }, responses: { 200: json(Services, 'Services') } });
const extensionShow = createRoute({ method: 'get', path: '/extensions/{alias}', tags, summary: 'One extension by alias', request: { params: z.object({ alias: z.string().min(1) }) }, responses: { 200: json(z.object({ extension: AnyObject }), 'Extension') } });
const extensions = createRoute({ method: 'get', path: '/extensions', tags, summary: "Nova's extension list", responses: { 200: json(Extensions, 'Extensions') } });

const nodesOf = (c: Ctx) => listNodes(c.get('region').kube);
const sortedNodes = async (c: Ctx) => (await nodesOf(c)).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));

/** Below 2.53 hypervisor and service ids are integers: the node's position by name. */
const idOf = (c: Ctx, n: KubeNode, i: number): string | number => (versionOf(c).atLeast('2.53') ? (n.metadata.uid ?? '') : i + 1);

async function runningByNode(c: Ctx): Promise<Map<string, Usage>> {
  const list = await new Servers(authOf(c).kube, c.get('region').kube).list({ all: true });
  const out = new Map<string, Usage>();
  for (const s of list) {
    if (!s.node) continue;
    const e = out.get(s.node) ?? { vms: 0, vcpus: 0, ram: 0, servers: [] };
    e.vms += 1;
    const cpu = (s.vmi?.spec.domain as { cpu?: { sockets?: number; cores?: number; threads?: number } } | undefined)?.cpu;
    e.vcpus += (cpu?.sockets ?? 1) * (cpu?.cores ?? 1) * (cpu?.threads ?? 1);
    e.ram += Math.round((quantityBytes((s.vmi?.spec.domain as { memory?: { guest?: string } } | undefined)?.memory?.guest) ?? 0) / MiB);
    e.servers.push({ uuid: s.id, name: s.object });
    out.set(s.node, e);
  }
  return out;
}

type Usage = { vms: number; vcpus: number; ram: number; servers: { uuid: string; name: string }[] };

/** `with_servers` (2.53): a strict boolean; below 2.53 the parameter does not exist. */
function withServers(c: Ctx): boolean {
  const raw = queryOf(c).get('with_servers');
  return raw !== null && versionOf(c).atLeast('2.53') && strictBool(raw, 'with_servers');
}

/**
 * A hypervisor's `servers` (2.53, with_servers=true): below 2.75 only when the node runs some;
 * from 2.75 always, an empty list included.
 */
function serversOf(c: Ctx, usage: Usage | undefined): { servers?: { uuid: string; name: string }[] } {
  const list = usage?.servers ?? [];
  return list.length || versionOf(c).atLeast('2.75') ? { servers: list } : {};
}

/** The nodes whose name contains `pattern` (Nova's LIKE %pattern%), by position; 404 when none (the APIs before 2.53). */
async function matching(c: Ctx, pattern: string, rule: string): Promise<[KubeNode, number][]> {
  if (versionOf(c).atLeast('2.53')) throw notFound('The resource could not be found.');
  requireAdmin(authOf(c), `os_compute_api:os-hypervisors:${rule}`);
  const found = (await sortedNodes(c)).map((n, i) => [n, i] as [KubeNode, number]).filter(([n]) => (n.metadata.name ?? '').includes(pattern));
  if (!found.length) throw notFound(`No hypervisor matching '${pattern}' could be found.`);
  return found;
}

/** List parameters: paging by id (2.33), hostname pattern (2.53; a substring, like Nova's). */
function listedNodes(c: Ctx, nodes: KubeNode[]): { nodes: [KubeNode, number][]; next: string | undefined } {
  const all = nodes.map((n, i) => [n, i] as [KubeNode, number]);
  if (!versionOf(c).atLeast('2.33')) return { nodes: all, next: undefined };
  const q = queryOf(c);
  const pattern = versionOf(c).atLeast('2.53') ? q.get('hypervisor_hostname_pattern') : null;
  if (pattern !== null) {
    if (q.has('limit') || q.has('marker')) throw badRequest('Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
    const found = all.filter(([n]) => (n.metadata.name ?? '').includes(pattern));
    if (!found.length) throw notFound(`No hypervisor matching '${pattern}' could be found.`);
    return { nodes: found, next: undefined };
  }
  const page = paginate(all, pageRequest(q), ([n, i]) => String(idOf(c, n, i)), (m) => badRequest(`marker [${m}] not found`));
  return { nodes: page.items, next: page.next };
}

const hvLinks = (c: Ctx, next: string | undefined) => {
  const href = nextHref(c, next);
  return href ? { hypervisors_links: [{ rel: 'next', href }] } : {};
};

function hypervisor(c: Ctx, n: KubeNode, i: number, detail: boolean, usage?: { vms: number; vcpus: number; ram: number }) {
  const name = n.metadata.name ?? '';
  const base = { id: idOf(c, n, i), hypervisor_hostname: name, state: nodeReady(n) ? 'up' : 'down', status: nodeSchedulable(n) ? 'enabled' : 'disabled' };
  if (!detail) return base;
  const { vcpus, memoryMb: memory, diskGb: disk } = nodeCapacity(n);
  const info = n.status?.nodeInfo ?? {};
  const cpuInfo = { arch: info.architecture ?? 'x86_64', model: 'host-model', vendor: 'KubeVirt', features: [], topology: { cores: vcpus, cells: 1, threads: 1, sockets: 1 } };
  return {
    ...base,
    cpu_info: versionOf(c).atLeast('2.28') ? cpuInfo : JSON.stringify(cpuInfo),
    current_workload: 0,
    disk_available_least: disk,
    free_disk_gb: disk,
    free_ram_mb: memory - (usage?.ram ?? 0),
    host_ip: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
    hypervisor_type: 'KubeVirt',
    hypervisor_version: 1009000,
    local_gb: disk,
    local_gb_used: 0,
    memory_mb: memory,
    memory_mb_used: usage?.ram ?? 0,
    running_vms: usage?.vms ?? 0,
    service: { host: name, id: idOf(c, n, i), disabled_reason: null },
    vcpus,
    vcpus_used: usage?.vcpus ?? 0,
  };
}

const EXTENSIONS: [string, string, string][] = [
  ['AccessIPs', 'os-access-ips', 'Access IPs support.'],
  ['AdminActions', 'os-admin-actions', 'Enable admin-only server actions.'],
  ['Aggregates', 'os-aggregates', 'Admin-only aggregate administration.'],
  ['AvailabilityZone', 'os-availability-zone', '1. Add availability_zone to the Create Server API. 2. Add availability zones describing.'],
  ['ConfigDrive', 'os-config-drive', 'Config Drive Extension.'],
  ['ConsoleOutput', 'os-console-output', 'Console log output support, with tailing ability.'],
  ['Consoles', 'os-consoles', 'Interactive Console support.'],
  ['DiskConfig', 'OS-DCF', 'Disk Management Extension.'],
  ['ExtendedAvailabilityZone', 'OS-EXT-AZ', 'Extended Availability Zone support.'],
  ['ExtendedServerAttributes', 'OS-EXT-SRV-ATTR', 'Extended Server Attributes support.'],
  ['ExtendedStatus', 'OS-EXT-STS', 'Extended Status support.'],
  ['ExtendedVolumes', 'os-extended-volumes', 'Extended Volumes support.'],
  ['FlavorAccess', 'os-flavor-access', 'Flavor access support.'],
  ['FlavorExtraData', 'OS-FLV-EXT-DATA', 'Provide additional data for flavors.'],
  ['FlavorExtraSpecs', 'os-flavor-extra-specs', 'Flavors extra specs support.'],
  ['FlavorManage', 'os-flavor-manage', 'Flavor create/delete API support.'],
  ['FlavorDisabled', 'OS-FLV-DISABLED', 'Support to show the disabled status of a flavor.'],
  ['Hosts', 'os-hosts', 'Admin-only host administration.'],
  ['Hypervisors', 'os-hypervisors', 'Admin-only hypervisor administration.'],
  ['InstanceActions', 'os-instance-actions', 'View a log of actions and events taken on an instance.'],
  ['Keypairs', 'os-keypairs', 'Keypair Support.'],
  ['Lock', 'os-lock-server', 'Enable lock/unlock server actions.'],
  ['Migrations', 'os-migrations', 'Provide data on migrations.'],
  ['MigrateServer', 'os-migrate-server', 'Enable migrate and live-migrate server actions.'],
  ['MultipleCreate', 'os-multiple-create', 'Allow multiple create in the Create Server v2.1 API.'],
  ['PauseServer', 'os-pause-server', 'Enable pause/unpause server actions.'],
  ['Quotas', 'os-quota-sets', 'Quotas management support.'],
  ['RemoteConsoles', 'os-remote-consoles', 'Interactive Console support.'],
  ['ServerGroups', 'os-server-groups', 'Server group support.'],
  ['ServerUsage', 'OS-SRV-USG', 'Adds launched_at and terminated_at on Servers.'],
  ['Services', 'os-services', 'Services support.'],
  ['Shelve', 'os-shelve', 'Instance shelve mode.'],
  ['SimpleTenantUsage', 'os-simple-tenant-usage', 'Simple tenant usage extension.'],
  ['SuspendServer', 'os-suspend-server', 'Enable suspend/resume server actions.'],
  ['UserData', 'os-user-data', 'Add user_data to the Create Server API.'],
];

const extension = ([name, alias, description]: [string, string, string]) => ({ name, alias, description, links: [] as string[], namespace: 'http://docs.openstack.org/compute/ext/fake_xml', updated: '2014-12-03T00:00:00Z' });

export const infrastructureRoutes = router()
  .openapi(zones, async (c) => {
    const names = [...new Set((await nodesOf(c)).map(zoneOfNode))].sort();
    return c.json({ availabilityZoneInfo: names.map((zoneName) => ({ zoneName, zoneState: { available: true }, hosts: null })) }, 200);
  })
  .openapi(zonesDetail, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-availability-zone:detail');
    const byZone = new Map<string, KubeNode[]>();
    for (const n of await nodesOf(c)) byZone.set(zoneOfNode(n), [...(byZone.get(zoneOfNode(n)) ?? []), n]);
    const now = isoMicros(Date.now());
    const info = [...byZone.entries()].sort().map(([zoneName, nodes]) => ({
      zoneName,
      zoneState: { available: nodes.some(nodeReady) },
      hosts: Object.fromEntries(nodes.map((n) => [n.metadata.name ?? '', { 'nova-compute': { available: nodeReady(n) && nodeSchedulable(n), active: nodeSchedulable(n), updated_at: now } }])),
    }));
    return c.json({ availabilityZoneInfo: info }, 200);
  })
  .openapi(hvList, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-hypervisors:list');
    // Nova's 2.53 schemas already forbid other parameters.
    checkQuery(c, HypervisorListQuery, '2.53');
    const servers = withServers(c);
    const [all, usage] = await Promise.all([sortedNodes(c), servers ? runningByNode(c) : undefined]);
    const { nodes, next } = listedNodes(c, all);
    const list = nodes.map(([n, i]) => ({ ...hypervisor(c, n, i, false), ...(usage ? serversOf(c, usage.get(n.metadata.name ?? '')) : {}) }));
    return c.json({ hypervisors: list, ...hvLinks(c, next) }, 200);
  })
  .openapi(hvDetail, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-hypervisors:list-detail');
    // Nova's 2.53 schemas already forbid other parameters.
    checkQuery(c, HypervisorListQuery, '2.53');
    const servers = withServers(c);
    const [all, usage] = await Promise.all([sortedNodes(c), runningByNode(c)]);
    const { nodes, next } = listedNodes(c, all);
    const list = nodes.map(([n, i]) => {
      const u = usage.get(n.metadata.name ?? '');
      return { ...hypervisor(c, n, i, true, u), ...(servers ? serversOf(c, u) : {}) };
    });
    return c.json({ hypervisors: list, ...hvLinks(c, next) }, 200);
  })
  .openapi(hvStats, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-hypervisors:statistics');
    const [nodes, usage] = await Promise.all([sortedNodes(c), runningByNode(c)]);
    const all = nodes.map((n, i) => hypervisor(c, n, i, true, usage.get(n.metadata.name ?? '')) as Record<string, unknown>);
    const sum = (k: string) => all.reduce((t, h) => t + (Number(h[k]) || 0), 0);
    const keys = ['vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'current_workload', 'running_vms', 'disk_available_least'];
    return c.json({ hypervisor_statistics: { count: all.length, ...Object.fromEntries(keys.map((k) => [k, sum(k)])) } }, 200);
  })
  .openapi(hvShow, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-hypervisors:show');
    checkQuery(c, HypervisorShowQuery, '2.53');
    const id = c.req.valid('param').id;
    const [nodes, usage] = await Promise.all([sortedNodes(c), runningByNode(c)]);
    const i = nodes.findIndex((n, idx) => String(idOf(c, n, idx)) === id);
    const node = nodes[i];
    if (!node) throw notFound(`Hypervisor with ID ${id} could not be found.`);
    const u = usage.get(node.metadata.name ?? '');
    return c.json({ hypervisor: { ...hypervisor(c, node, i, true, u), ...(withServers(c) ? serversOf(c, u) : {}) } }, 200);
  })
  .openapi(hvSearch, async (c) => {
    const found = await matching(c, c.req.valid('param').pattern, 'search');
    return c.json({ hypervisors: found.map(([n, i]) => hypervisor(c, n, i, false)) }, 200);
  })
  .openapi(hvServers, async (c) => {
    const [found, usage] = await Promise.all([matching(c, c.req.valid('param').pattern, 'servers'), runningByNode(c)]);
    return c.json({ hypervisors: found.map(([n, i]) => ({ ...hypervisor(c, n, i, false), ...serversOf(c, usage.get(n.metadata.name ?? '')) })) }, 200);
  })
  .openapi(hvUptime, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-hypervisors:uptime');
    const id = c.req.valid('param').id;
    const nodes = await sortedNodes(c);
    const i = nodes.findIndex((n, idx) => String(idOf(c, n, idx)) === id);
    const node = nodes[i];
    if (!node) throw notFound(`Hypervisor with ID ${id} could not be found.`);
    // Nova's answer for a host whose compute service is down (here: a node that is not Ready).
    const uptime = nodeUptime(node, Date.now());
    if (uptime === null) throw badRequest(`Compute service of ${node.metadata.name} is unavailable at this time.`);
    return c.json({ hypervisor: { ...hypervisor(c, node, i, false), uptime } }, 200);
  })
  .openapi(services, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-services:list');
    checkQuery(c, ServicesQuery);
    const now = isoMicros(Date.now());
    const v = versionOf(c);
    const q = queryOf(c);
    const host = q.get('host');
    const binary = q.get('binary');
    const all = (await sortedNodes(c)).map((n, i) => ({
      id: idOf(c, n, i),
      binary: 'nova-compute',
      host: n.metadata.name ?? '',
      zone: zoneOfNode(n),
      status: nodeSchedulable(n) ? 'enabled' : 'disabled',
      state: nodeReady(n) ? 'up' : 'down',
      updated_at: now,
      disabled_reason: null,
      ...(v.atLeast('2.11') ? { forced_down: false } : {}),
    }));
    const list = all.filter((s) => (host === null || s.host === host) && (binary === null || s.binary === binary));
    return c.json({ services: list }, 200);
  })
  .openapi(extensions, (c) => c.json({ extensions: EXTENSIONS.map(extension) }, 200))
  .openapi(extensionShow, (c) => {
    const alias = c.req.valid('param').alias;
    const found = EXTENSIONS.find((e) => e[1] === alias);
    if (!found) throw notFound(`Extension with alias ${alias} does not exist`);
    return c.json({ extension: extension(found) }, 200);
  });
