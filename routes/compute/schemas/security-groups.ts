import { z } from '@hono/zod-openapi';
import { IntLike } from './common.ts';

// Nova's os-security-groups proxy (nova/api/openstack/compute/schemas/security_groups.py).

const Rule = z.object({
  id: z.string(),
  parent_group_id: z.string(),
  ip_protocol: z.string().nullable(),
  from_port: z.number().int().nullable(),
  to_port: z.number().int().nullable(),
  ip_range: z.object({ cidr: z.string() }).partial(),
  group: z.object({ name: z.string(), tenant_id: z.string() }).partial(),
});
export const NovaSecurityGroup = z.object({ id: z.string(), name: z.string(), tenant_id: z.string(), description: z.string(), rules: z.array(Rule) });
export const NovaSecurityGroupBody = z.object({ security_group: NovaSecurityGroup });
export const NovaSecurityGroupList = z.object({ security_groups: z.array(NovaSecurityGroup) });
export const NovaRuleBody = z.object({ security_group_rule: Rule });

export const NovaGroupCreate = z.object({
  security_group: z.object({ name: z.string().max(255), description: z.string().max(255) }),
});
export const NovaRuleCreate = z.object({
  security_group_rule: z.object({
    parent_group_id: z.string(),
    ip_protocol: z.string().nullable().optional(),
    from_port: IntLike(-1).nullable().optional(),
    to_port: IntLike(-1).nullable().optional(),
    cidr: z.string().nullable().optional(),
    group_id: z.string().nullable().optional(),
  }),
});
