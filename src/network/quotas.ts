import { badRequest, forbidden } from '../core/faults.ts';
import { AlreadyExistsError, NotFoundError, R } from '../kube/index.ts';
import type { NetContext } from './context.ts';
import { KINDS, type KindName, MANAGED } from './store.ts';

// Neutron quotas as a ResourceQuota (`neutron`) in the project's namespace: object counts
// Kubernetes itself enforces on creates. Rules have no object of their own; their limit is
// kept in an annotation of the same ResourceQuota.

export const QUOTA_OBJECT = 'neutron';
const RULE_ANNOTATION = 'openstack.dicot.io/security-group-rule-quota';
/** The project a `neutron` quota belongs to, so admins can list every non-default one. */
const PROJECT_LABEL = 'openstack.dicot.io/project-id';

export const DEFAULT_QUOTAS: Record<string, number> = {
  network: 100,
  subnet: 100,
  port: 500,
  router: 10,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
};

const HARD_KEYS: Record<string, string> = {
  network: 'count/network-attachment-definitions.k8s.cni.cncf.io',
  subnet: 'count/subnets.openstack.dicot.io',
  port: 'count/ports.openstack.dicot.io',
  router: 'count/routers.openstack.dicot.io',
  floatingip: 'services.loadbalancers',
  security_group: 'count/networkpolicies.networking.k8s.io',
};

interface Quota {
  metadata: { name?: string; namespace?: string; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: { hard?: Record<string, string> };
}

async function read(ctx: NetContext, namespace: string): Promise<Quota | undefined> {
  try {
    return await ctx.gw.get<Quota>(R.resourceQuotas, QUOTA_OBJECT, { namespace });
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

function limitsOf(q: Quota | undefined): Record<string, number> {
  const out = { ...DEFAULT_QUOTAS };
  if (!q) return out;
  for (const [k, key] of Object.entries(HARD_KEYS)) {
    const v = q.spec?.hard?.[key];
    out[k] = v === undefined ? -1 : Number(v);
  }
  const rules = q.metadata.annotations?.[RULE_ANNOTATION];
  out.security_group_rule = rules === undefined ? DEFAULT_QUOTAS.security_group_rule as number : Number(rules);
  return out;
}

function checkAccess(ctx: NetContext, projectId: string): void {
  if (!ctx.caller.isAdmin && projectId !== ctx.caller.projectId) throw forbidden('Non-admin is not authorised to access quotas for another project', { type: 'AdminRequired' });
}

/** Neutron's GET /quotas (admins): the projects with quotas of their own. */
export async function listQuotas(ctx: NetContext): Promise<Record<string, unknown>[]> {
  const all = await ctx.user.listAll<Quota & { metadata: { labels?: Record<string, string> } }>(R.resourceQuotas, {
    labelSelector: PROJECT_LABEL,
    fieldSelector: `metadata.name=${QUOTA_OBJECT}`,
  });
  return all.items.map((q) => {
    const projectId = q.metadata.labels?.[PROJECT_LABEL] ?? '';
    return { ...limitsOf(q), project_id: projectId, tenant_id: projectId };
  });
}

export async function showQuota(ctx: NetContext, projectId: string): Promise<Record<string, number>> {
  checkAccess(ctx, projectId);
  return limitsOf(await read(ctx, await ctx.namespaceOf(projectId)));
}

export async function quotaDetails(ctx: NetContext, projectId: string) {
  checkAccess(ctx, projectId);
  const ns = await ctx.namespaceOf(projectId);
  const limits = limitsOf(await read(ctx, ns));
  const kinds: [string, KindName][] = [['network', 'network'], ['subnet', 'subnet'], ['port', 'port'], ['router', 'router'], ['floatingip', 'floatingip'], ['security_group', 'security_group']];
  const counts = await Promise.all(kinds.map(([, k]) => ctx.store.list(KINDS[k], undefined, ns)));
  const out: Record<string, { used: number; limit: number; reserved: number }> = {};
  kinds.forEach(([name], i) => {
    out[name] = { used: counts[i]?.length ?? 0, limit: limits[name] ?? -1, reserved: 0 };
  });
  const rules = (counts[5] ?? []).reduce((n, g) => n + ((g.attrs.rules as unknown[] | undefined)?.length ?? 0), 0);
  out.security_group_rule = { used: rules, limit: limits.security_group_rule ?? -1, reserved: 0 };
  return out;
}

export async function updateQuota(ctx: NetContext, projectId: string, body: unknown): Promise<Record<string, number>> {
  if (!ctx.caller.isAdmin) throw forbidden('rule:update_quota is disallowed by policy', { type: 'PolicyNotAuthorized' });
  const q = (body as { quota?: Record<string, unknown> })?.quota;
  if (!q || typeof q !== 'object') throw badRequest('Resource body required: quota');
  const ns = await ctx.namespaceOf(projectId);
  const cur = await read(ctx, ns);
  const limits = limitsOf(cur);
  for (const [k, v] of Object.entries(q)) {
    if (!(k in DEFAULT_QUOTAS)) throw badRequest(`Unrecognized attribute(s) '${k}'`);
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) throw badRequest(`Invalid input for ${k}. Reason: '${String(v)}' is not a valid integer.`);
    limits[k] = n;
  }
  const hard: Record<string, string> = {};
  for (const [k, key] of Object.entries(HARD_KEYS)) if ((limits[k] ?? -1) >= 0) hard[key] = String(limits[k]);
  const obj = {
    metadata: {
      name: QUOTA_OBJECT,
      namespace: ns,
      labels: { ...MANAGED, [PROJECT_LABEL]: projectId },
      annotations: { [RULE_ANNOTATION]: String(limits.security_group_rule) },
    },
    spec: { hard },
  };
  if (cur) await ctx.gw.replace(R.resourceQuotas, { ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } });
  else {
    try {
      await ctx.gw.create(R.resourceQuotas, obj);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      return updateQuota(ctx, projectId, body);
    }
  }
  await enforced(ctx, ns, hard);
  return limits;
}

/**
 * Kubernetes' quota admission enforces what the quota controller published in status.hard, a
 * moment after the write: answer once the new limits are live (at most a few seconds).
 */
async function enforced(ctx: NetContext, namespace: string, hard: Record<string, string>): Promise<void> {
  const same = (a: Record<string, string> = {}) => Object.keys(a).length === Object.keys(hard).length && Object.entries(hard).every(([k, v]) => a[k] === v);
  for (let i = 0; i < 50; i++) {
    const q = await read(ctx, namespace);
    if (same((q as { status?: { hard?: Record<string, string> } } | undefined)?.status?.hard)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function resetQuota(ctx: NetContext, projectId: string): Promise<void> {
  if (!ctx.caller.isAdmin) throw forbidden('rule:delete_quota is disallowed by policy', { type: 'PolicyNotAuthorized' });
  const ns = await ctx.namespaceOf(projectId);
  await ctx.gw.delete(R.resourceQuotas, QUOTA_OBJECT, { namespace: ns }).catch((err: unknown) => {
    if (!(err instanceof NotFoundError)) throw err;
  });
}
