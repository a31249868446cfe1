// RBAC escalation prevention on writes of roles and bindings, as kube-apiserver's rbac REST storage
// does it (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased): a user
// may only write a role granting rights they hold, or bind a role whose rights they hold, unless
// they have `escalate` (roles) or `bind` (the referenced role) or are in system:masters.

import type { Caller } from '../types.ts';
import { forbidden, notFound } from './errors.ts';
import type { KubeObject } from './object.ts';
import { deepEqual } from './patch.ts';
import { type Authorizer, escalationReason, type PolicyRule } from './rbac.ts';
import type { ResourceDef } from './resources.ts';

const RBAC = 'rbac.authorization.k8s.io';
const GUARDED = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

/** Rights needed to set an aggregationRule: everything. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** An admission check the store runs on the object about to be written (and the one it replaces). */
export type Admit = (o: KubeObject, old?: KubeObject) => void;

/** Updates touching only ownerReferences/finalizers skip the check (IsOnlyMutatingGCFields). */
function onlyGcFields(o: KubeObject, old: KubeObject): boolean {
  const meta: Record<string, unknown> = { ...o.metadata };
  const was: Record<string, unknown> = old.metadata;
  for (const k of ['ownerReferences', 'finalizers', 'selfLink', 'managedFields'] as const) {
    if (was[k] === undefined) delete meta[k];
    else meta[k] = was[k];
  }
  return deepEqual({ ...o, metadata: meta }, old);
}

const hasAggregation = (o: KubeObject | undefined) =>
  !!(o?.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined)?.clusterRoleSelectors?.length;

/** The check for writes of `def` at `namespace`/`name` by `caller`, or undefined when `def` is not guarded. */
export function escalationCheck(authz: Authorizer, caller: Caller, def: ResourceDef, namespace: string | undefined, name: string | undefined): Admit | undefined {
  if (def.group !== RBAC || !GUARDED.has(def.plural)) return undefined;
  const gr = { group: RBAC, resource: def.plural };
  const confirm = (o: KubeObject, rules: PolicyRule[]) => {
    const why = escalationReason(caller, authz.rulesFor(caller, namespace), rules);
    if (why) throw forbidden(gr, o.metadata.name, why);
  };
  return (o, old) => {
    if (old && onlyGcFields(o, old)) return;
    if (caller.groups.includes('system:masters')) return;
    if (def.plural === 'roles' || def.plural === 'clusterroles') {
      const escalate = { verb: 'escalate', apiGroup: RBAC, apiVersion: '*', resource: def.plural, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
      if (authz.authorize(caller, escalate).allowed) return;
      confirm(o, (o.rules as PolicyRule[] | undefined) ?? []);
      if (hasAggregation(o) && !(old && deepEqual(o.aggregationRule, old.aggregationRule))) {
        if (escalationReason(caller, authz.rulesFor(caller, namespace), FULL_AUTHORITY)) {
          throw forbidden(gr, o.metadata.name, 'must have cluster-admin privileges to use the aggregationRule');
        }
      }
      return;
    }
    const ref = (o.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
    const refResource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : undefined;
    if (refResource && ref.name) {
      const bind = { verb: 'bind', apiGroup: ref.apiGroup ?? RBAC, apiVersion: '*', resource: refResource, name: ref.name, ...(namespace ? { namespace } : {}) };
      if (authz.authorize(caller, bind).allowed) return;
    }
    const rules = authz.roleRefRules(ref, namespace);
    if (!rules) throw notFound({ group: RBAC, resource: refResource ?? 'roles' }, ref.name ?? '');
    confirm(o, rules);
  };
}
