import { z } from '@hono/zod-openapi';
import { dropFlavorCopy, flavorExists, keepFlavor } from '../../../src/compute/flavor-revisions.ts';
import { Flavors, visibleTo } from '../../../src/compute/flavors.ts';
import { CA } from '../../../src/compute/model.ts';
import { admitResize, readQuotas, usageOf } from '../../../src/compute/quotas.ts';
import { listNodes } from '../../../src/compute/zones.ts';
import { badRequest, conflict } from '../../../src/core/faults.ts';
import { requireAdmin, versionOf } from '../common.ts';
import { checkState } from '../server-common.ts';
import { type ActionContext, type ActionHandler, bodyOf, kubevirt, record } from './context.ts';
import { quotaDefaults } from '../../../src/compute/quota-classes.ts';

// resize / confirmResize / revertResize (a new instancetype on the VM, then a restart: the
// VMI is rebuilt from the new size), migrate / os-migrateLive (admins: KubeVirt live
// migration, the only way KubeVirt moves a VM; a cold `migrate` ends in VERIFY_RESIZE as in
// Nova, so confirm/revert work the same).

const Resize = z.looseObject({ flavorRef: z.union([z.string().min(1), z.number()]).transform(String), 'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional() });
const MigrateLive = z.looseObject({ host: z.string().nullable().optional(), block_migration: z.union([z.boolean(), z.string()]).optional() });
const Migrate = z.looseObject({ host: z.string().nullable().optional() }).nullable().optional();

/** The VM's flavor: an instancetype by name, or (`revision`) a kept copy of one. */
async function setFlavor(a: ActionContext, flavorId: string, revision?: string): Promise<void> {
  await a.store.patchVm(a.s, { spec: { instancetype: { name: flavorId, kind: 'VirtualMachineClusterInstancetype', revisionName: revision ?? null } } });
}

async function targetHost(a: ActionContext, host: string | null | undefined): Promise<Record<string, string> | undefined> {
  if (!host) return undefined;
  const nodes = await listNodes(a.c.get('region').kube);
  if (!nodes.some((n) => n.metadata.name === host)) throw badRequest(`Compute host ${host} could not be found.`);
  if (host === a.s.node) throw badRequest(`The target host can't be the same one: ${host}.`);
  return { 'kubernetes.io/hostname': host };
}

export const resizeActions: Record<string, ActionHandler> = {
  async resize(a) {
    const { flavorRef, 'OS-DCF:diskConfig': diskConfig } = bodyOf(a, Resize);
    checkState(a.s, 'resize', ['active', 'stopped']);
    const f = await new Flavors(a.c.get('region').kube).get(flavorRef.split('/').pop() ?? '');
    if (!f || !visibleTo(f, a.auth.projectId, a.auth.isAdmin)) throw badRequest('Unable to locate requested flavor.');
    if (f.id === a.s.flavorId) throw badRequest('When resizing, instances must change flavor!');
    const flavors = new Map((await new Flavors(a.c.get('region').kube).list()).map((x) => [x.id, x]));
    const [quotas, servers] = await Promise.all([readQuotas(a.auth.kube, a.s.namespace, quotaDefaults(a.c.get('region').kube)), a.store.list({ namespace: a.s.namespace })]);
    admitResize(quotas, usageOf(servers, flavors), flavors.get(a.s.flavorId), f);
    const kept = await keepFlavor(a.c.get('region').kube, a.s.vm);
    await setFlavor(a, f.id);
    const running = a.s.state.vmState === 'active';
    if (running) await kubevirt(a, 'resize', 'restart');
    await record(a, 'resize', {
      task: running ? ['resize_migrating', 'running'] : ['resize_prep', 'stopped'],
      replacesVmi: running,
      state: 'resized',
      annotations: { [CA.resizeFrom]: a.s.flavorId, [CA.resizeFromRevision]: kept ?? null, [CA.flavor]: f.id, ...(diskConfig ? { [CA.diskConfig]: diskConfig } : {}) },
    });
    return undefined;
  },
  async confirmResize(a) {
    checkState(a.s, 'confirmResize', ['resized']);
    await record(a, 'confirmResize', { state: null, annotations: { [CA.resizeFrom]: null, [CA.resizeFromRevision]: null } });
    await dropFlavorCopy(a.c.get('region').kube, a.s.vm, a.s.vm.metadata.annotations?.[CA.resizeFromRevision]);
    return a.c.body(null, 204);
  },
  async revertResize(a) {
    checkState(a.s, 'revertResize', ['resized']);
    const from = a.s.vm.metadata.annotations?.[CA.resizeFrom] ?? a.s.flavorId;
    const kept = a.s.vm.metadata.annotations?.[CA.resizeFromRevision];
    const running = !!a.s.vmi;
    if (from !== a.s.flavorId) {
      // The flavor itself while it exists; its kept copy once it was deleted.
      const gone = !(await flavorExists(a.c.get('region').kube, from));
      if (gone && !kept) throw conflict(`Cannot revert the resize: flavor ${from} was deleted and no copy of it was kept.`);
      await setFlavor(a, from, gone ? kept : undefined);
      if (running) await kubevirt(a, 'revertResize', 'restart');
    }
    await record(a, 'revertResize', {
      task: running && from !== a.s.flavorId ? ['resize_reverting', 'running', 'resized'] : undefined,
      replacesVmi: running,
      state: null,
      annotations: { [CA.resizeFrom]: null, [CA.resizeFromRevision]: null, [CA.flavor]: from },
    });
    return undefined;
  },
  async migrate(a) {
    requireAdmin(a.auth, 'os_compute_api:os-migrate-server:migrate');
    const body = bodyOf(a, Migrate);
    checkState(a.s, 'migrate', ['active', 'stopped']);
    const selector = versionOf(a.c).atLeast('2.56') ? await targetHost(a, body?.host) : undefined;
    const running = a.s.state.vmState === 'active';
    if (running) await kubevirt(a, 'migrate', 'migrate', selector ? { addedNodeSelector: selector } : {});
    await record(a, 'migrate', {
      task: running ? ['resize_migrating', 'migrated'] : undefined,
      state: 'resized',
      annotations: { [CA.resizeFrom]: a.s.flavorId },
    });
    return undefined;
  },
  async 'os-migrateLive'(a) {
    requireAdmin(a.auth, 'os_compute_api:os-migrate-server:migrate_live');
    const body = bodyOf(a, MigrateLive);
    checkState(a.s, 'os-migrateLive', ['active', 'paused']);
    const selector = await targetHost(a, body.host);
    await kubevirt(a, 'os-migrateLive', 'migrate', selector ? { addedNodeSelector: selector } : {});
    await record(a, 'live-migration', { task: ['migrating', 'migrated'] });
    return undefined;
  },
};
