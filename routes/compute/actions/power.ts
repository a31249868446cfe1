import { z } from '@hono/zod-openapi';
import { checkState } from '../server-common.ts';
import { type ActionHandler, bodyOf, kubevirt, record } from './context.ts';

// os-start, os-stop, reboot (nova servers.py _start_server/_stop_server/_action_reboot).
// A stop sets runStrategy Halted, a start Always; SOFT reboot is the VMI's softreboot, HARD
// the VM's restart (a new VMI: the task ends when another VMI runs).

const Reboot = z.object({ type: z.string().transform((t) => t.toUpperCase()).pipe(z.enum(['SOFT', 'HARD'])) });

export const powerActions: Record<string, ActionHandler> = {
  async 'os-start'(a) {
    checkState(a.s, 'start', ['stopped']);
    await kubevirt(a, 'start', 'start');
    await record(a, 'start', { task: ['powering-on', 'running'] });
    return undefined;
  },
  async 'os-stop'(a) {
    checkState(a.s, 'stop', ['active', 'error', 'rescued', 'paused', 'suspended', 'resized']);
    await kubevirt(a, 'stop', 'stop');
    await record(a, 'stop', { task: ['powering-off', 'stopped'] });
    return undefined;
  },
  async reboot(a) {
    const { type } = bodyOf(a, Reboot);
    if (type === 'SOFT') {
      checkState(a.s, 'reboot', ['active'], [null, 'rebooting', 'reboot_pending', 'reboot_started']);
      await kubevirt(a, 'reboot', 'softreboot');
      await record(a, 'reboot', { task: ['rebooting', 'running'] });
      return undefined;
    }
    checkState(a.s, 'reboot', ['active', 'stopped', 'paused', 'suspended', 'error'], [null, 'rebooting', 'reboot_pending', 'reboot_started', 'rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard']);
    if (a.s.vmi && a.s.state.vmState !== 'stopped') {
      await kubevirt(a, 'reboot', 'restart');
      await record(a, 'reboot', { task: ['rebooting_hard', 'running'], replacesVmi: true, state: a.s.state.vmState === 'suspended' ? null : undefined });
    } else {
      await kubevirt(a, 'reboot', 'start');
      await record(a, 'reboot', { task: ['rebooting_hard', 'running'], state: null });
    }
    return undefined;
  },
};
