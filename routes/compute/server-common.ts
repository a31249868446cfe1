import { Flavors } from '../../src/compute/flavors.ts';
import { type Scope, Servers } from '../../src/compute/server-store.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { DEFAULT_ZONE, nodeZones } from '../../src/compute/zones.ts';
import { badRequest, conflict } from '../../src/core/faults.ts';
import { parseIp, formatIp } from '../../src/network/ip.ts';
import { netContext } from '../../src/network/context.ts';
import { serverAddresses } from '../../src/network/server-ports.ts';
import { type Ctx, authOf, callerNamespace, linksOf, versionOf } from './common.ts';
import type { ViewContext } from './views/servers.ts';

// What the server routes share: the caller's scope, the store, the view context.

/**
 * accessIPv4/accessIPv6 as Nova keeps them: validated (its schema's ipv4/ipv6 formats) and
 * stored in canonical text (an IPv6 address compressed, as Nova's IP column gives it back).
 */
export function accessIp(field: 'accessIPv4' | 'accessIPv6', value: string | undefined): string | undefined {
  if (value === undefined || value === '') return value;
  const ip = parseIp(value);
  if (!ip || ip.version !== (field === 'accessIPv4' ? 4 : 6)) throw badRequest(`Invalid input for field/attribute ${field}. Value: ${value}. '${value}' is not a '${field === 'accessIPv4' ? 'ipv4' : 'ipv6'}'`);
  return formatIp(ip);
}

/** Servers acting as the caller (Kubernetes RBAC decides what they may touch). */
export const serverStore = (c: Ctx) => new Servers(authOf(c).kube, c.get('region').kube);

/** Admins see every project's servers by id (Nova's default policy); others their project's. */
export async function scopeOf(c: Ctx, allTenants = authOf(c).isAdmin): Promise<Scope> {
  return allTenants ? { all: true } : { namespace: await callerNamespace(c) };
}

export async function loadServer(c: Ctx, id: string): Promise<ServerRecord> {
  return serverStore(c).require(await scopeOf(c), id);
}

export async function viewContext(c: Ctx): Promise<ViewContext> {
  const version = versionOf(c);
  const auth = authOf(c);
  const region = c.get('region').kube;
  const [zones, flavors, portAddresses] = await Promise.all([
    nodeZones(region),
    version.atLeast('2.47') ? new Flavors(region).list() : Promise.resolve([]),
    serverAddresses(netContext(c)),
  ]);
  return {
    version,
    isAdmin: auth.isAdmin,
    links: linksOf(c),
    flavors: new Map(flavors.map((f) => [f.id, f])),
    zoneOf: (node) => (node ? (zones.get(node) ?? DEFAULT_ZONE) : ''),
    portAddresses,
  };
}

/** Nova's check_instance_lock: a locked server refuses actions from non-admins. */
export function checkLock(c: Ctx, s: ServerRecord): void {
  if (s.lock.locked && !authOf(c).isAdmin) throw conflict(`Instance ${s.id} is locked`);
}

/** Nova's InstanceInvalidState wording. */
export function invalidState(s: ServerRecord, action: string): never {
  throw conflict(`Cannot '${action}' instance ${s.id} while it is in vm_state ${s.state.vmState}`);
}

/** Nova's check_instance_state: vm_state (and task_state) must be among the allowed. */
export function checkState(s: ServerRecord, action: string, vmStates: string[], taskStates: (string | null)[] = [null]): void {
  if (!vmStates.includes(s.state.vmState)) invalidState(s, action);
  if (!taskStates.includes(s.state.taskState)) {
    throw conflict(`Cannot '${action}' instance ${s.id} while it is in task_state ${s.state.taskState}`);
  }
}
