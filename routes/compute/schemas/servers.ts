import { z } from '@hono/zod-openapi';
import { AnyObject, Links, Metadata, Query } from './common.ts';

// nova/api/openstack/compute/schemas/servers.py (requests) and the server views per
// microversion as explicit layers (tempest api_schema v2_1/servers.py ... v2_73).

const Name = z.string().min(1).max(255);

const NetworkItem = z.object({
  uuid: z.string().optional(),
  port: z.string().nullable().optional(),
  fixed_ip: z.string().optional(),
  tag: z.string().optional(),
});
const Bdm = z.looseObject({
  boot_index: z.union([z.number(), z.string()]).nullable().optional(),
  uuid: z.string().optional(),
  // Nova's block_device_mapping_v2 schema names both sets.
  source_type: z.enum(['volume', 'image', 'snapshot', 'blank']).optional(),
  destination_type: z.enum(['local', 'volume']).optional(),
  volume_size: z.union([z.number(), z.string()]).optional(),
  delete_on_termination: z.boolean().optional(),
});

export const ServerCreateBody = z.looseObject({
  server: z.looseObject({
    name: Name,
    imageRef: z.string().max(255).optional(),
    flavorRef: z.union([z.string().min(1).max(255), z.number().int()]).transform(String),
    adminPass: z.string().optional(),
    metadata: Metadata.optional(),
    networks: z.union([z.literal('auto'), z.literal('none'), z.array(NetworkItem)]).optional(),
    security_groups: z.array(z.object({ name: z.string().min(1).max(255) })).optional(),
    key_name: z.string().min(1).max(255).nullable().optional(),
    user_data: z.string().max(65535).nullable().optional(),
    availability_zone: z.string().min(1).max(255).optional(),
    config_drive: z.union([z.boolean(), z.string()]).nullable().optional(),
    min_count: z.union([z.number().int(), z.string()]).transform(Number).pipe(z.number().int().min(1)).optional(),
    max_count: z.union([z.number().int(), z.string()]).transform(Number).pipe(z.number().int().min(1)).optional(),
    return_reservation_id: z.union([z.boolean(), z.string()]).optional(),
    accessIPv4: z.string().optional(),
    accessIPv6: z.string().optional(),
    'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
    description: z.string().max(255).nullable().optional(),
    tags: z.array(z.string().min(1).max(60)).max(50).optional(),
    block_device_mapping_v2: z.array(Bdm).optional(),
    block_device_mapping: z.array(z.unknown()).optional(),
    personality: z.array(z.unknown()).optional(),
    host: z.string().optional(),
    hypervisor_hostname: z.string().optional(),
  }),
  'OS-SCH-HNT:scheduler_hints': z.looseObject({ group: z.string().optional() }).optional(),
  'os:scheduler_hints': z.looseObject({ group: z.string().optional() }).optional(),
});

export const ServerUpdateBody = z.object({
  server: z.looseObject({
    name: Name.optional(),
    description: z.string().max(255).nullable().optional(),
    accessIPv4: z.string().optional(),
    accessIPv6: z.string().optional(),
    'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
    hostname: z.string().optional(),
  }),
});

const q = z.string().optional();
/**
 * Every parameter Nova's servers query schema names (query_params_v275): filters, sort, paging
 * and the ones Nova accepts but ignores. From 2.75 any other key is a 400.
 */
export const ServerListQuery = Query({
  name: q, status: q, limit: q, marker: q, image: q, flavor: q, ip: q, ip6: q, 'changes-since': q, 'changes-before': q,
  all_tenants: q, project_id: q, tenant_id: q, user_id: q, deleted: q, soft_deleted: q, sort_key: q, sort_dir: q,
  tags: q, 'tags-any': q, 'not-tags': q, 'not-tags-any': q, locked: q, locked_by: q, availability_zone: q, host: q, node: q,
  hostname: q, key_name: q, uuid: q, image_ref: q, kernel_id: q, ramdisk_id: q, launch_index: q, power_state: q, vm_state: q,
  task_state: q, reservation_id: q, launched_at: q, terminated_at: q, display_name: q, description: q, display_description: q,
  root_device_name: q, config_drive: q, access_ip_v4: q, access_ip_v6: q, auto_disk_config: q, progress: q, created_at: q,
  updated_at: q, block_device_mapping: q, services: q, metadata: q, system_metadata: q, info_cache: q, security_groups: q,
  pci_devices: q, instance_type_id: q, cell_name: q,
});

