// The resource types Dicot touches, as the API server's discovery would describe them.
// A table instead of discovery calls: the set is fixed and known at build time.

export interface ResourceType {
  group: string; // "" for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const core = (plural: string, kind: string, namespaced = true): ResourceType => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced,
});
const grp =
  (group: string, version: string) =>
  (plural: string, kind: string, namespaced = true): ResourceType => ({ group, version, plural, kind, namespaced });

const rbac = grp('rbac.authorization.k8s.io', 'v1');
const authz = grp('authorization.k8s.io', 'v1');
const snapshot = grp('snapshot.storage.k8s.io', 'v1');
const kubevirt = grp('kubevirt.io', 'v1');
const instancetype = grp('instancetype.kubevirt.io', 'v1beta1');
const vmSnapshot = grp('snapshot.kubevirt.io', 'v1beta1');
const cdi = grp('cdi.kubevirt.io', 'v1beta1');
const dicot = grp('openstack.dicot.io', 'v1alpha1');

export const R = {
  namespaces: core('namespaces', 'Namespace', false),
  nodes: core('nodes', 'Node', false),
  persistentVolumes: core('persistentvolumes', 'PersistentVolume', false),
  pods: core('pods', 'Pod'),
  secrets: core('secrets', 'Secret'),
  configMaps: core('configmaps', 'ConfigMap'),
  services: core('services', 'Service'),
  endpoints: core('endpoints', 'Endpoints'),
  pvcs: core('persistentvolumeclaims', 'PersistentVolumeClaim'),
  events: core('events', 'Event'),
  resourceQuotas: core('resourcequotas', 'ResourceQuota'),
  limitRanges: core('limitranges', 'LimitRange'),
  serviceAccounts: core('serviceaccounts', 'ServiceAccount'),
  controllerRevisions: grp('apps', 'v1')('controllerrevisions', 'ControllerRevision'),
  leases: grp('coordination.k8s.io', 'v1')('leases', 'Lease'),
  roles: rbac('roles', 'Role'),
  clusterRoles: rbac('clusterroles', 'ClusterRole', false),
  roleBindings: rbac('rolebindings', 'RoleBinding'),
  clusterRoleBindings: rbac('clusterrolebindings', 'ClusterRoleBinding', false),
  selfSubjectAccessReviews: authz('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false),
  selfSubjectRulesReviews: authz('selfsubjectrulesreviews', 'SelfSubjectRulesReview', false),
  subjectAccessReviews: authz('subjectaccessreviews', 'SubjectAccessReview', false),
  localSubjectAccessReviews: authz('localsubjectaccessreviews', 'LocalSubjectAccessReview'),
  tokenReviews: grp('authentication.k8s.io', 'v1')('tokenreviews', 'TokenReview', false),
  networkPolicies: grp('networking.k8s.io', 'v1')('networkpolicies', 'NetworkPolicy'),
  storageClasses: grp('storage.k8s.io', 'v1')('storageclasses', 'StorageClass', false),
  volumeSnapshots: snapshot('volumesnapshots', 'VolumeSnapshot'),
  volumeSnapshotContents: snapshot('volumesnapshotcontents', 'VolumeSnapshotContent', false),
  volumeSnapshotClasses: snapshot('volumesnapshotclasses', 'VolumeSnapshotClass', false),
  customResourceDefinitions: grp('apiextensions.k8s.io', 'v1')(
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
  ),
  apiServices: grp('apiregistration.k8s.io', 'v1')('apiservices', 'APIService', false),
  virtualMachines: kubevirt('virtualmachines', 'VirtualMachine'),
  virtualMachineInstances: kubevirt('virtualmachineinstances', 'VirtualMachineInstance'),
  virtualMachineInstanceMigrations: kubevirt('virtualmachineinstancemigrations', 'VirtualMachineInstanceMigration'),
  kubeVirts: kubevirt('kubevirts', 'KubeVirt'),
  clusterInstancetypes: instancetype('virtualmachineclusterinstancetypes', 'VirtualMachineClusterInstancetype', false),
  clusterPreferences: instancetype('virtualmachineclusterpreferences', 'VirtualMachineClusterPreference', false),
  instancetypes: instancetype('virtualmachineinstancetypes', 'VirtualMachineInstancetype'),
  preferences: instancetype('virtualmachinepreferences', 'VirtualMachinePreference'),
  virtualMachineSnapshots: vmSnapshot('virtualmachinesnapshots', 'VirtualMachineSnapshot'),
  virtualMachineRestores: vmSnapshot('virtualmachinerestores', 'VirtualMachineRestore'),
  virtualMachineExports: grp('export.kubevirt.io', 'v1beta1')('virtualmachineexports', 'VirtualMachineExport'),
  dataVolumes: cdi('datavolumes', 'DataVolume'),
  dataSources: cdi('datasources', 'DataSource'),
  storageProfiles: cdi('storageprofiles', 'StorageProfile', false),
  cdiConfigs: cdi('cdiconfigs', 'CDIConfig', false),
  uploadTokenRequests: grp('upload.cdi.kubevirt.io', 'v1beta1')('uploadtokenrequests', 'UploadTokenRequest'),
  networkAttachmentDefinitions: grp('k8s.cni.cncf.io', 'v1')(
    'network-attachment-definitions',
    'NetworkAttachmentDefinition',
  ),
  // Dicot's own kinds (deploy/crds).
  subnets: dicot('subnets', 'Subnet'),
  ports: dicot('ports', 'Port'),
  routers: dicot('routers', 'Router'),
  ipAllocations: dicot('ipallocations', 'IPAllocation'),
  subnetPools: dicot('subnetpools', 'SubnetPool'),
  aggregates: dicot('aggregates', 'Aggregate', false),
} as const satisfies Record<string, ResourceType>;

/** `apiVersion` as written in objects: "v1" for core, "group/version" otherwise. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}
