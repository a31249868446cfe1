import { checkState } from '../server-common.ts';
import { type ActionHandler, kubevirt, record } from './context.ts';

// pause/unpause are KubeVirt's VMI pause/unpause. KubeVirt has no suspend-to-disk for a
// running VMI, so suspend/resume are pause/unpause too, remembered as Nova's `suspended`
// state (power_state 7, status SUSPENDED) until resumed.

export const pauseActions: Record<string, ActionHandler> = {
  async pause(a) {
    checkState(a.s, 'pause', ['active']);
    await kubevirt(a, 'pause', 'pause');
    await record(a, 'pause', { task: ['pausing', 'paused'] });
    return undefined;
  },
  async unpause(a) {
    checkState(a.s, 'unpause', ['paused']);
    await kubevirt(a, 'unpause', 'unpause');
    await record(a, 'unpause', { task: ['unpausing', 'unpaused'] });
    return undefined;
  },
  async suspend(a) {
    checkState(a.s, 'suspend', ['active']);
    await kubevirt(a, 'suspend', 'pause');
    await record(a, 'suspend', { task: ['suspending', 'paused'], state: 'suspended' });
    return undefined;
  },
  async resume(a) {
    checkState(a.s, 'resume', ['suspended']);
    await kubevirt(a, 'resume', 'unpause');
    await record(a, 'resume', { task: ['resuming', 'unpaused', 'suspended'], state: null });
    return undefined;
  },
};