export const ServerCreated = z.object({
  server: z.object({
    id: z.string(),
    links: Links,
    adminPass: z.string().optional(),
    'OS-DCF:diskConfig': z.string().optional(),
    security_groups: z.array(z.object({ name: z.string() })).optional(),
  }),
});
export const ReservationCreated = z.object({ reservation_id: z.string() });

// ---- server views ----

const Address = z.object({ addr: z.string(), version: z.number().int() });
const AddressExt = Address.extend({ 'OS-EXT-IPS:type': z.string(), 'OS-EXT-IPS-MAC:mac_addr': z.string() });
const ImageRef = z.union([z.object({ id: z.string(), links: Links }), z.literal('')]);
const FlavorRef = z.object({ id: z.string(), links: Links });
export const EmbeddedFlavor = z.object({
  vcpus: z.number().int(),
  ram: z.number().int(),
  disk: z.number().int(),
  ephemeral: z.number().int(),
  swap: z.number().int(),
  original_name: z.string(),
  extra_specs: z.record(z.string(), z.string()).optional(),
});
const Fault = z.object({ code: z.number().int(), created: z.string(), message: z.string(), details: z.string().optional() });

/** What every server view shows (tempest common_show_server): also PUT/rebuild below 2.75. */
export const ServerBasicV21 = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  tenant_id: z.string(),
  user_id: z.string(),
  metadata: z.record(z.string(), z.string()),
  hostId: z.string(),
  image: ImageRef,
  flavor: FlavorRef,
  created: z.string(),
  updated: z.string(),
  addresses: z.record(z.string(), z.array(Address)),
  accessIPv4: z.string(),
  accessIPv6: z.string(),
  links: Links,
  'OS-DCF:diskConfig': z.string(),
  progress: z.number().int().optional(),
  fault: Fault.optional(),
});
export const ServerBasicV29 = ServerBasicV21.extend({ locked: z.boolean() });
export const ServerBasicV219 = ServerBasicV29.extend({ description: z.string().nullable() });
export const ServerBasicV226 = ServerBasicV219.extend({ tags: z.array(z.string()) });
export const ServerBasicV247 = ServerBasicV226.extend({ flavor: EmbeddedFlavor });
export const ServerBasicV271 = ServerBasicV247.extend({ server_groups: z.array(z.string()) });
export const ServerBasicV273 = ServerBasicV271.extend({ locked_reason: z.string().nullable() });

/** The full view (GET /servers/{id}, /servers/detail; PUT and rebuild from 2.75). */
export const ServerV21 = ServerBasicV21.extend({
  addresses: z.record(z.string(), z.array(AddressExt)),
  key_name: z.string().nullable(),
  security_groups: z.array(z.object({ name: z.string() })).optional(),
  config_drive: z.string(),
  'OS-EXT-AZ:availability_zone': z.string(),
  'OS-EXT-STS:task_state': z.string().nullable(),
  'OS-EXT-STS:vm_state': z.string(),
  'OS-EXT-STS:power_state': z.number().int(),
  'OS-SRV-USG:launched_at': z.string().nullable(),
  'OS-SRV-USG:terminated_at': z.string().nullable(),
  'os-extended-volumes:volumes_attached': z.array(z.object({ id: z.string() })),
  // admins only
  'OS-EXT-SRV-ATTR:host': z.string().nullable().optional(),
  'OS-EXT-SRV-ATTR:hypervisor_hostname': z.string().nullable().optional(),
  'OS-EXT-SRV-ATTR:instance_name': z.string().optional(),
});
export const ServerV23 = ServerV21.extend({
  'os-extended-volumes:volumes_attached': z.array(z.object({ id: z.string(), delete_on_termination: z.boolean() })),
  'OS-EXT-SRV-ATTR:hostname': z.string().optional(),
  'OS-EXT-SRV-ATTR:kernel_id': z.string().optional(),
  'OS-EXT-SRV-ATTR:ramdisk_id': z.string().optional(),
  'OS-EXT-SRV-ATTR:launch_index': z.number().int().optional(),
  'OS-EXT-SRV-ATTR:reservation_id': z.string().optional(),
  'OS-EXT-SRV-ATTR:root_device_name': z.string().nullable().optional(),
  'OS-EXT-SRV-ATTR:user_data': z.string().nullable().optional(),
});
export const ServerV29 = ServerV23.extend({ locked: z.boolean() });
export const ServerV216 = ServerV29.extend({ host_status: z.string().optional() });
export const ServerV219 = ServerV216.extend({ description: z.string().nullable() });
export const ServerV226 = ServerV219.extend({ tags: z.array(z.string()) });
export const ServerV247 = ServerV226.extend({ flavor: EmbeddedFlavor });
export const ServerV263 = ServerV247.extend({ trusted_image_certificates: z.array(z.string()).nullable() });
export const ServerV271 = ServerV263.extend({ server_groups: z.array(z.string()) });
export const ServerV273 = ServerV271.extend({ locked_reason: z.string().nullable() });
/** /servers/detail never carries server_groups (2.71 added it to show, update, rebuild only). */
export const ServerListV273 = ServerV263.extend({ locked_reason: z.string().nullable() });

