// deploy/kubernetes/rbac.yaml from gatewayRules(): `npx tsx test/deploy/rbac-yaml.ts > deploy/kubernetes/rbac.yaml`.
// test/deploy/manifests.test.ts fails when the file and the code disagree.

import { stringify } from 'yaml';
import { GATEWAY_ROLE, gatewayRules } from '../../src/identity/rbac.ts';

const labels = { 'app.kubernetes.io/name': 'dicot' };

export function rbacYaml(): string {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: GATEWAY_ROLE, labels }, rules: gatewayRules() };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: GATEWAY_ROLE, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: GATEWAY_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: 'dicot-gateway', namespace: 'dicot-system' }],
  };
  const yaml = (o: unknown) => stringify(o, { aliasDuplicateObjects: false });
  return [
    "# The gateway's rights: impersonation (so Kubernetes RBAC decides each user's requests) and",
    '# every right it grants through Keystone roles (Kubernetes lets no one grant rights they lack).',
    '# Generated from gatewayRules() in src/identity/rbac.ts by test/deploy/rbac-yaml.ts.',
    `${yaml(role)}---`,
    yaml(binding),
  ].join('\n');
}

if (process.argv[1]?.endsWith('rbac-yaml.ts')) process.stdout.write(rbacYaml());
