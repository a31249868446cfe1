import { UUID_LOOSE } from '../../src/core/names.ts';
import type { z } from '@hono/zod-openapi';
import { type Flavor, Flavors, visibleTo } from '../../src/compute/flavors.ts';
import { claimRootVolume, releaseRootVolume, rootVolume, rootVolumeAnnotations } from '../../src/compute/boot-volume.ts';
import { type BootImage, resolveBootImage } from '../../src/compute/images.ts';
import { CA, type KubeSecret, b64decode, sha256Hex, slug } from '../../src/compute/model.ts';
import { admit, readQuotas, usageOf } from '../../src/compute/quotas.ts';
import { ServerGroups } from '../../src/compute/server-groups.ts';
import { type ServerCreate, buildVm, cloudInitSecret, rootDiskGiB, sshSecret } from '../../src/compute/servers.ts';
import { listNodes, requestedZone } from '../../src/compute/zones.ts';
import { badRequest, forbidden } from '../../src/core/faults.ts';
import { R } from '../../src/kube/index.ts';
import { type Ctx, authOf, callerNamespace, versionOf } from './common.ts';
import { keypairStore } from './keypairs.ts';
import { accessIp, serverStore } from './server-common.ts';
import { instanceNetworking, resolveNetworks } from './server-networks.ts';
import type { ServerCreateBody } from './schemas/servers.ts';
import { quotaDefaults } from '../../src/compute/quota-classes.ts';

// POST /servers (nova servers.py create): every check before anything is written, then one
// VM per instance (its cloud-init and SSH-key Secrets owned by it). A VM whose Secrets cannot
// be written is deleted again, so a failed create leaves nothing behind.

type Body = z.infer<typeof ServerCreateBody>;
const MAX_METADATA = 128;

const lastSegment = (ref: string) => ref.split('/').filter(Boolean).pop() ?? '';

function randomText(n: number, alphabet: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}
export const generatePassword = () => randomText(12, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789');

async function bootImage(c: Ctx, ref: string | undefined, hasBdm: boolean): Promise<BootImage> {
  if (!ref) {
    if (hasBdm) throw badRequest('Booting from volume is not supported yet: give an imageRef.');
    throw badRequest('Missing imageRef attribute');
  }
  const id = lastSegment(ref);
  if (!UUID_LOOSE.test(id)) throw badRequest('Invalid imageRef provided.');
  const image = await resolveBootImage(c, id);
  if (!image) throw badRequest(`Image ${id} could not be found.`);
  if (image.status !== 'active') throw badRequest(`Image ${id} is not active.`);
  return image;
}

async function flavorFor(c: Ctx, ref: string): Promise<Flavor> {
  const auth = authOf(c);
  const f = await new Flavors(c.get('region').kube).get(lastSegment(ref));
  if (!f || !visibleTo(f, auth.projectId, auth.isAdmin)) throw badRequest('Invalid flavorRef provided.');
  return f;
}

/** Base64 user data, whitespace removed; null when none. Nova's 400 otherwise. */
export function userData(raw: string | null | undefined): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const text = raw.replace(/\s+/g, '');
  try {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('bad');
    b64decode(text);
  } catch {
    throw badRequest('User data needs to be valid base 64.');
  }
  return text;
}

async function zoneAndHost(c: Ctx, az: string | undefined, body: Body['server']): Promise<{ zone: string | null; host: string | null }> {
  const auth = authOf(c);
  const v = versionOf(c);
  let zone: string | null = null;
  let host: string | null = null;
  if (az) {
    const [z, h, node] = az.split(':');
    zone = z || null;
    host = node || h || null;
    if (host && !auth.isAdmin) throw forbidden("Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.");
  }
  if (v.atLeast('2.74') && (body.host || body.hypervisor_hostname)) {
    if (!auth.isAdmin) throw forbidden("Policy doesn't allow compute:servers:create:requested_destination to be performed.");
    host = body.hypervisor_hostname ?? body.host ?? null;
  }
  const nodes = await listNodes(c.get('region').kube);
  if (zone) zone = requestedZone(nodes, zone);
  if (host && !nodes.some((n) => n.metadata.name === host)) throw badRequest(`Compute host ${host} could not be found.`);
  return { zone, host };
}

