// tempest.conf from a running gateway: what Dicot provides, said explicitly, so Tempest
// skips what is missing instead of failing on it (and a skip is counted as a skip).
import { CSI_DRIVER } from '../../src/sandbox/cluster/seed.ts';
import { STORAGE_PROTOCOL } from '../../src/volume/backends.ts';
import { VOLUME_EXTENSIONS } from '../../src/volume/extensions.ts';

import { EXTENSION_ALIASES } from '../../src/network/extensions.ts';

export interface TempestTarget {
  authUrl: string; // <gateway>/identity/v3
  region: string;
  admin: { username: string; password: string; project: string; domain: string };
  computeMaxMicroversion: string;
  volumeMaxMicroversion: string;
  imageRef?: string;
  imageRefAlt?: string;
  /** What web-download imports fetch (Tempest's http_image): a local server, as the machine may be offline. */
  httpImage?: string;
  flavorRef?: string;
  flavorRefAlt?: string;
  /** The external network `public` (floating IPs, router gateways). */
  publicNetworkId?: string | undefined;
  services: { nova: boolean; glance: boolean; neutron: boolean; cinder: boolean };
  logFile: string;
  /** The gateway's login lockout, which Tempest's lockout test must know. */
  lockout: { attempts: number; seconds: number };
}

type Ini = Record<string, Record<string, string | number | boolean | undefined>>;

function render(ini: Ini): string {
  return Object.entries(ini)
    .map(([section, values]) => {
      const lines = Object.entries(values)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k} = ${typeof v === 'boolean' ? (v ? 'True' : 'False') : v}`);
      return `[${section}]\n${lines.join('\n')}\n`;
    })
    .join('\n');
}

export function tempestConf(t: TempestTarget): string {
  return render({
    DEFAULT: { log_file: t.logFile, use_stderr: false },
    auth: {
      admin_username: t.admin.username,
      admin_password: t.admin.password,
      admin_project_name: t.admin.project,
      admin_domain_name: t.admin.domain,
      use_dynamic_credentials: true,
      create_isolated_networks: false,
      tempest_roles: 'member',
    },
    identity: {
      uri_v3: t.authUrl,
      auth_version: 'v3',
      region: t.region,
      v3_endpoint_type: 'public',
      default_domain_id: 'default',
      disable_ssl_certificate_validation: true,
      user_lockout_failure_attempts: t.lockout.attempts,
      user_lockout_duration: t.lockout.seconds,
      user_unique_last_password_count: 2,
    },
    'identity-feature-enabled': {
      api_v2: false,
      api_v3: true,
      trust: false,
      application_credentials: true,
      access_rules: false,
      project_tags: true,
      security_compliance: true,
    },
    service_available: {
      nova: t.services.nova,
      glance: t.services.glance,
      neutron: t.services.neutron,
      cinder: t.services.cinder,
      swift: false,
      horizon: false,
      heat: false,
      aodh: false,
    },
    compute: {
      region: t.region,
      image_ref: t.imageRef,
      image_ref_alt: t.imageRefAlt,
      flavor_ref: t.flavorRef,
      flavor_ref_alt: t.flavorRefAlt,
      min_microversion: '2.1',
      max_microversion: t.computeMaxMicroversion,
      build_timeout: 120,
      build_interval: 1,
      // The shared pod network every project sees (servers created without networks use it).
      fixed_network_name: 'pod-network',
    },
    'compute-feature-enabled': {
      // Server metadata is writeable (Tempest ties that to this flag; os-agents and
      // resetNetwork, the other APIs behind it, are absent and fail when run).
      xenapi_apis: true,
      resize: true,
      cold_migration: false,
      live_migration: true,
      shelve: true,
      rescue: false,
      suspend: true,
      pause: true,
      change_password: false,
      console_output: false,
      vnc_console: false,
      interface_attach: false,
      snapshot: true,
      personality: false,
      config_drive: true,
      metadata_service: true,
      attach_encrypted_volume: false,
    },
    image: {
      region: t.region,
      container_formats: 'bare,ovf,ova,docker,compressed,ami,ari,aki',
      disk_formats: 'qcow2,raw,iso,vmdk,vdi,vhd,vhdx,ami,ari,aki,ploop',
      image_caching_enabled: false,
      http_image: t.httpImage,
      build_timeout: 120,
      build_interval: 1,
    },
    'image-feature-enabled': { api_v2: true, api_v1: false, import_image: true, os_glance_reserved: true, manage_locations: false },
    network: {
      region: t.region,
      project_network_cidr: '10.100.0.0/16',
      project_network_v6_cidr: '2001:db8::/48',
      public_network_id: t.publicNetworkId,
      floating_network_name: 'public',
      build_timeout: 120,
      build_interval: 1,
    },
    'network-feature-enabled': {
      ipv6: true,
      ipv6_subnet_attributes: true,
      // Exactly what GET /v2.0/extensions lists.
      api_extensions: EXTENSION_ALIASES.join(','),
      floating_ips: true,
      port_security: true,
    },
    volume: {
      region: t.region,
      catalog_type: 'volumev3',
      min_microversion: '3.0',
      max_microversion: t.volumeMaxMicroversion,
      build_timeout: 120,
      build_interval: 1,
      // The pools' vendor is their StorageClass's CSI driver (the sandbox's, in every run).
      vendor_name: CSI_DRIVER,
      storage_protocol: STORAGE_PROTOCOL,
    },
    // What the block-storage service implements: snapshots and clones, no backups, no
    // manage/unmanage, no multiple backends; extending an attached volume needs 3.42 and a
    // CSI driver with online expansion, which is not assumed.
    'volume-feature-enabled': {
      backup: false,
      snapshot: true,
      clone: true,
      multi_backend: false,
      manage_snapshot: false,
      manage_volume: false,
      extend_attached_volume: false,
      extend_attached_encrypted_volume: false,
      // Exactly the extensions Dicot serves ('all' would make Tempest look for os-hosts).
      api_extensions: VOLUME_EXTENSIONS.map((e) => e[0]).join(','),
    },
    validation: { run_validation: false },
  });
}
