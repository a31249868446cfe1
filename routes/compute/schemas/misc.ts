import { z } from '@hono/zod-openapi';
import { AnyObject, Query } from './common.ts';

// Limits, quota sets, availability zones, hypervisors, services, server groups, extensions.

export const ProjectParam = z.object({ project_id: z.string().min(1) });
export const LimitsQuery = Query({ tenant_id: z.string().optional() });
export const Limits = z.object({ limits: z.object({ rate: z.array(z.unknown()), absolute: z.record(z.string(), z.number()) }) });

const QuotaValue = IntOrMinusOne();
function IntOrMinusOne() {
  return z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number).pipe(z.number().int().min(-1));
}
export const QuotaUpdateBody = z.object({
  quota_set: z.looseObject({
    instances: QuotaValue.optional(),
    cores: QuotaValue.optional(),
    ram: QuotaValue.optional(),
    key_pairs: QuotaValue.optional(),
    metadata_items: QuotaValue.optional(),
    server_groups: QuotaValue.optional(),
    server_group_members: QuotaValue.optional(),
    injected_files: QuotaValue.optional(),
    injected_file_content_bytes: QuotaValue.optional(),
    injected_file_path_bytes: QuotaValue.optional(),
    fixed_ips: QuotaValue.optional(),
    floating_ips: QuotaValue.optional(),
    security_groups: QuotaValue.optional(),
    security_group_rules: QuotaValue.optional(),
    force: z.union([z.boolean(), z.string()]).optional(),
  }),
});
export const QuotaClassParam = z.object({ id: z.string().min(1).max(255) });
export const QuotaClassBody = z.object({ quota_class_set: z.record(z.string(), QuotaValue) });
export const QuotaClassSet = z.object({ quota_class_set: z.record(z.string(), z.union([z.number(), z.string()])) });
export const QuotaSet = z.object({ quota_set: z.record(z.string(), z.union([z.number(), z.string(), AnyObject])) });
export const QuotaQuery = Query({ user_id: z.string().optional() });

export const ZoneList = z.object({
  availabilityZoneInfo: z.array(z.object({ zoneName: z.string(), zoneState: z.object({ available: z.boolean() }), hosts: z.record(z.string(), AnyObject).nullable() })),
});

export const HypervisorIdParam = z.object({ id: z.string().min(1) });
export const HypervisorListQuery = Query({ limit: z.string().optional(), marker: z.string().optional(), hypervisor_hostname_pattern: z.string().optional(), with_servers: z.string().optional() });
export const HypervisorShowQuery = Query({ with_servers: z.string().optional() });
export const ServicesQuery = Query({ host: z.string().optional(), binary: z.string().optional() });
export const Hypervisors = z.object({ hypervisors: z.array(AnyObject), hypervisors_links: z.array(AnyObject).optional() });
export const Hypervisor = z.object({ hypervisor: AnyObject });
export const HypervisorStats = z.object({ hypervisor_statistics: z.record(z.string(), z.number()) });
export const Services = z.object({ services: z.array(AnyObject) });

export const ServerGroupCreateBody = z.object({
  server_group: z.object({
    name: z.string().min(1).max(255),
    policies: z.array(z.string()).min(1).max(1).optional(),
    policy: z.string().optional(),
    rules: z.record(z.string(), z.union([z.number().int(), z.string()])).optional(),
  }),
});
export const ServerGroupBody = z.object({ server_group: AnyObject });
export const ServerGroupList = z.object({ server_groups: z.array(AnyObject) });
export const ServerGroupQuery = Query({ all_projects: z.string().optional(), limit: z.string().optional(), offset: z.string().optional() });

export const Extensions = z.object({ extensions: z.array(z.object({ name: z.string(), alias: z.string(), description: z.string(), links: z.array(z.string()), namespace: z.string(), updated: z.string() })) });
