import * as v from 'valibot';
import { IdentityOptionsSchema } from '../identity/options.ts';

// The region set, as an operator writes it (file, environment or Workers bindings).
// Credentials are described here and resolved into a working connection by platform/.

const RegionName = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, 'must start with a letter and hold only letters, digits, "-" and "_"'),
  v.check((n) => !RESERVED_PATHS.has(n.toLowerCase()), 'is a path the gateway uses itself; pick another region name'),
);

/** Top-level paths of the gateway that a region name must not shadow. */
export const RESERVED_PATHS = new Set(['identity', 'openapi.json', 'docs', 'healthz', 'readyz', 'metrics']);

const KubernetesConnection = v.pipe(
  v.object({
    /** API server URL; optional only with kubeconfig or inCluster. */
    server: v.optional(v.pipe(v.string(), v.url('must be a URL such as https://10.0.0.1:6443'))),
    /** PEM CA bundle, inline. */
    ca: v.optional(v.string()),
    caFile: v.optional(v.string()),
    insecureSkipTLSVerify: v.optional(v.boolean()),
    token: v.optional(v.pipe(v.string(), v.minLength(1))),
    /** Re-read on every use, so rotated service-account tokens are picked up. */
    tokenFile: v.optional(v.string()),
    kubeconfig: v.optional(v.string()),
    context: v.optional(v.string()),
    inCluster: v.optional(v.boolean()),
  }),
  v.check(
    (k) => Boolean(k.server || k.kubeconfig || k.inCluster),
    'needs "server" (with "token" or "tokenFile"), "kubeconfig", or "inCluster: true"',
  ),
  v.check(
    (k) => [k.token, k.tokenFile, k.kubeconfig, k.inCluster].filter(Boolean).length <= 1,
    'give exactly one credential: "token", "tokenFile", "kubeconfig" (+ "context") or "inCluster"',
  ),
);

const Region = v.object({
  name: RegionName,
  /** The region holding users, projects, roles and signing keys (exactly one). */
  identity: v.optional(v.boolean(), false),
  kubernetes: v.optional(KubernetesConnection),
  /** Overrides of the region's network defaults (DEFAULT_NETWORK_OPTIONS in src/network/context.ts). */
  network: v.optional(
    v.object({
      podCidr: v.optional(v.string()),
      externalCidr: v.optional(v.string()),
      externalGateway: v.optional(v.nullable(v.string())),
      mtu: v.optional(v.pipe(v.number(), v.integer(), v.minValue(68))),
      cniTemplate: v.optional(v.string()),
      podAddressAnnotation: v.optional(v.nullable(v.string())),
    }),
  ),
});

export const ConfigSchema = v.pipe(
  v.object({
    /** Base URL clients reach the gateway at; falls back to the request's own origin. */
    publicUrl: v.optional(v.pipe(v.string(), v.url('must be a URL such as https://cloud.example.com'))),
    listen: v.optional(
      v.object({
        hostname: v.optional(v.string(), '127.0.0.1'),
        port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)), 8080),
      }),
      {},
    ),
    /** Largest JSON request body accepted, in bytes. */
    maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024)), 1024 * 1024),
    tokens: v.optional(
      v.object({ lifetimeSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60)), 3600) }),
      {},
    ),
    /** Keystone behaviour: password hashing cost, lockout, password history. */
    identity: v.optional(IdentityOptionsSchema, {}),
    /** No regions at all means one region "RegionOne" on the embedded sandbox. */
    regions: v.optional(v.array(Region), []),
  }),
  v.check(
    (c) => c.regions.length === 0 || c.regions.filter((r) => r.identity).length === 1 || c.regions.length === 1,
    'mark exactly one region with "identity: true"',
  ),
  v.check(
    (c) => new Set(c.regions.map((r) => r.name)).size === c.regions.length,
    'region names must be unique',
  ),
);

export type ConfigInput = v.InferInput<typeof ConfigSchema>;
export type RawConfig = v.InferOutput<typeof ConfigSchema>;
export type RegionConfig = RawConfig['regions'][number];
export type KubernetesConnectionConfig = NonNullable<RegionConfig['kubernetes']>;
