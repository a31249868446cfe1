// RBAC evaluation (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac): rule matching is pure;
// the authorizer reads Roles, ClusterRoles and their bindings from storage on each check.

import type { Caller, RequestAttributes } from '../types.ts';
import type { KubeObject } from './object.ts';
import { fromLabelSelectorObject, matchLabels } from './selectors.ts';
import type { Storage } from './storage.ts';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** What is being asked: a resource request (RequestAttributes) or a non-resource path. */
export type Attributes = (RequestAttributes & { path?: undefined }) | { verb: string; path: string };

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.path !== undefined) return urlMatches(rule, a.path);
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  if (!resourceMatches(rule, a.resource, a.subresource)) return false;
  if (rule.resourceNames?.length) return !!a.name && rule.resourceNames.includes(a.name);
  return true;
}

export function subjectMatches(s: Subject, caller: Caller, bindingNamespace?: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === caller.user;
    case 'Group':
      return caller.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return caller.user === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

const CLUSTER_ROLES = 'rbac.authorization.k8s.io/clusterroles';
const ROLES = 'rbac.authorization.k8s.io/roles';
const CLUSTER_ROLE_BINDINGS = 'rbac.authorization.k8s.io/clusterrolebindings';
const ROLE_BINDINGS = 'rbac.authorization.k8s.io/rolebindings';

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export class Authorizer {
  constructor(private readonly storage: Storage) {}

  /** Rules of a ClusterRole, following aggregationRule selectors as the aggregation controller would. */
  private clusterRoleRules(name: string, seen = new Set<string>()): PolicyRule[] {
    if (seen.has(name)) return [];
    seen.add(name);
    const role = this.storage.get(CLUSTER_ROLES, undefined, name);
    if (!role) return [];
    const rules = [...((role.rules as PolicyRule[] | undefined) ?? [])];
    const agg = role.aggregationRule as { clusterRoleSelectors?: Parameters<typeof fromLabelSelectorObject>[0][] } | undefined;
    for (const sel of agg?.clusterRoleSelectors ?? []) {
      const reqs = fromLabelSelectorObject(sel);
      for (const [, other] of this.storage.scan(CLUSTER_ROLES)) {
        if (other.metadata.name !== name && matchLabels(reqs, other.metadata.labels)) {
          rules.push(...this.clusterRoleRules(other.metadata.name as string, seen));
        }
      }
    }
    return rules;
  }

  private rulesOf(binding: KubeObject): PolicyRule[] {
    const ref = binding.roleRef as { kind?: string; name?: string } | undefined;
    if (!ref?.name) return [];
    if (ref.kind === 'ClusterRole') return this.clusterRoleRules(ref.name);
    const role = this.storage.get(ROLES, binding.metadata.namespace, ref.name);
    return (role?.rules as PolicyRule[] | undefined) ?? [];
  }

  authorize(caller: Caller, a: Attributes): Decision {
    if (caller.groups.includes('system:masters')) return { allowed: true };
    const check = (binding: KubeObject) => {
      const subjects = (binding.subjects as Subject[] | undefined) ?? [];
      if (!subjects.some((s) => subjectMatches(s, caller, binding.metadata.namespace))) return false;
      return this.rulesOf(binding).some((r) => ruleAllows(r, a));
    };
    for (const [, b] of this.storage.scan(CLUSTER_ROLE_BINDINGS)) {
      if (check(b)) return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata.name}"` };
    }
    const ns = a.path === undefined ? a.namespace : undefined;
    if (ns) {
      for (const [, b] of this.storage.scan(ROLE_BINDINGS, ns)) {
        if (check(b)) return { allowed: true, reason: `RBAC: allowed by RoleBinding "${b.metadata.name}/${ns}"` };
      }
    }
    return { allowed: false };
  }
}

/** The reason kube-apiserver gives in a 403 (the text after "is forbidden: "). */
export function forbiddenReason(caller: Caller, a: Attributes): string {
  if (a.path !== undefined) return `User "${caller.user}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${caller.user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
}
