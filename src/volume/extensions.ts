// The extensions this gateway implements (aliases as Cinder names them).
export const VOLUME_EXTENSIONS: [string, string, string][] = [
  ['os-availability-zone', 'AvailabilityZones', 'Describe Availability Zones.'],
  ['os-extended-snapshot-attributes', 'ExtendedSnapshotAttributes', 'Extended SnapshotAttributes support.'],
  ['os-vol-tenant-attr', 'VolumeTenantAttribute', 'Expose the internal project_id as an attribute of a volume.'],
  ['os-vol-host-attr', 'VolumeHostAttribute', 'Expose host as an attribute of a volume.'],
  ['os-vol-mig-status-attr', 'VolumeMigStatusAttribute', 'Expose migration_status as an attribute of a volume.'],
  ['os-vol-image-meta', 'VolumeImageMetadata', 'Show image metadata associated with the volume.'],
  ['os-volume-actions', 'VolumeActions', 'Enable volume actions.'],
  ['os-admin-actions', 'AdminActions', 'Enable admin actions.'],
  ['os-quota-sets', 'Quotas', 'Quota management support.'],
  ['os-used-limits', 'UsedLimits', 'Provide data on limited resources that are being used.'],
  ['os-types-manage', 'TypesManage', 'Types manage support.'],
  ['os-types-extra-specs', 'TypesExtraSpecs', 'Type extra specs support.'],
  ['os-volume-type-access', 'VolumeTypeAccess', 'Volume type access support.'],
];
