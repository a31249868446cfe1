import { z } from '@hono/zod-openapi';
import { resolveBootImage } from '../../../src/compute/images.ts';
import { CA, sha256Hex } from '../../../src/compute/model.ts';
import { ROOT_VOLUME, cloudInitSecretName, cloudInitUserData, rootDiskGiB, rootDiskSpec, sshAccessCredentials, sshKeySecret, sshSecretName } from '../../../src/compute/servers.ts';
import { NotFoundError } from '../../../src/kube/index.ts';
import { keypairStore } from '../keypairs.ts';
import { Flavors } from '../../../src/compute/flavors.ts';
import { badRequest } from '../../../src/core/faults.ts';
import { R } from '../../../src/kube/index.ts';
import { Metadata } from '../schemas/common.ts';
import { versionOf } from '../common.ts';
import { accessIp, checkState, viewContext } from '../server-common.ts';
import { generatePassword, userData } from '../server-create.ts';
import { serverRebuilt } from '../views/servers.ts';
import { type ActionHandler, bodyOf, kubevirt, record } from './context.ts';
import { UUID_LOOSE } from '../../../src/core/names.ts';

// rebuild (nova servers.py _action_rebuild): same server (same VM, same id), a new root disk
// from the new image: a new DataVolume template replaces the root volume, the old one is
// deleted, and a running VM restarts on the new disk. Answers 202 with the server.

const Rebuild = z.looseObject({
  imageRef: z.string().min(1),
  name: z.string().min(1).max(255).optional(),
  adminPass: z.string().optional(),
  metadata: Metadata.optional(),
  accessIPv4: z.string().optional(),
  accessIPv6: z.string().optional(),
  'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
  description: z.string().max(255).nullable().optional(),
  preserve_ephemeral: z.boolean().optional(),
  user_data: z.string().nullable().optional(),
  key_name: z.string().nullable().optional(),
});

