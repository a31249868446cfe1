import { AlreadyExistsError, type KubeClient, type KubeObject, R } from '../kube/index.ts';

// Writing ClusterRoles that carry rules the gateway does not hold itself. Kubernetes lets a
// role be written with rights its writer lacks only with `escalate` on that role, and it
// checks `escalate` against the name in the request URL: a create (POST to the collection)
// has none, so an `escalate` limited to Dicot's role names never covers it. The gateway
// therefore creates such a role empty, then sets its rules with a named patch.

export type RoleObject = KubeObject & { rules: unknown[] };

/** Creates `role` (AlreadyExistsError when its name is taken) and returns it with its rules. */
export async function createClusterRole(kube: KubeClient, role: RoleObject): Promise<KubeObject> {
  const created = await kube.create<RoleObject>(R.clusterRoles, { ...role, rules: [] });
  if (!role.rules.length) return created;
  return kube.patch<KubeObject>(R.clusterRoles, role.metadata.name ?? '', { rules: role.rules }, { type: 'merge' });
}

/** Creates `role`, or brings an existing one's rules to `role.rules` (a newer Dicot may grant more or less). */
export async function upsertClusterRole(kube: KubeClient, role: RoleObject): Promise<void> {
  try {
    await createClusterRole(kube, role);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    await kube.patch(R.clusterRoles, role.metadata.name ?? '', { rules: role.rules }, { type: 'merge' });
  }
}