function networksOf(c: Ctx, nets: Body['server']['networks']): 'pod' | 'none' {
  const v = versionOf(c);
  if (nets === undefined) {
    if (v.atLeast('2.37')) throw badRequest("Invalid input for field/attribute server. 'networks' is a required property");
    return 'pod';
  }
  if (nets === 'none') return 'none';
  if (nets === 'auto') return 'pod';
  for (const n of nets) {
    if (n.uuid !== undefined && !UUID_LOOSE.test(n.uuid)) throw badRequest(`Bad networks format: network uuid is not in proper format (${n.uuid})`);
  }
  // The network service resolves the networks and ports (server-networks.ts).
  return 'pod';
}

export interface Created {
  ids: string[];
  reservationId: string;
  adminPass: string;
  diskConfig: string;
  securityGroups: string[];
}

export async function createServers(c: Ctx, req: Body): Promise<Created> {
  const v = versionOf(c);
  const auth = authOf(c);
  const s = req.server;
  if (s.description !== undefined && !v.atLeast('2.19')) throw badRequest("Invalid input for field/attribute server. Additional properties are not allowed ('description' was unexpected)");
  if (s.tags !== undefined && !v.atLeast('2.52')) throw badRequest("Invalid input for field/attribute server. Additional properties are not allowed ('tags' was unexpected)");
  if (s.personality !== undefined && v.atLeast('2.57')) throw badRequest("Invalid input for field/attribute server. Additional properties are not allowed ('personality' was unexpected)");
  if (s.name.trim() !== s.name || s.name.trim() === '') throw badRequest('Invalid input for field/attribute name. Value: must not have leading or trailing whitespace.');
  for (const t of s.tags ?? []) if (/[,/]/.test(t)) throw badRequest(`Invalid input for field/attribute tags. Value: ${t}. Tags may not contain ',' or '/'.`);
  const metadata = s.metadata ?? {};
  if (Object.keys(metadata).length > MAX_METADATA) throw forbidden(`Maximum number of metadata items exceeds ${MAX_METADATA}`);
  const min = s.min_count ?? 1;
  const max = s.max_count ?? min;
  if (min > max) throw badRequest('min_count must be <= max_count');
  const namespace = await callerNamespace(c);
  const projectId = auth.projectId as string;

  const flavor = await flavorFor(c, s.flavorRef);
  // Boot from volume (src/compute/boot-volume.ts): the root disk is a Cinder volume.
  const rootPlan = await rootVolume(c, s.block_device_mapping_v2 ?? [], max);
  const image = rootPlan?.image ?? (await bootImage(c, s.imageRef, (s.block_device_mapping_v2 ?? s.block_device_mapping ?? []).length > 0));
  if (image.minRam > flavor.ram) throw badRequest("Flavor's memory is too small for requested image.");
  if (flavor.disk > 0 && image.minDisk > flavor.disk) throw badRequest("Flavor's disk is too small for requested image.");
  let publicKey: string | null = null;
  if (s.key_name) {
    const kp = await keypairStore(c).get(auth.userId, s.key_name);
    if (!kp) throw badRequest('Invalid key_name provided.');
    publicKey = kp.publicKey;
  }
  const ud = userData(s.user_data);
  const accessIPs = { v4: accessIp('accessIPv4', s.accessIPv4), v6: accessIp('accessIPv6', s.accessIPv6) };
  const { zone, host } = await zoneAndHost(c, s.availability_zone, s);
  const resolved = await resolveNetworks(c, networksOf(c, s.networks), Array.isArray(s.networks) ? s.networks : undefined);
  const networks = resolved.networks;
  const hints = req['OS-SCH-HNT:scheduler_hints'] ?? req['os:scheduler_hints'];
  let group: ServerCreate['group'] = null;
  if (hints?.group) {
    const g = await new ServerGroups(auth.kube).get(namespace, hints.group);
    if (!g) throw badRequest(`Invalid server group ${hints.group}`);
    group = { id: g.id, policy: g.policy };
  }

  const store = serverStore(c);
  const flavors = new Map((await new Flavors(c.get('region').kube).list()).map((f) => [f.id, f]));
  const [quotas, existing] = await Promise.all([readQuotas(auth.kube, namespace, quotaDefaults(c.get('region').kube)), store.list({ namespace })]);
  const count = admit(quotas, usageOf(existing, flavors), flavor, min, max);

  const requestId = c.get('requestId');
  const reservationId = `r-${randomText(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
  const adminPass = s.adminPass ?? generatePassword();
  const attached = networks === 'pod' || (resolved.plan?.attachments.length ?? 0) > 0;
  const securityGroups = attached ? (s.security_groups ?? [{ name: 'default' }]).map((g) => g.name) : [];
  const diskConfig = s['OS-DCF:diskConfig'] ?? 'AUTO';
  const configDrive = s.config_drive === true || (typeof s.config_drive === 'string' && /^(true|1|yes|on)$/i.test(s.config_drive));
  const rootVol = await rootPlan?.make();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = count > 1 ? `${s.name}-${i + 1}` : s.name;
    // Deterministic from the request: a retry of this request meets its own objects.
    const digest = await sha256Hex(`${requestId}/${i}`);
    const object = `${slug(name, 40)}-${digest.slice(0, 5)}`;
    const spec: ServerCreate = {
      name,
      object,
      namespace,
      projectId,
      userId: auth.userId,
      requestId,
      flavorId: flavor.id,
      image,
      rootDiskGiB: rootDiskGiB(flavor.disk, image),
      metadata,
      keyName: s.key_name ?? null,
      publicKey,
      userData: ud,
      adminPass,
      networks,
      // Nova's MAC prefix; fixed in the VM so every pod the server runs in keeps it.
      podMac: `fa:16:3e:${digest.slice(5, 11).replace(/(..)(?!$)/g, '$1:')}`,
      securityGroups,
      zone,
      host,
      description: s.description ?? null,
      tags: s.tags ?? [],
      diskConfig,
      configDrive,
      reservationId,
      launchIndex: i,
      accessIPv4: accessIPs.v4 ?? '',
      accessIPv6: accessIPs.v6 ?? '',
      group,
      rootVolume: rootVol?.claim,
    };
    const net = await instanceNetworking(c, resolved, namespace, projectId, securityGroups);
    const vmBody = buildVm(spec);
    net.apply(vmBody);
    vmBody.metadata.annotations = {
      ...vmBody.metadata.annotations,
      ...(rootVol ? rootVolumeAnnotations(rootVol) : {}),
      [CA.actions]: JSON.stringify([
        { action: 'create', request_id: requestId, user_id: auth.userId, project_id: projectId, start_time: new Date().toISOString(), finish_time: null, message: null, result: null },
      ]),
    };
    const vm = await auth.kube.create(R.virtualMachines, vmBody).catch(async (e: unknown) => {
      await net.abort();
      if (rootVol) await releaseRootVolume(c, rootVol);
      throw e;
    });
    store.remember(vm);
    if (rootVol) await claimRootVolume(c, rootVol, vm);
    try {
      await net.bind(vm.metadata.uid ?? '');
      const secrets = [cloudInitSecret(vm, spec), sshSecret(vm, spec)].filter((x): x is KubeSecret => x !== undefined);
      for (const secret of secrets) await auth.kube.create(R.secrets, secret);
    } catch (err) {
      await auth.kube.delete(R.virtualMachines, object, { namespace, propagationPolicy: 'Background' }).catch(() => undefined);
      await net.abort();
      throw err;
    }
    ids.push(vm.metadata.uid ?? '');
  }
  return { ids, reservationId, adminPass, diskConfig, securityGroups };
}
