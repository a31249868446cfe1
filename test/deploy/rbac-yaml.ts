// deploy/kubernetes/rbac.yaml from gatewayRules(): `npx tsx test/deploy/rbac-yaml.ts > deploy/kubernetes/rbac.yaml`.
// test/deploy/manifests.test.ts fails when the file and the code disagree.

import { stringify } from 'yaml';
import { GATEWAY_ROLE, gatewayRules, gatewaySystemRules } from '../../src/identity/rbac.ts';

const labels = { 'app.kubernetes.io/name': 'dicot' };

const RBAC = 'rbac.authorization.k8s.io';
const subjects = [{ kind: 'ServiceAccount', name: 'dicot-gateway', namespace: 'dicot-system' }];

export function rbacYaml(): string {
  const clusterRole = { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: GATEWAY_ROLE, labels }, rules: gatewayRules() };
  const clusterBinding = {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: GATEWAY_ROLE, labels },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: GATEWAY_ROLE },
    subjects,
  };
  const meta = { name: GATEWAY_ROLE, namespace: 'dicot-system', labels };
  const role = { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: meta, rules: gatewaySystemRules() };
  const binding = { apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: meta, roleRef: { apiGroup: RBAC, kind: 'Role', name: GATEWAY_ROLE }, subjects };
  const yaml = (o: unknown) => stringify(o, { aliasDuplicateObjects: false });
  return [
    "# The gateway's own rights. Generated from gatewayRules() and gatewaySystemRules() in",
    '# src/identity/rbac.ts by test/deploy/rbac-yaml.ts.',
    '#',
    '# - It impersonates Keystone users and groups, so Kubernetes RBAC decides each user request.',
    '# - As itself it works across projects on what Dicot manages, but reads Secrets only in',
    '#   dicot-system (the Role below); elsewhere it may only create them (image export tokens).',
    "# - It grants Keystone roles with `bind`, and keeps the built-in roles' rules with `escalate`,",
    "#   both limited to Dicot's own ClusterRoles (resourceNames), instead of holding those rights.",
    '#',
    '# What RBAC cannot narrow: `impersonate` on users and groups takes any name (Keystone ids are',
    '# not known in advance, so resourceNames cannot list them), including groups such as',
    '# system:masters; and `bind`/`escalate` on Dicot\'s roles let the holder grant itself their',
    "# rights in any namespace. Treat this ServiceAccount's token like a cluster admin's.",
    `${yaml(clusterRole)}---`,
    `${yaml(clusterBinding)}---`,
    `${yaml(role)}---`,
    yaml(binding),
  ].join('\n');
}

if (process.argv[1]?.endsWith('rbac-yaml.ts')) process.stdout.write(rbacYaml());
