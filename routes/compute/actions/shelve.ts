import { checkState } from '../server-common.ts';
import { type ActionHandler, kubevirt, record } from './context.ts';

// shelve/unshelve (nova shelve.py): a shelved server is a stopped VM marked shelved; its disk
// stays (nothing to offload to), so it goes straight to SHELVED_OFFLOADED as Nova does with
// shelved_offload_time = 0. Unshelve starts it again.

export const shelveActions: Record<string, ActionHandler> = {
  async shelve(a) {
    checkState(a.s, 'shelve', ['active', 'stopped', 'paused', 'suspended']);
    if (a.s.state.vmState !== 'stopped') await kubevirt(a, 'shelve', 'stop');
    await record(a, 'shelve', { task: ['shelving', 'stopped'], state: 'shelved_offloaded' });
    return undefined;
  },
  async shelveOffload(a) {
    checkState(a.s, 'shelveOffload', ['shelved']);
    await record(a, 'shelveOffload', { state: 'shelved_offloaded' });
    return undefined;
  },
  async unshelve(a) {
    checkState(a.s, 'unshelve', ['shelved', 'shelved_offloaded']);
    await kubevirt(a, 'unshelve', 'start');
    await record(a, 'unshelve', { task: ['unshelving', 'running', 'shelved_offloaded'], state: null });
    return undefined;
  },
};
