import type { Context } from 'hono';
import type { GatewayEnv, Region } from '../core/context.ts';
import { ApiFault, badRequest, forbidden, unauthorized } from '../core/faults.ts';
import { ensureProjectOnce } from '../identity/regions.ts';
import { identityOf } from '../identity/service.ts';
import type { KubeClient } from '../kube/index.ts';
import { type Rec, Store } from './store.ts';

// What every network handler works with: the region's store, the caller's impersonating
// client (writes in a project namespace: Kubernetes RBAC decides) and Neutron's ownership
// policy, applied here because "shared" and "external" have no RBAC equivalent.

export interface Caller {
  projectId: string;
  isAdmin: boolean;
}

export interface NetContext {
  region: Region;
  store: Store;
  gw: KubeClient;
  user: KubeClient;
  caller: Caller;
  options: NetworkOptions;
  /** The namespace of a project (created in this region on first use). */
  namespaceOf(projectId: string): Promise<string>;
}

export interface NetworkOptions {
  /** The cluster pod network's CIDR (the shared `pod-network`). */
  podCidr: string;
  /** Addresses LoadBalancer Services get (the external network `public`). */
  externalCidr: string;
  /** Gateway of the external subnet (none when null). */
  externalGateway: string | null;
  mtu: number;
  /** CNI config template of tenant networks; {{name}}, {{namespace}}, {{range}}, {{gateway}}, {{exclude}}. */
  cniTemplate: string;
  /**
   * The pod annotation through which the cluster's CNI hands a pod a requested address (Calico's
   * `cni.projectcalico.org/ipAddrs`, a JSON list); null when the CNI has none. Other CNIs ignore it.
   */
  podAddressAnnotation: string | null;
}

export const DEFAULT_CNI_TEMPLATE = JSON.stringify({
  cniVersion: '0.3.1',
  name: '{{name}}',
  plugins: [
    {
      type: 'bridge',
      bridge: 'br-{{short}}',
      isGateway: false,
      ipam: { type: 'whereabouts', range: '{{range}}', exclude: '{{exclude}}', network_name: '{{namespace}}-{{name}}' },
    },
  ],
});

export const DEFAULT_NETWORK_OPTIONS: NetworkOptions = {
  podCidr: '10.244.0.0/16',
  externalCidr: '192.0.2.0/24',
  externalGateway: null,
  mtu: 1450,
  cniTemplate: DEFAULT_CNI_TEMPLATE,
  podAddressAnnotation: 'cni.projectcalico.org/ipAddrs',
};

/** The region's network options: the defaults, overridden by the region's `network` config. */
export function networkOptions(c: Context<GatewayEnv>): NetworkOptions {
  const region = c.get('region');
  const overrides = c.get('gateway').config.regions.find((r) => r.name === region.name)?.network ?? {};
  const set = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_NETWORK_OPTIONS, ...set };
}

export function netContext(c: Context<GatewayEnv>): NetContext {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  const region = c.get('region');
  const gateway = c.get('gateway');
  const id = identityOf(gateway);
  const options = networkOptions(c);
  return {
    region,
    store: new Store(region.kube),
    gw: region.kube,
    user: auth.kube,
    caller: { projectId: auth.projectId ?? '', isAdmin: auth.isAdmin },
    options,
    async namespaceOf(projectId: string) {
      const project = await id.projects.get(projectId);
      if (!project) throw badRequest(`Project ${projectId} does not exist.`);
      if (region !== gateway.identityRegion) await ensureProjectOnce(id, region, project);
      return project.namespace;
    },
  };
}

export const isOwner = (ctx: NetContext, r: Rec) => ctx.caller.isAdmin || (r.projectId !== '' && r.projectId === ctx.caller.projectId);

/** The project a create is for: the caller's, or (admins only) the one named in the body. */
export function targetProject(ctx: NetContext, body: Record<string, unknown>): string {
  const asked = (body.project_id ?? body.tenant_id) as string | undefined;
  if (asked !== undefined && typeof asked !== 'string') throw badRequest('Invalid input for tenant_id.');
  if (body.project_id !== undefined && body.tenant_id !== undefined && body.project_id !== body.tenant_id) {
    throw badRequest("'project_id' and 'tenant_id' do not match");
  }
  if (asked && asked !== ctx.caller.projectId) {
    if (!ctx.caller.isAdmin) throw forbidden('Specifying \'project_id\' or \'tenant_id\' other than the authenticated project in request requires admin privileges', { type: 'HTTPForbidden' });
    return asked;
  }
  if (!ctx.caller.projectId) throw badRequest('A project-scoped token is required.');
  return ctx.caller.projectId;
}

/** The client writing in `namespace`: the caller's own in their project (RBAC), else the gateway's. */
export const writer = (ctx: NetContext, projectId: string) => (projectId === ctx.caller.projectId || ctx.caller.isAdmin ? ctx.user : ctx.gw);

/** Neutron's typed faults. */
export const nfault = (status: number, type: string, message: string) => new ApiFault(status, message, { type });

/** The gateway acting for itself (bookkeeping the caller asked for indirectly: gateway ports, detaching). */
export const asSystem = (ctx: NetContext): NetContext => ({ ...ctx, user: ctx.gw, caller: { ...ctx.caller, isAdmin: true } });
