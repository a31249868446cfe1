import type { Region } from '../core/context.ts';
import { AlreadyExistsError, type KubeClient, type KubeObject, NotFoundError, R, type ResourceType } from '../kube/index.ts';
import { L, MANAGED, type ProjectRecord, ROLE_PREFIX, alive } from './model.ts';
import { CLOUD_ADMIN_ROLE } from './rbac.ts';
import { type RoleObject, createClusterRole } from './cluster-roles.ts';
import type { Identity } from './service.ts';

// A project exists in every region: its namespace (same name as in the identity region)
// and its role bindings appear in another region the first time it is used there, and
// are reconciled from the identity region on demand (at most every RECONCILE_MS).

const RECONCILE_MS = 30_000;
const reconciled = new WeakMap<Region, Map<string, number>>();

interface Binding extends KubeObject {
  roleRef: { apiGroup?: string; kind: string; name: string };
  subjects?: unknown[];
}
interface ClusterRole extends KubeObject {
  rules?: unknown[];
}

const strip = <T extends KubeObject>(o: T): T => ({
  ...o,
  metadata: {
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    labels: { ...o.metadata.labels, ...MANAGED },
    ...(o.metadata.annotations ? { annotations: o.metadata.annotations } : {}),
  },
});

async function upsert(kube: KubeClient, type: ResourceType, obj: KubeObject): Promise<void> {
  try {
    if (type === R.clusterRoles) await createClusterRole(kube, obj as RoleObject);
    else await kube.create(type, obj);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const cur = await kube.get(type, obj.metadata.name ?? '', obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {});
    await kube.replace(type, { ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } });
  }
}

const isDicotBinding = (b: Binding) => b.roleRef?.kind === 'ClusterRole' && (b.roleRef.name.startsWith(ROLE_PREFIX) || b.roleRef.name === CLOUD_ADMIN_ROLE);

/** Makes `project` usable in `region`: namespace, Dicot ClusterRoles and the project's bindings. */
export async function ensureProjectNamespace(id: Identity, region: Region, project: ProjectRecord): Promise<void> {
  const source = id.kube;
  const target = region.kube;
  if (region.kube === id.gateway.identityRegion.kube) return;
  try {
    await target.create(R.namespaces, {
      metadata: {
        name: project.namespace,
        labels: { ...MANAGED, [L.project]: 'true', [L.projectId]: project.id, [L.domainId]: project.domainId },
      },
    });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  // Roles first (a binding to a missing ClusterRole grants nothing, but keep them in step).
  const roles = await source.listAll<ClusterRole>(R.clusterRoles, { labelSelector: `${L.managedBy}=dicot` });
  for (const r of roles.items) await upsert(target, R.clusterRoles, strip({ ...r, rules: r.rules ?? [] }));
  const want = (await source.listAll<Binding>(R.roleBindings, { namespace: project.namespace })).items.filter((b) => alive(b) && isDicotBinding(b));
  const have = (await target.listAll<Binding>(R.roleBindings, { namespace: project.namespace })).items.filter(isDicotBinding);
  const wanted = new Set(want.map((b) => b.metadata.name));
  for (const b of want) await upsert(target, R.roleBindings, strip({ ...b, roleRef: b.roleRef, subjects: b.subjects ?? [] }));
  for (const b of have) {
    if (wanted.has(b.metadata.name)) continue;
    try {
      await target.delete(R.roleBindings, b.metadata.name ?? '', { namespace: project.namespace });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  // Cloud admins are cloud admins in every region.
  const admins = await source.listAll<Binding>(R.clusterRoleBindings, { labelSelector: `${L.managedBy}=dicot` });
  for (const b of admins.items.filter(isDicotBinding)) await upsert(target, R.clusterRoleBindings, strip({ ...b, roleRef: b.roleRef, subjects: b.subjects ?? [] }));
}

/** ensureProjectNamespace, skipped when done for this region and project recently. */
export async function ensureProjectOnce(id: Identity, region: Region, project: ProjectRecord): Promise<void> {
  const seen = reconciled.get(region) ?? new Map<string, number>();
  reconciled.set(region, seen);
  const at = seen.get(project.id);
  if (at !== undefined && id.now() - at < RECONCILE_MS) return;
  await ensureProjectNamespace(id, region, project);
  seen.set(project.id, id.now());
}
