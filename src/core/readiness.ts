import { R } from '../kube/index.ts';
import type { Region } from './context.ts';

export interface RegionReadiness {
  region: string;
  ready: boolean;
  error?: string;
}

/** Whether a region's Kubernetes API answers the gateway's credentials (one cheap LIST). */
export async function checkRegion(region: Region, timeoutMs = 3000): Promise<RegionReadiness> {
  try {
    await region.kube.list(R.namespaces, { limit: 1, signal: AbortSignal.timeout(timeoutMs) });
    return { region: region.name, ready: true };
  } catch (err) {
    return { region: region.name, ready: false, error: err instanceof Error ? err.message : String(err) };
  }
}