export const rebuildActions: Record<string, ActionHandler> = {
  async rebuild(a) {
    const body = bodyOf(a, Rebuild);
    if (body.description !== undefined && !versionOf(a.c).atLeast('2.19')) throw badRequest("Invalid input for field/attribute rebuild. Additional properties are not allowed ('description' was unexpected)");
    // 2.57: new user data (null removes it), the cloud-init the rebuilt server boots with.
    if (body.user_data !== undefined && !versionOf(a.c).atLeast('2.57')) throw badRequest("Invalid input for field/attribute rebuild. Additional properties are not allowed ('user_data' was unexpected)");
    const newUserData = body.user_data === undefined ? undefined : userData(body.user_data);
    // 2.54: a new key pair (null removes it), injected at the rebuilt server's first boot.
    if (body.key_name !== undefined && !versionOf(a.c).atLeast('2.54')) throw badRequest("Invalid input for field/attribute rebuild. Additional properties are not allowed ('key_name' was unexpected)");
    let key: { name: string | null; publicKey: string | null } | undefined;
    if (body.key_name === null) key = { name: null, publicKey: null };
    else if (body.key_name !== undefined) {
      const kp = await keypairStore(a.c).get(a.auth.userId, body.key_name);
      if (!kp) throw badRequest('Invalid key_name provided.');
      key = { name: kp.name, publicKey: kp.publicKey };
    }
    checkState(a.s, 'rebuild', ['active', 'stopped', 'error']);
    // A volume-booted server's root disk is a Cinder volume, not the server's to replace.
    if (a.s.rootDataVolume && !(a.s.vm.spec.dataVolumeTemplates ?? []).some((t) => t.metadata.name === a.s.rootDataVolume)) {
      throw badRequest('Rebuilding a volume-backed server is not supported.');
    }
    const v4 = accessIp('accessIPv4', body.accessIPv4);
    const v6 = accessIp('accessIPv6', body.accessIPv6);
    const imageId = body.imageRef.split('/').pop() ?? '';
    if (!UUID_LOOSE.test(imageId)) throw badRequest('Invalid imageRef provided.');
    const image = await resolveBootImage(a.c, imageId);
    if (!image) throw badRequest('Cannot find image for rebuild');
    if (image.status !== 'active') throw badRequest(`Image ${imageId} is not active.`);
    const flavor = await new Flavors(a.c.get('region').kube).get(a.s.flavorId);
    const dvName = `${a.s.object}-root-${(await sha256Hex(a.c.get('requestId'))).slice(0, 5)}`;
    const tpl = a.s.vm.spec.template?.spec ?? {};
    const volumes = (tpl.volumes ?? []).map((v) => (v.name === ROOT_VOLUME ? { name: ROOT_VOLUME, dataVolume: { name: dvName } } : v));
    const others = (a.s.vm.spec.dataVolumeTemplates ?? []).filter((t) => t.metadata.name !== a.s.rootDataVolume);
    await a.store.patchVm(a.s, {
      spec: {
        dataVolumeTemplates: [...others, { metadata: { name: dvName }, spec: rootDiskSpec(image, rootDiskGiB(flavor?.disk ?? 0, image)) }],
        template: { spec: { volumes, ...(key ? { accessCredentials: key.publicKey ? sshAccessCredentials(a.s.object, a.s.configDrive === 'True') : null } : {}) } },
      },
    });
    if (key) {
      const ns = { namespace: a.s.namespace };
      const ignoreMissing = (e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e));
      if (key.publicKey === null) await a.auth.kube.delete(R.secrets, sshSecretName(a.s.object), ns).catch(ignoreMissing);
      else {
        const secret = sshKeySecret(a.s.vm, a.s.namespace, a.s.object, key.publicKey);
        await a.auth.kube.patch(R.secrets, sshSecretName(a.s.object), { data: secret.data }, { ...ns, type: 'merge' }).catch(async (e: unknown) => {
          if (!(e instanceof NotFoundError)) throw e;
          await a.auth.kube.create(R.secrets, secret);
        });
      }
    }
    if (newUserData !== undefined) {
      await a.auth.kube.patch(R.secrets, cloudInitSecretName(a.s.object), { data: { userdata: cloudInitUserData(newUserData) } }, { namespace: a.s.namespace, type: 'merge' });
    }
    if (a.s.rootDataVolume) {
      await a.auth.kube.delete(R.dataVolumes, a.s.rootDataVolume, { namespace: a.s.namespace }).catch(() => undefined);
    }
    const running = !!a.s.vmi && a.s.state.vmState !== 'stopped';
    if (running) await kubevirt(a, 'rebuild', 'restart');
    await record(a, 'rebuild', {
      task: running ? ['rebuilding', 'running'] : ['rebuilding', 'stopped'],
      replacesVmi: running,
      state: a.s.state.vmState === 'error' ? null : undefined,
      annotations: {
        [CA.image]: imageId,
        ...(body.name !== undefined ? { [CA.name]: body.name } : {}),
        ...(newUserData !== undefined ? { [CA.userData]: newUserData } : {}),
        ...(key ? { [CA.keyName]: key.name } : {}),
        ...(body.metadata !== undefined ? { [CA.metadata]: JSON.stringify(body.metadata) } : {}),
        ...(body.description !== undefined ? { [CA.description]: body.description } : {}),
        ...(v4 !== undefined ? { [CA.accessIPv4]: v4 } : {}),
        ...(v6 !== undefined ? { [CA.accessIPv6]: v6 } : {}),
        ...(body['OS-DCF:diskConfig'] !== undefined ? { [CA.diskConfig]: body['OS-DCF:diskConfig'] } : {}),
      },
    });
    const after = await a.store.reload(a.s);
    const view = serverRebuilt(after, await viewContext(a.c));
    return a.c.json({ server: { ...view, adminPass: body.adminPass ?? generatePassword() } }, 202);
  },
};
