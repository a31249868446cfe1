import type { Region } from '../core/context.ts';
import { AlreadyExistsError, type KubeClient, type KubeObject, R, type ResourceType } from '../kube/index.ts';
import { type RoleObject, upsertClusterRole } from '../identity/cluster-roles.ts';
import { IMAGES_NS } from './model.ts';

// The shared images namespace: public images live there and every authenticated user may
// read them (and clone from them), through a ClusterRole bound to `system:authenticated`.
// Created idempotently, once per region, by the gateway's own client.

export const IMAGES_READER_ROLE = 'dicot-images-reader';
const MANAGED = { 'app.kubernetes.io/managed-by': 'dicot' };

/** What every authenticated user may do in the shared images namespace. */
export const IMAGES_READER_RULES = [
  { apiGroups: ['cdi.kubevirt.io'], resources: ['datasources', 'datavolumes'], verbs: ['get', 'list', 'watch'] },
  // CDI authorizes cross-namespace clones by `create datavolumes/source` in the source namespace.
  { apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes/source'], verbs: ['create'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch'] },
];

const objects = (): [ResourceType, KubeObject][] => [
  [R.namespaces, { metadata: { name: IMAGES_NS, labels: { ...MANAGED } } }],
  [
    R.clusterRoles,
    {
      metadata: { name: IMAGES_READER_ROLE, labels: { ...MANAGED } },
      rules: IMAGES_READER_RULES,
    } as KubeObject,
  ],
  [
    R.roleBindings,
    {
      metadata: { name: IMAGES_READER_ROLE, namespace: IMAGES_NS, labels: { ...MANAGED } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: IMAGES_READER_ROLE },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }],
    } as KubeObject,
  ],
];

async function ensureAll(kube: KubeClient): Promise<void> {
  for (const [type, obj] of objects()) {
    try {
      // The role's rules are not the gateway's own: written as cluster-roles.ts explains (and
      // brought up to date, should an earlier attempt have left it empty).
      if (type === R.clusterRoles) await upsertClusterRole(kube, obj as RoleObject);
      else await kube.create(type, obj);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
}

const done = new WeakMap<Region, Promise<void>>();

/** Makes sure the shared images namespace and its read access exist in `region` (memoized). */
export function ensureImagesNamespace(region: Region): Promise<void> {
  let p = done.get(region);
  if (!p) {
    p = ensureAll(region.kube).catch((e) => {
      done.delete(region);
      throw e;
    });
    done.set(region, p);
  }
  return p;
}
