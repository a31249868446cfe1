import { z } from '@hono/zod-openapi';
import { notFound } from '../../../src/core/faults.ts';
import { netContext } from '../../../src/network/context.ts';
import { versionOf } from '../common.ts';
import { associate, disassociate } from '../floating-ips.ts';
import { type ActionContext, type ActionHandler, bodyOf, record } from './context.ts';

// addFloatingIp / removeFloatingIp (up to 2.43): the network service's floating IP on one of
// the server's ports (routes/compute/floating-ips.ts).

const Add = z.strictObject({ address: z.string().min(1), fixed_address: z.string().min(1).optional() });
const Remove = z.strictObject({ address: z.string().min(1) });

function check(a: ActionContext): void {
  if (versionOf(a.c).atLeast('2.44')) throw notFound('The resource could not be found.');
}

export const floatingIpActions: Record<string, ActionHandler> = {
  async addFloatingIp(a) {
    check(a);
    const { address, fixed_address } = bodyOf(a, Add);
    await associate(netContext(a.c), a.s, address, fixed_address);
    await record(a, 'addFloatingIp');
    return undefined;
  },
  async removeFloatingIp(a) {
    check(a);
    const { address } = bodyOf(a, Remove);
    await disassociate(netContext(a.c), a.s, address);
    await record(a, 'removeFloatingIp');
    return undefined;
  },
};
