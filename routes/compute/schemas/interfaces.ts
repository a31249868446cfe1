import { z } from '@hono/zod-openapi';

// Nova's os-interface (nova/api/openstack/compute/schemas/attach_interfaces.py).

export const InterfaceAttachment = z.object({
  port_state: z.string(),
  fixed_ips: z.array(z.object({ subnet_id: z.string(), ip_address: z.string() })),
  port_id: z.string(),
  net_id: z.string(),
  mac_addr: z.string(),
});
export const InterfaceBody = z.object({ interfaceAttachment: InterfaceAttachment });
export const InterfaceList = z.object({ interfaceAttachments: z.array(InterfaceAttachment) });
export const InterfaceCreate = z.object({
  interfaceAttachment: z
    .object({
      net_id: z.string().optional(),
      port_id: z.string().optional(),
      fixed_ips: z.array(z.object({ ip_address: z.string() })).max(1).optional(),
    })
    .optional(),
});
export const InterfaceParam = z.object({ server_id: z.string().min(1), port_id: z.string().min(1) });
