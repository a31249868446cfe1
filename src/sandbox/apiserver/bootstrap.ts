// What a fresh cluster has before anyone uses it: system namespaces, the bootstrap RBAC
// policy (simplified rules, real names and aggregation labels), the add-on CRDs and the
// KubeVirt/CDI roles that aggregate into admin/edit/view as their operators install them.

import type { KubeObject } from './object.ts';
import { DICOT_CRDS } from '../../core/crds.ts';
import { seedCrds } from './crds.ts';
import type { PolicyRule } from './rbac.ts';

const RW = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const RO = ['get', 'list', 'watch'];
const AGG = 'rbac.authorization.k8s.io/aggregate-to-';

const clusterRole = (name: string, rules: PolicyRule[], labels?: Record<string, string>, aggregate?: string[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels } },
  rules,
  ...(aggregate ? { aggregationRule: { clusterRoleSelectors: aggregate.map((to) => ({ matchLabels: { [`${AGG}${to}`]: 'true' } })) } } : {}),
});

const clusterBinding = (name: string, role: string, subjects: { kind: string; name: string; namespace?: string }[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: subjects.map((s) => (s.kind === 'ServiceAccount' ? s : { apiGroup: 'rbac.authorization.k8s.io', ...s })),
});

const core = (resources: string[], verbs: string[]): PolicyRule => ({ apiGroups: [''], resources, verbs });
const group = (g: string, resources: string[], verbs: string[]): PolicyRule => ({ apiGroups: [g], resources, verbs });

const VIEW_CORE = ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'pods/status', 'services', 'services/status', 'serviceaccounts', 'events', 'resourcequotas', 'resourcequotas/status', 'limitranges', 'namespaces', 'namespaces/status'];
const EDIT_CORE = ['configmaps', 'endpoints', 'persistentvolumeclaims', 'pods', 'services', 'serviceaccounts', 'secrets', 'events'];

