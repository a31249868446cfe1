import type { Config } from '../config/index.ts';
import type { AuthContext } from './auth.ts';
import type { KubeClient } from '../kube/index.ts';
import type { Platform } from '../platform.ts';
import type { Service } from './faults.ts';
import type { ApiVersion } from './microversion.ts';

/** One region of the region set as the gateway uses it. */
export interface Region {
  name: string;
  /** The gateway's own client for this region's cluster (impersonate users with `.as()`). */
  kube: KubeClient;
}

export interface Gateway {
  config: Config;
  platform: Platform;
  regions: Map<string, Region>;
  identityRegion: Region;
}

/** Hono environment shared by every route of the gateway. */
export type GatewayEnv = {
  Variables: {
    gateway: Gateway;
    requestId: string;
    service: Service;
    /** Public base URL (configured, or the request's origin), without a trailing slash. */
    baseUrl: string;
    region: Region;
    version: ApiVersion;
    /** Set by authentication, for logs. */
    userId: string | undefined;
    projectId: string | undefined;
    /** The verified token's caller (set by `requireAuth`). */
    auth: AuthContext | undefined;
  };
};

const REGIONAL: Record<string, Service> = { compute: 'compute', image: 'image', network: 'network', volume: 'volume' };

/** Which service a path belongs to, so errors anywhere are worded in that service's format. */
export function serviceOfPath(path: string): Service {
  const [first, second] = path.split('/').filter(Boolean);
  if (first === 'identity') return 'identity';
  return (second && REGIONAL[second]) || 'gateway';
}
