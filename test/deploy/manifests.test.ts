import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { GRANTED_ROLES, gatewayRules, gatewaySystemRules } from '../../src/identity/rbac.ts';
import { rbacYaml } from './rbac-yaml.ts';

// The in-cluster manifests (deploy/kubernetes) checked against the code they describe. Their
// behaviour on a real apiserver belongs to the real-cluster lane.

const DIR = 'deploy/kubernetes';
// biome-ignore lint/suspicious/noExplicitAny: manifests are checked by assertions, not types
type Obj = any;
const docs = (file: string): Obj[] => parseAllDocuments(readFileSync(`${DIR}/${file}`, 'utf8')).map((d) => d.toJS());
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const all = files.flatMap(docs);
const find = (kind: string) => all.find((o) => o.kind === kind);

test('kustomization lists every manifest and names the image', () => {
  const [k] = docs('kustomization.yaml');
  assert.deepEqual([...k.resources].sort(), [...files].sort());
  assert.equal(k.images[0].name, find('Deployment').spec.template.spec.containers[0].image);
});

test("the roles are exactly gatewayRules() and gatewaySystemRules(), bound to the gateway's ServiceAccount", () => {
  assert.equal(readFileSync(`${DIR}/rbac.yaml`, 'utf8'), rbacYaml(), 'regenerate: npx tsx test/deploy/rbac-yaml.ts > deploy/kubernetes/rbac.yaml');
  assert.deepEqual(find('ClusterRole').rules, gatewayRules());
  assert.deepEqual(find('Role').rules, gatewaySystemRules());
  const sa = [{ kind: 'ServiceAccount', name: 'dicot-gateway', namespace: 'dicot-system' }];
  assert.deepEqual(find('ClusterRoleBinding').subjects, sa);
  assert.deepEqual(find('RoleBinding').subjects, sa);
  assert.equal(find('Deployment').spec.template.spec.serviceAccountName, 'dicot-gateway');
});

test('the ClusterRole grants nothing cluster-admin-like', () => {
  for (const r of gatewayRules()) {
    assert.ok(!r.verbs.includes('*'), JSON.stringify(r));
    // Granting and writing roles: only Dicot's own, by name.
    if (r.verbs.includes('escalate') || r.verbs.includes('bind')) assert.deepEqual(r.resourceNames, GRANTED_ROLES, JSON.stringify(r));
    // Secrets: create only; reading them is the dicot-system Role's.
    if (r.apiGroups.includes('') && (r.resources.includes('secrets') || r.resources.includes('*'))) assert.deepEqual(r.verbs, ['create'], JSON.stringify(r));
    // Impersonation of Keystone users and their groups only: no ServiceAccounts, uids or extras.
    if (r.verbs.includes('impersonate')) assert.deepEqual(r.resources, ['users', 'groups'], JSON.stringify(r));
  }
});

test('the shipped configuration is valid and uses the in-cluster credentials', () => {
  const cm = find('ConfigMap');
  const config = parseConfig(JSON.parse(cm.data['config.json']));
  assert.equal(config.regions[0]?.kubernetes?.inCluster, true);
  assert.equal(config.listen.port, find('Deployment').spec.template.spec.containers[0].ports[0].containerPort);
});

test('the Deployment runs non-root on a read-only root filesystem, with probes, requests and two replicas', () => {
  const d = find('Deployment');
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(d.spec.replicas, 2);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory);
  assert.equal(c.env.find((e: Obj) => e.name === 'DICOT_CONFIG').value, `${c.volumeMounts[0].mountPath}/config.json`);
});

test('everything namespaced lives in dicot-system; the NetworkPolicy admits only the gateway port', () => {
  for (const o of all) {
    if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) continue;
    assert.equal(o.metadata.namespace, 'dicot-system', `${o.kind} ${o.metadata.name}`);
  }
  const np = find('NetworkPolicy');
  assert.deepEqual(np.spec.policyTypes, ['Ingress']);
  assert.deepEqual(np.spec.ingress, [{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
  assert.deepEqual(np.spec.podSelector.matchLabels, find('Deployment').spec.selector.matchLabels);
});