const KV_VIEW: PolicyRule[] = [
  group('kubevirt.io', ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations', 'virtualmachineinstancepresets', 'virtualmachineinstancereplicasets'], RO),
  group('subresources.kubevirt.io', ['virtualmachines/expand-spec', 'virtualmachineinstances/guestosinfo', 'virtualmachineinstances/userlist', 'virtualmachineinstances/filesystemlist'], ['get']),
  group('instancetype.kubevirt.io', ['virtualmachineinstancetypes', 'virtualmachinepreferences', 'virtualmachineclusterinstancetypes', 'virtualmachineclusterpreferences'], RO),
  group('snapshot.kubevirt.io', ['virtualmachinesnapshots', 'virtualmachinesnapshotcontents', 'virtualmachinerestores'], RO),
  group('export.kubevirt.io', ['virtualmachineexports'], RO),
];
const KV_EDIT: PolicyRule[] = [
  group('subresources.kubevirt.io', ['virtualmachineinstances/console', 'virtualmachineinstances/vnc', 'virtualmachineinstances/vnc/screenshot', 'virtualmachineinstances/portforward', 'virtualmachineinstances/guestosinfo', 'virtualmachineinstances/filesystemlist', 'virtualmachineinstances/userlist'], ['get']),
  group('subresources.kubevirt.io', ['virtualmachineinstances/pause', 'virtualmachineinstances/unpause', 'virtualmachineinstances/addvolume', 'virtualmachineinstances/removevolume', 'virtualmachineinstances/freeze', 'virtualmachineinstances/unfreeze', 'virtualmachineinstances/softreboot', 'virtualmachineinstances/reset'], ['update']),
  group('subresources.kubevirt.io', ['virtualmachines/start', 'virtualmachines/stop', 'virtualmachines/restart', 'virtualmachines/addvolume', 'virtualmachines/removevolume', 'virtualmachines/memorydump'], ['update']),
  group('subresources.kubevirt.io', ['virtualmachines/expand-spec', 'virtualmachines/portforward'], ['get']),
  group('kubevirt.io', ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancepresets', 'virtualmachineinstancereplicasets'], [...RO, ...RW]),
  group('instancetype.kubevirt.io', ['virtualmachineinstancetypes', 'virtualmachinepreferences'], [...RO, ...RW]),
  group('instancetype.kubevirt.io', ['virtualmachineclusterinstancetypes', 'virtualmachineclusterpreferences'], RO),
  group('snapshot.kubevirt.io', ['virtualmachinesnapshots', 'virtualmachinesnapshotcontents', 'virtualmachinerestores'], [...RO, ...RW]),
  group('export.kubevirt.io', ['virtualmachineexports'], [...RO, ...RW]),
];
const KV_ADMIN: PolicyRule[] = [
  ...KV_EDIT,
  group('subresources.kubevirt.io', ['virtualmachines/migrate'], ['update']),
  group('kubevirt.io', ['virtualmachineinstancemigrations'], [...RO, ...RW]),
];
const CDI_VIEW: PolicyRule[] = [group('cdi.kubevirt.io', ['datavolumes', 'datasources', 'dataimportcrons'], RO), group('cdi.kubevirt.io', ['datavolumes/source'], ['create'])];
const CDI_EDIT: PolicyRule[] = [
  group('cdi.kubevirt.io', ['datavolumes', 'datasources', 'dataimportcrons'], [...RO, ...RW]),
  group('cdi.kubevirt.io', ['datavolumes/source'], ['create']),
  group('upload.cdi.kubevirt.io', ['uploadtokenrequests'], ['*']),
];

function rbacPolicy(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
    clusterRole('admin', [], undefined, ['admin']),
    clusterRole('edit', [], { [`${AGG}admin`]: 'true' }, ['edit']),
    clusterRole('view', [], { [`${AGG}edit`]: 'true' }, ['view']),
    clusterRole('system:aggregate-to-view', [
      core(VIEW_CORE, RO),
      group('networking.k8s.io', ['networkpolicies', 'ingresses'], RO),
      group('snapshot.storage.k8s.io', ['volumesnapshots'], RO),
      group('k8s.cni.cncf.io', ['network-attachment-definitions'], RO),
    ], { [`${AGG}view`]: 'true' }),
    clusterRole('system:aggregate-to-edit', [
      core(EDIT_CORE, [...RO, ...RW]),
      core(['serviceaccounts'], ['impersonate']),
      group('networking.k8s.io', ['networkpolicies', 'ingresses'], [...RO, ...RW]),
      group('snapshot.storage.k8s.io', ['volumesnapshots'], [...RO, ...RW]),
      group('k8s.cni.cncf.io', ['network-attachment-definitions'], [...RO, ...RW]),
    ], { [`${AGG}edit`]: 'true' }),
    clusterRole('system:aggregate-to-admin', [
      group('rbac.authorization.k8s.io', ['roles', 'rolebindings'], [...RO, ...RW]),
      group('authorization.k8s.io', ['localsubjectaccessreviews'], ['create']),
      core(['resourcequotas'], RO),
    ], { [`${AGG}admin`]: 'true' }),
    clusterRole('system:discovery', [
      { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] },
    ]),
    clusterRole('system:public-info-viewer', [
      { nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] },
    ]),
    clusterRole('system:basic-user', [
      group('authorization.k8s.io', ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
      group('authentication.k8s.io', ['selfsubjectreviews'], ['create']),
    ]),
    clusterBinding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
    clusterBinding('system:discovery', 'system:discovery', [{ kind: 'Group', name: 'system:authenticated' }]),
    clusterBinding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }]),
    clusterBinding('system:public-info-viewer', 'system:public-info-viewer', [
      { kind: 'Group', name: 'system:authenticated' },
      { kind: 'Group', name: 'system:unauthenticated' },
    ]),
    // Installed by virt-operator and cdi-operator.
    clusterRole('kubevirt.io:view', KV_VIEW, { [`${AGG}view`]: 'true' }),
    clusterRole('kubevirt.io:edit', KV_EDIT, { [`${AGG}edit`]: 'true' }),
    clusterRole('kubevirt.io:admin', KV_ADMIN, { [`${AGG}admin`]: 'true' }),
    clusterRole('kubevirt.io:migrate', [group('subresources.kubevirt.io', ['virtualmachines/migrate'], ['update']), group('kubevirt.io', ['virtualmachineinstancemigrations'], [...RO, ...RW])]),
    clusterRole('kubevirt.io:default', [group('subresources.kubevirt.io', ['version', 'guestfs'], ['get', 'list'])]),
    clusterBinding('kubevirt.io:default', 'kubevirt.io:default', [{ kind: 'Group', name: 'system:authenticated' }]),
    clusterRole('cdi.kubevirt.io:view', CDI_VIEW, { [`${AGG}view`]: 'true' }),
    clusterRole('cdi.kubevirt.io:edit', CDI_EDIT, { [`${AGG}edit`]: 'true' }),
    clusterRole('cdi.kubevirt.io:admin', CDI_EDIT, { [`${AGG}admin`]: 'true' }),
  ];
}

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** Objects in dependency order, each as [resource bucket, object]. */
export function bootstrapObjects(): [group: string, version: string, plural: string, object: KubeObject][] {
  return [
    ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map(
      (n) => ['', 'v1', 'namespaces', namespace(n)] as [string, string, string, KubeObject],
    ),
    ...[...seedCrds(), ...DICOT_CRDS].map((c) => ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', c] as [string, string, string, KubeObject]),
    ...rbacPolicy().map((o) => ['rbac.authorization.k8s.io', 'v1', o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings', o] as [string, string, string, KubeObject]),
  ];
}