export const SERVER_LAYERS = [
  ['2.1', ServerV21],
  ['2.3', ServerV23],
  ['2.9', ServerV29],
  ['2.16', ServerV216],
  ['2.19', ServerV219],
  ['2.26', ServerV226],
  ['2.47', ServerV247],
  ['2.63', ServerV263],
  ['2.71', ServerV271],
  ['2.73', ServerV273],
] as const;
export const SERVER_LIST_LAYERS = [
  ['2.1', ServerV21],
  ['2.3', ServerV23],
  ['2.9', ServerV29],
  ['2.16', ServerV216],
  ['2.19', ServerV219],
  ['2.26', ServerV226],
  ['2.47', ServerV247],
  ['2.63', ServerV263],
  ['2.73', ServerListV273],
] as const;
export const SERVER_BASIC_LAYERS = [
  ['2.1', ServerBasicV21],
  ['2.9', ServerBasicV29],
  ['2.19', ServerBasicV219],
  ['2.26', ServerBasicV226],
  ['2.47', ServerBasicV247],
  ['2.71', ServerBasicV271],
  ['2.73', ServerBasicV273],
  // 2.75: PUT and rebuild answer with the full view.
  ['2.75', ServerV273],
] as const;

export const ServerBrief = z.object({ id: z.string(), name: z.string(), links: Links });
export const ServerBody = z.object({ server: AnyObject });
export const ServerList = z.object({ servers: z.array(ServerBrief), servers_links: Links.optional() });
export const ServerDetailList = z.object({ servers: z.array(AnyObject), servers_links: Links.optional() });

// ---- sub-resources ----
export const MetadataBody = z.object({ metadata: Metadata });
export const MetaItemBody = z.object({ meta: Metadata });
export const TagsBody = z.object({ tags: z.array(z.string().min(1).max(60)).max(50) });
export const TagsList = z.object({ tags: z.array(z.string()) });
export const Addresses = z.object({ addresses: z.record(z.string(), z.array(Address)) });
export const NetworkAddresses = z.record(z.string(), z.array(Address));

const InstanceAction = z.object({
  action: z.string(),
  instance_uuid: z.string(),
  message: z.string().nullable(),
  project_id: z.string(),
  request_id: z.string(),
  start_time: z.string(),
  user_id: z.string(),
});
export const InstanceActions = z.object({ instanceActions: z.array(InstanceAction) });
export const InstanceActionShow = z.object({ instanceAction: InstanceAction.extend({ events: z.array(AnyObject) }) });

/** GET /servers/{id}/topology (2.78): no NUMA cells (nodes []) and no page size, as Nova for such an instance. */
export const ServerTopology = z.object({ nodes: z.array(AnyObject), pagesize_kb: z.number().int().nullable() });
