import { badRequest } from '../core/faults.ts';
import { slug } from '../core/names.ts';
import { AlreadyExistsError } from '../kube/index.ts';
import { type NetContext, isOwner, nfault, targetProject, writer } from './context.ts';
import { formatCidr, parseCidr } from './ip.ts';
import { assertOwner } from './networks.ts';
import type { View } from './query.ts';
import { type Attrs, KINDS, NL, type Rec, standardFields } from './store.ts';
import { type Body, onlyKeys, str } from './validate.ts';

// Security groups: one NetworkPolicy per group in the project's namespace, selecting the VMs
// labelled with the group (sg.openstack.dicot.io/<policy name>). The Neutron rules are kept
// in the policy's annotation (with their ids) and mapped into its ingress/egress rules.

export interface Rule {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  description: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
}

export interface GroupAttrs extends Attrs {
  name: string;
  description: string;
  rules: Rule[];
  tags: string[];
  stateful: boolean;
}

export type GroupRec = Rec<GroupAttrs>;

export const DEFAULT_GROUP_OBJECT = 'sg-default';
export const groupNotFound = (id: string) => nfault(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`);
export const ruleNotFound = (id: string) => nfault(404, 'SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`);

export function ruleView(g: GroupRec, r: Rule): View {
  return {
    id: r.id,
    tenant_id: g.projectId,
    project_id: g.projectId,
    security_group_id: g.id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    remote_group_id: r.remote_group_id,
    remote_address_group_id: null,
    normalized_cidr: normalizedCidr(r.remote_ip_prefix),
    description: r.description ?? '',
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision_number: r.revision_number ?? 0,
    tags: [],
  };
}

