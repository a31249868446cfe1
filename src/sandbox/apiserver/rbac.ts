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

  /** The rules a role reference grants, undefined when the role does not exist (GetRoleReferenceRules). */
  roleRefRules(ref: { kind?: string; name?: string }, namespace: string | undefined): PolicyRule[] | undefined {
    if (!ref.name) return undefined;
    if (ref.kind === 'ClusterRole') return this.storage.get(CLUSTER_ROLES, undefined, ref.name) ? this.clusterRoleRules(ref.name) : undefined;
    const role = ref.kind === 'Role' && namespace ? this.storage.get(ROLES, namespace, ref.name) : undefined;
    return role ? ((role.rules as PolicyRule[] | undefined) ?? []) : undefined;
  }

  /** Every rule the caller holds cluster-wide, plus in `namespace` when given (RulesFor). */
  rulesFor(caller: Caller, namespace: string | undefined): PolicyRule[] {
    const held = (b: KubeObject) => ((b.subjects as Subject[] | undefined) ?? []).some((s) => subjectMatches(s, caller, b.metadata.namespace));
    const rules: PolicyRule[] = [];
    for (const [, b] of this.storage.scan(CLUSTER_ROLE_BINDINGS)) if (held(b)) rules.push(...this.rulesOf(b));
    if (namespace) for (const [, b] of this.storage.scan(ROLE_BINDINGS, namespace)) if (held(b)) rules.push(...this.rulesOf(b));
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

// Escalation prevention (k8s.io/kubernetes/pkg/registry/rbac/validation): a rule is covered when each
// (group, resource, verb, name) or (url, verb) it grants is granted by one rule the user holds.

/** One rule per (group, resource, verb, resourceName) and per (url, verb), as BreakdownRule splits them. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const names = rule.resourceNames?.length ? rule.resourceNames.map((n) => [n]) : [undefined];
  for (const g of rule.apiGroups ?? []) {
    for (const r of rule.resources ?? []) {
      for (const v of rule.verbs ?? []) {
        for (const n of names) out.push({ apiGroups: [g], resources: [r], verbs: [v], ...(n ? { resourceNames: n } : {}) });
      }
    }
  }
  for (const u of rule.nonResourceURLs ?? []) for (const v of rule.verbs ?? []) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

const hasAll = (set: string[] | undefined, want: string[] | undefined) => (want ?? []).every((w) => !!set?.includes(w));
const hasOrAll = (set: string[] | undefined, want: string[] | undefined) => !!set?.includes('*') || hasAll(set, want);

function resourcesCover(set: string[] | undefined, want: string[] | undefined): boolean {
  if (hasOrAll(set, want)) return true;
  return (want ?? []).every((r) => set?.includes(r) || (r.includes('/') && set?.includes(`*/${r.slice(r.indexOf('/') + 1)}`)));
}

const urlCovers = (owner: string, path: string) => owner === path || (owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, '')));

/** Whether one rule the user holds grants everything `sub` grants (ruleCovers). */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const ownerNames = owner.resourceNames ?? [];
  const names = sub.resourceNames?.length ? ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames) : ownerNames.length === 0;
  return (
    hasOrAll(owner.verbs, sub.verbs) &&
    hasOrAll(owner.apiGroups, sub.apiGroups) &&
    resourcesCover(owner.resources, sub.resources) &&
    names &&
    (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => urlCovers(o, p)))
  );
}

/** The parts of `rules` that no rule in `owned` grants; empty when `owned` covers them all. */
export function missingRights(owned: PolicyRule[], rules: PolicyRule[]): PolicyRule[] {
  return rules.flatMap(breakdownRule).filter((sub) => !owned.some((o) => ruleCovers(o, sub)));
}

/** Merges single-group, single-resource rules' verbs, as CompactRules does for the error message. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = !r.nonResourceURLs?.length && (r.resourceNames?.length ?? 0) <= 1 && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const seen = simple.get(key);
    if (seen) seen.verbs = [...(seen.verbs ?? []), ...(r.verbs ?? [])];
    else simple.set(key, { ...r, verbs: [...(r.verbs ?? [])] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
export const goQuoted = (list: string[]) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** rbacv1helpers.CompactString: `{APIGroups:["x"], Resources:["y"], Verbs:["get" "list"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoted(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoted(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoted(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoted(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuoted(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** ConfirmNoEscalation's reason, or undefined when the caller holds every right in `rules`. */
export function escalationReason(caller: Caller, owned: PolicyRule[], rules: PolicyRule[]): string | undefined {
  const missing = missingRights(owned, rules);
  if (!missing.length) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  return `user "${caller.user}" (groups=${goQuoted(caller.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}
