// IPv4 and IPv6 address arithmetic on bigints: parsing, canonical text, CIDR membership,
// overlap, and the default allocation pool of a subnet. Pure; no Kubernetes here.

export type IpVersion = 4 | 6;

export interface Ip {
  version: IpVersion;
  value: bigint;
}

export interface Cidr {
  version: IpVersion;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

const bitsOf = (v: IpVersion) => (v === 4 ? 32 : 128);

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    n = n * 256n + BigInt(p);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let tail4: bigint | undefined;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    text = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0] as string);
  const tail = halves.length === 2 ? group(halves[1] as string) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(`0x${g}`);
  }
  if (tail4 !== undefined) n = (n >> 32n << 32n) | tail4;
  return n;
}

export function parseIp(s: string): Ip | undefined {
  if (typeof s !== 'string') return undefined;
  if (s.includes(':')) {
    const value = parseV6(s);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseV4(s);
  return value === undefined ? undefined : { version: 4, value };
}

/** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIp(ip: Ip): string {
  if (ip.version === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export const normalizeIp = (s: string): string | undefined => {
  const ip = parseIp(s);
  return ip ? formatIp(ip) : undefined;
};

const mask = (v: IpVersion, prefix: number) => ((1n << BigInt(bitsOf(v))) - 1n) ^ ((1n << BigInt(bitsOf(v) - prefix)) - 1n);

/** A CIDR; `strict` rejects host bits set (Neutron accepts and normalizes them for subnets). */
export function parseCidr(s: string): Cidr | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m) {
    const ip = parseIp(s);
    return ip ? { version: ip.version, base: ip.value, prefix: bitsOf(ip.version) } : undefined;
  }
  const ip = parseIp(m[1] as string);
  const prefix = Number(m[2]);
  if (!ip || prefix > bitsOf(ip.version)) return undefined;
  return { version: ip.version, base: ip.value & mask(ip.version, prefix), prefix };
}

export const formatCidr = (c: Cidr) => `${formatIp({ version: c.version, value: c.base })}/${c.prefix}`;
export const cidrSize = (c: Cidr) => 1n << BigInt(bitsOf(c.version) - c.prefix);
export const lastOf = (c: Cidr) => c.base + cidrSize(c) - 1n;

export const contains = (c: Cidr, ip: Ip) => ip.version === c.version && ip.value >= c.base && ip.value <= lastOf(c);
export const overlaps = (a: Cidr, b: Cidr) => a.version === b.version && a.base <= lastOf(b) && b.base <= lastOf(a);

export interface Pool {
  start: string;
  end: string;
}

/**
 * Neutron's default pools: every host address of the CIDR but the network address (and the
 * IPv4 broadcast), minus the gateway, which splits the range in two when it lies inside.
 */
export function defaultPools(c: Cidr, gateway: string | null): Pool[] {
  const size = cidrSize(c);
  let first = size > 2n ? c.base + 1n : c.base;
  let last = c.version === 4 && size > 2n ? lastOf(c) - 1n : lastOf(c);
  if (c.version === 6 && size > 2n) first = c.base + 1n;
  const ranges: [bigint, bigint][] = [];
  const gw = gateway ? parseIp(gateway) : undefined;
  if (gw && gw.version === c.version && gw.value >= first && gw.value <= last) {
    if (gw.value > first) ranges.push([first, gw.value - 1n]);
    if (gw.value < last) ranges.push([gw.value + 1n, last]);
  } else if (first <= last) {
    ranges.push([first, last]);
  }
  if (first > last) last = first;
  const f = (value: bigint) => formatIp({ version: c.version, value });
  return ranges.map(([s, e]) => ({ start: f(s), end: f(e) }));
}

/** Pools as value ranges, checked to lie in the CIDR and not overlap each other. */
export function poolRanges(c: Cidr, pools: Pool[]): [bigint, bigint][] | string {
  const out: [bigint, bigint][] = [];
  for (const p of pools) {
    const s = parseIp(p.start);
    const e = parseIp(p.end);
    if (!s || !e || s.version !== c.version || e.version !== c.version) return `Invalid allocation pool ${p.start} - ${p.end}`;
    if (!contains(c, s) || !contains(c, e)) return `The allocation pool ${p.start}-${p.end} spans beyond the subnet cidr ${formatCidr(c)}.`;
    if (s.value > e.value) return `Invalid allocation pool ${p.start} - ${p.end}`;
    for (const [a, b] of out) if (s.value <= b && a <= e.value) return `Found overlapping allocation pools: ${p.start}-${p.end}`;
    out.push([s.value, e.value]);
  }
  return out;
}

/** IPv6 SLAAC address from a prefix and a MAC (modified EUI-64). */
export function eui64(c: Cidr, mac: string): string {
  const b = mac.split(':').map((x) => Number.parseInt(x, 16));
  const bytes = [(b[0] ?? 0) ^ 2, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0];
  const iid = bytes.reduce((n, x) => (n << 8n) | BigInt(x), 0n);
  return formatIp({ version: 6, value: c.base | iid });
}

/** A name fragment for an address, usable in a Kubernetes object name. */
export const addressKey = (ip: Ip) => (ip.version === 4 ? formatIp(ip).replace(/\./g, '-') : ip.value.toString(16).padStart(32, '0'));
