import { AlreadyExistsError, type KubeClient, type KubeObject, R } from '../kube/index.ts';
import { DICOT_CRDS } from '../core/crds.ts';

// Installs (or updates) Dicot's CRDs on a cluster: `dicot bootstrap` runs it with an admin
// credential; the gateway itself never changes cluster-scoped definitions.

export async function installDicotCrds(kube: KubeClient, crds: KubeObject[] = DICOT_CRDS): Promise<string[]> {
  const names: string[] = [];
  for (const crd of crds) {
    const name = crd.metadata.name ?? '';
    try {
      await kube.create(R.customResourceDefinitions, crd);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const cur = await kube.get(R.customResourceDefinitions, name);
      await kube.replace(R.customResourceDefinitions, { ...crd, metadata: { ...crd.metadata, resourceVersion: cur.metadata.resourceVersion } });
    }
    names.push(name);
  }
  return names;
}
