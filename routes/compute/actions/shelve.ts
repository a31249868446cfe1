import { z } from '@hono/zod-openapi';
import { CA } from '../../../src/compute/model.ts';
import { ZONE_LABEL, listNodes, requestedZone } from '../../../src/compute/zones.ts';
import { conflict } from '../../../src/core/faults.ts';
import { versionOf } from '../common.ts';
import { checkState } from '../server-common.ts';
import { type ActionContext, type ActionHandler, bodyOf, kubevirt, record } from './context.ts';
import { snapshotImage } from './create-image.ts';
import { deleteImage, getImage, imageContext } from '../../../src/image/service.ts';

// shelve/unshelve (nova shelve.py): a shelved server is a stopped VM marked shelved; its disk
// stays (nothing to offload to), so it goes straight to SHELVED_OFFLOADED as Nova does with
// shelved_offload_time = 0. As in Nova, a server with a root disk leaves a snapshot image
// `<name>-shelved`, which unshelve deletes. Unshelve starts it again; from 2.77 it may name a
// new zone.

/** 2.77: `{"unshelve": null}` or `{"unshelve": {"availability_zone": "az"}}`, nothing else. */
const Unshelve277 = z.union([z.null(), z.strictObject({ availability_zone: z.string() })]);

/** The zone an unshelve asks for (2.77), validated against the nodes' zones; undefined = keep. */
async function unshelveZone(a: ActionContext): Promise<string | null | undefined> {
  if (!versionOf(a.c).atLeast('2.77')) return undefined;
  const body = bodyOf(a, Unshelve277);
  if (!body) return undefined;
  if (a.s.state.vmState !== 'shelved_offloaded') {
    throw conflict(`The unshelve action on a server with availability zone specified is only valid when the server is SHELVED_OFFLOADED; instance ${a.s.id} is in vm_state ${a.s.state.vmState}.`);
  }
  return requestedZone(await listNodes(a.c.get('region').kube), body.availability_zone);
}

export const shelveActions: Record<string, ActionHandler> = {
  async shelve(a) {
    checkState(a.s, 'shelve', ['active', 'stopped', 'paused', 'suspended']);
    if (a.s.state.vmState !== 'stopped') await kubevirt(a, 'shelve', 'stop');
    const image = a.s.rootDataVolume ? await snapshotImage(a, `${a.s.name}-shelved`, { image_type: 'snapshot' }) : undefined;
    await record(a, 'shelve', { task: ['shelving', 'stopped'], state: 'shelved_offloaded', ...(image ? { annotations: { [CA.shelvedImage]: image.id } } : {}) });
    return undefined;
  },
  async shelveOffload(a) {
    checkState(a.s, 'shelveOffload', ['shelved']);
    await record(a, 'shelveOffload', { state: 'shelved_offloaded' });
    return undefined;
  },
  async unshelve(a) {
    checkState(a.s, 'unshelve', ['shelved', 'shelved_offloaded']);
    const zone = await unshelveZone(a);
    // The new zone becomes the VM's zone selector before it starts (null: Nova's default
    // zone, anywhere), and the server's recorded zone.
    if (zone !== undefined) await a.store.patchVm(a.s, { spec: { template: { spec: { nodeSelector: { [ZONE_LABEL]: zone } } } } });
    await kubevirt(a, 'unshelve', 'start');
    await record(a, 'unshelve', {
      task: ['unshelving', 'running', 'shelved_offloaded'],
      state: null,
      annotations: { [CA.shelvedImage]: null, ...(zone !== undefined ? { [CA.availabilityZone]: zone } : {}) },
    });
    // The shelved image has served (Nova deletes it too); one already gone is fine.
    const shelved = a.s.vm.metadata.annotations?.[CA.shelvedImage];
    if (shelved) {
      const ctx = imageContext(a.c);
      await getImage(ctx, shelved).then((l) => deleteImage(ctx, l.record), () => undefined);
    }
    return undefined;
  },
};