export function groupView(g: GroupRec): View {
  return {
    ...standardFields(g),
    name: g.attrs.name,
    stateful: g.attrs.stateful ?? true,
    shared: false,
    security_group_rules: (g.attrs.rules ?? []).map((r) => ruleView(g, r)),
  };
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const newRule = (r: Omit<Rule, 'id' | 'created_at' | 'updated_at' | 'revision_number' | 'description'> & { description?: string }): Rule => ({
  id: crypto.randomUUID(),
  description: '',
  created_at: now(),
  updated_at: now(),
  revision_number: 0,
  ...r,
});

const open = (direction: 'ingress' | 'egress', ethertype: 'IPv4' | 'IPv6', remote_group_id: string | null = null) =>
  newRule({ direction, ethertype, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id });

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, 'ipv6-icmp': 58, sctp: 132, ah: 51, esp: 50, gre: 47, dccp: 33, igmp: 2, 'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89, pgm: 113, rsvp: 46, udplite: 136, vrrp: 112, any: 0 };
const PORTED = ['tcp', 'udp', 'sctp', 'dccp', 'udplite', '6', '17', '132', '33', '136'];
const ICMP = ['icmp', 'icmpv6', 'ipv6-icmp', '1', '58'];

function label(g: GroupRec | { object: string }) {
  return `${NL.sgPrefix}${g.object}`;
}

/** Pure: a prefix as its network (`10.2.3.124/24` → `10.2.3.0/24`), null for none. */
export function normalizedCidr(prefix: string | null): string | null {
  const c = prefix === null ? undefined : parseCidr(prefix);
  return c ? formatCidr(c) : prefix;
}

/** The NetworkPolicy spec of a group's rules. Protocols NetworkPolicy cannot name are left out (not allowed). */
export function policySpec(object: string, namespace: string, rules: Rule[], groups: Map<string, { object: string; namespace: string }>) {
  const peerOf = (r: Rule) => {
    if (r.remote_ip_prefix) return [{ ipBlock: { cidr: normalizedCidr(r.remote_ip_prefix) as string } }];
    if (r.remote_group_id) {
      const g = groups.get(r.remote_group_id);
      if (!g) return [];
      return [{ podSelector: { matchLabels: { [label(g)]: 'true' } }, ...(g.namespace !== namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': g.namespace } } } : {}) }];
    }
    return undefined;
  };
  const portsOf = (r: Rule) => {
    const p = r.protocol?.toLowerCase() ?? null;
    if (p === null || p === 'any' || p === '0') return undefined;
    const name = p === '6' ? 'tcp' : p === '17' ? 'udp' : p === '132' ? 'sctp' : p;
    if (!['tcp', 'udp', 'sctp'].includes(name)) return null;
    const protocol = name.toUpperCase();
    if (r.port_range_min === null) return [{ protocol }];
    return [{ protocol, port: r.port_range_min, ...(r.port_range_max !== null && r.port_range_max !== r.port_range_min ? { endPort: r.port_range_max } : {}) }];
  };
  const build = (dir: 'ingress' | 'egress') =>
    rules
      .filter((r) => r.direction === dir)
      .flatMap((r) => {
        const ports = portsOf(r);
        const peers = peerOf(r);
        if (ports === null || (peers && !peers.length)) return [];
        return [{ ...(peers ? { [dir === 'ingress' ? 'from' : 'to']: peers } : {}), ...(ports ? { ports } : {}) }];
      });
  return {
    spec: {
      podSelector: { matchLabels: { [label({ object })]: 'true' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: build('ingress'),
      egress: build('egress'),
    },
  };
}

export async function findGroups(ctx: NetContext): Promise<GroupRec[]> {
  return ctx.store.list<GroupAttrs>(KINDS.security_group);
}

async function groupIndex(ctx: NetContext, extra: GroupRec[] = []) {
  const all = [...(await findGroups(ctx)), ...extra];
  return new Map(all.map((g) => [g.id, { object: g.object, namespace: g.namespace }]));
}

/** The project's `default` group, made with Neutron's four rules on first use (one name, so replicas agree). */
export async function ensureDefaultGroup(ctx: NetContext, projectId: string): Promise<string> {
  const namespace = await ctx.namespaceOf(projectId);
  const existing = (await ctx.store.list<GroupAttrs>(KINDS.security_group, undefined, namespace)).find((g) => g.object === DEFAULT_GROUP_OBJECT);
  if (existing) return existing.id;
  try {
    const g = await ctx.store.create<GroupAttrs>(
      KINDS.security_group,
      ctx.gw,
      { name: 'default', description: 'Default security group', rules: [], tags: [], stateful: true },
      { namespace, name: DEFAULT_GROUP_OBJECT, projectId, body: policySpec(DEFAULT_GROUP_OBJECT, namespace, [], new Map()) },
    );
    // The ingress rules name the group itself, whose id exists only now.
    await ctx.store.update(KINDS.security_group, ctx.gw, g, (cur) => {
      const rules = [open('ingress', 'IPv4', cur.id), open('ingress', 'IPv6', cur.id), open('egress', 'IPv4'), open('egress', 'IPv6')];
      return { attrs: { ...cur.attrs, rules }, body: policySpec(cur.object, namespace, rules, new Map([[cur.id, { object: cur.object, namespace }]])) };
    });
    return g.id;
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const again = (await ctx.store.list<GroupAttrs>(KINDS.security_group, undefined, namespace)).find((g) => g.object === DEFAULT_GROUP_OBJECT);
    return again?.id ?? '';
  }
}

export async function visibleGroup(ctx: NetContext, id: string): Promise<GroupRec> {
  const g = await ctx.store.find<GroupAttrs>(KINDS.security_group, id);
  if (!g || !isOwner(ctx, g)) throw groupNotFound(id);
  return g;
}

export async function createGroup(ctx: NetContext, b: Body): Promise<GroupRec> {
  onlyKeys(b, ['name', 'description', 'tenant_id', 'project_id', 'stateful', 'tags'], 'security_group');
  const projectId = targetProject(ctx, b);
  const name = str(b, 'name') ?? '';
  if (name === 'default') throw nfault(409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
  await ensureDefaultGroup(ctx, projectId);
  const namespace = await ctx.namespaceOf(projectId);
  const object = `sg-${slug(name, 30, 'group')}-${crypto.randomUUID().slice(0, 6)}`;
  const rules = [open('egress', 'IPv4'), open('egress', 'IPv6')];
  return ctx.store.create<GroupAttrs>(
    KINDS.security_group,
    writer(ctx, projectId),
    { name, description: str(b, 'description') ?? '', rules, tags: [], stateful: b.stateful !== false },
    { namespace, name: object, projectId, body: policySpec(object, namespace, rules, new Map()) },
  );
}

export async function updateGroup(ctx: NetContext, id: string, b: Body): Promise<GroupRec> {
  const g = await visibleGroup(ctx, id);
  assertOwner(ctx, g, 'security_group');
  onlyKeys(b, ['name', 'description', 'stateful'], 'security_group');
  const name = str(b, 'name');
  if (g.object === DEFAULT_GROUP_OBJECT && name !== undefined && name !== 'default') throw nfault(409, 'SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
  if (g.object !== DEFAULT_GROUP_OBJECT && name === 'default') throw nfault(409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
  return ctx.store.update(KINDS.security_group, writer(ctx, g.projectId), g, (cur) => ({
    attrs: { ...cur.attrs, name: name ?? cur.attrs.name, description: str(b, 'description') ?? cur.attrs.description },
  }));
}

export async function deleteGroup(ctx: NetContext, id: string, inUse: (groupId: string) => Promise<boolean>): Promise<void> {
  const g = await visibleGroup(ctx, id);
  assertOwner(ctx, g, 'security_group');
  if (g.object === DEFAULT_GROUP_OBJECT && !ctx.caller.isAdmin) throw nfault(409, 'SecurityGroupCannotRemoveDefault', 'Removing default security group not allowed.');
  if (await inUse(g.id)) throw nfault(409, 'SecurityGroupInUse', `Security Group ${id} in use.`);
  await ctx.store.remove(KINDS.security_group, writer(ctx, g.projectId), g);
  // Rules naming the group as their remote group go with it, as in Neutron.
  const peers = (await findGroups(ctx)).filter((x) => x.id !== g.id && (x.attrs.rules ?? []).some((r) => r.remote_group_id === g.id));
  if (!peers.length) return;
  const index = await groupIndex(ctx);
  for (const peer of peers) {
    await ctx.store.update(KINDS.security_group, writer(ctx, peer.projectId), peer, (cur) => {
      const rules = cur.attrs.rules.filter((r) => r.remote_group_id !== g.id);
      return { attrs: { ...cur.attrs, rules }, body: policySpec(cur.object, cur.namespace, rules, index) };
    });
  }
}

function portValue(v: unknown, key: string): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`Invalid input for ${key}. Reason: '${String(v)}' is not an integer.`);
  return n;
}

/** A rule from a request, checked as Neutron checks it. */
export function parseRule(b: Body): Omit<Rule, 'id' | 'created_at' | 'updated_at' | 'revision_number'> {
  const direction = b.direction;
  if (direction !== 'ingress' && direction !== 'egress') throw badRequest(`Invalid input for direction. Reason: ${String(direction)} is not in valid_values.`);
  const ethertype = b.ethertype ?? 'IPv4';
  if (ethertype !== 'IPv4' && ethertype !== 'IPv6') throw badRequest(`Invalid input for ethertype. Reason: ${String(ethertype)} is not in ['IPv4', 'IPv6'].`);
  let protocol: string | null = null;
  if (b.protocol !== undefined && b.protocol !== null) {
    const p = String(b.protocol).toLowerCase();
    if (/^\d+$/.test(p)) {
      if (Number(p) > 255) throw nfault(400, 'SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${p} not supported. Only protocol values [${Object.keys(PROTOCOLS).join(', ')}] and integer representations [0 to 255] are supported.`);
    } else if (!(p in PROTOCOLS)) {
      throw nfault(400, 'SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${p} not supported. Only protocol values [${Object.keys(PROTOCOLS).join(', ')}] and integer representations [0 to 255] are supported.`);
    }
    protocol = String(b.protocol);
  }
  const min = portValue(b.port_range_min, 'port_range_min');
  const max = portValue(b.port_range_max, 'port_range_max');
  const p = protocol?.toLowerCase() ?? null;
  if (p !== null && PORTED.includes(p)) {
    for (const v of [min, max]) if (v !== null && (v < 0 || v > 65535)) throw nfault(400, 'SecurityGroupInvalidPortValue', `Invalid value for port ${v}.`);
    if (min === null && max !== null) throw nfault(400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
    if (min !== null && max !== null && min > max) throw nfault(400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
  } else if (p !== null && ICMP.includes(p)) {
    if (min !== null && (min < 0 || min > 255)) throw nfault(400, 'SecurityGroupInvalidIcmpValue', `Invalid value for ICMP type (port_range_min): ${min}. It must be 0 to 255.`);
    if (max !== null && (max < 0 || max > 255)) throw nfault(400, 'SecurityGroupInvalidIcmpValue', `Invalid value for ICMP code (port_range_max): ${max}. It must be 0 to 255.`);
    if (min === null && max !== null) throw nfault(400, 'SecurityGroupMissingIcmpType', `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`);
  } else if (min !== null || max !== null) {
    if (p === null) throw nfault(400, 'SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.');
    throw nfault(400, 'SecurityGroupInvalidProtocolForPort', `Ports cannot be specified for protocol ${protocol}.`);
  }
  let prefix: string | null = null;
  if (b.remote_ip_prefix !== undefined && b.remote_ip_prefix !== null) {
    const c = typeof b.remote_ip_prefix === 'string' && /^[0-9a-fA-F:.]+(\/\d+)?$/.test(b.remote_ip_prefix) ? parseCidr(b.remote_ip_prefix) : undefined;
    if (!c) throw badRequest(`Invalid input for remote_ip_prefix. Reason: '${String(b.remote_ip_prefix)}' is not a valid IP subnet.`);
    if (c.version !== (ethertype === 'IPv4' ? 4 : 6)) throw nfault(400, 'SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${b.remote_ip_prefix}`);
    // A prefix is kept as given (its network is normalized_cidr); an address becomes a /32 or /128.
    prefix = String(b.remote_ip_prefix).includes('/') ? String(b.remote_ip_prefix) : formatCidr(c);
  }
  const remoteGroup = b.remote_group_id === undefined || b.remote_group_id === null ? null : String(b.remote_group_id);
  if (prefix && remoteGroup) throw nfault(400, 'SecurityGroupRemoteGroupAndRemoteIpPrefix', 'Only remote_ip_prefix or remote_group_id may be provided.');
  return {
    direction,
    ethertype,
    protocol,
    port_range_min: min,
    port_range_max: p !== null && PORTED.includes(p) && min !== null && max === null ? min : max,
    remote_ip_prefix: prefix,
    remote_group_id: remoteGroup,
    description: str(b, 'description') ?? '',
  };
}

const sameRule = (a: Omit<Rule, 'id' | 'created_at' | 'updated_at' | 'revision_number' | 'description'>, b: Rule) =>
  a.direction === b.direction &&
  a.ethertype === b.ethertype &&
  (a.protocol ?? '').toLowerCase() === (b.protocol ?? '').toLowerCase() &&
  a.port_range_min === b.port_range_min &&
  a.port_range_max === b.port_range_max &&
  normalizedCidr(a.remote_ip_prefix) === normalizedCidr(b.remote_ip_prefix) &&
  a.remote_group_id === b.remote_group_id;

export async function createRule(ctx: NetContext, b: Body): Promise<{ group: GroupRec; rule: Rule }> {
  onlyKeys(b, ['security_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix', 'remote_group_id', 'remote_address_group_id', 'description', 'tenant_id', 'project_id'], 'security_group_rule');
  if (typeof b.security_group_id !== 'string') throw badRequest("Failed to parse request. Required attribute 'security_group_id' not specified");
  const parsed = parseRule(b);
  const groups = await findGroups(ctx);
  const g = groups.find((x) => x.id === b.security_group_id && isOwner(ctx, x));
  if (!g) throw groupNotFound(b.security_group_id);
  if (parsed.remote_group_id && !groups.some((x) => x.id === parsed.remote_group_id && isOwner(ctx, x))) throw groupNotFound(parsed.remote_group_id);
  const index = new Map(groups.map((x) => [x.id, { object: x.object, namespace: x.namespace }]));
  const rule = newRule(parsed);
  const updated = await ctx.store.update(KINDS.security_group, writer(ctx, g.projectId), g, (cur) => {
    const dup = cur.attrs.rules.find((r) => sameRule(parsed, r));
    if (dup) throw nfault(409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${dup.id}.`);
    const rules = [...cur.attrs.rules, rule];
    return { attrs: { ...cur.attrs, rules }, body: policySpec(cur.object, cur.namespace, rules, index) };
  });
  return { group: updated, rule };
}

export async function findRule(ctx: NetContext, id: string): Promise<{ group: GroupRec; rule: Rule }> {
  for (const g of await findGroups(ctx)) {
    const rule = (g.attrs.rules ?? []).find((r) => r.id === id);
    if (rule && isOwner(ctx, g)) return { group: g, rule };
  }
  throw ruleNotFound(id);
}

export async function deleteRule(ctx: NetContext, id: string): Promise<void> {
  const { group } = await findRule(ctx, id);
  const index = await groupIndex(ctx);
  await ctx.store.update(KINDS.security_group, writer(ctx, group.projectId), group, (cur) => {
    if (!cur.attrs.rules.some((r) => r.id === id)) throw ruleNotFound(id);
    const rules = cur.attrs.rules.filter((r) => r.id !== id);
    return { attrs: { ...cur.attrs, rules }, body: policySpec(cur.object, cur.namespace, rules, index) };
  });
}

export const groupLabel = label;
