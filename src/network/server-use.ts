import { CA, CL, StringList, type VirtualMachine } from '../compute/model.ts';
import { R } from '../kube/index.ts';
import type { NetContext } from './context.ts';
import type { GroupRec } from './security-groups.ts';

// Which servers use a security group. Servers on the pod network name their groups in an
// annotation (Nova's request, addSecurityGroup/removeSecurityGroup); a group named there
// cannot be deleted while the server exists (one LIST of the namespace's VMs).

export async function groupUsedByServers(ctx: NetContext, g: GroupRec): Promise<boolean> {
  const vms = await ctx.gw.listAll<VirtualMachine>(R.virtualMachines, { namespace: g.namespace, labelSelector: `${CL.server}=true` });
  return vms.items.some((vm) => {
    if (vm.metadata.deletionTimestamp) return false;
    const names = StringList(vm.metadata.annotations?.[CA.securityGroups]);
    return names.includes(g.attrs.name) || names.includes(g.id);
  });
}
