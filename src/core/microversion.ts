import type { MiddlewareHandler } from 'hono';
import { ApiFault } from './faults.ts';

// The one microversion mechanism, shared by compute and volume.

export class ApiVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): ApiVersion | undefined {
    const m = /^(\d+)\.(\d+)$/.exec(text.trim());
    return m ? new ApiVersion(Number(m[1]), Number(m[2])) : undefined;
  }

  compare(other: ApiVersion | string): number {
    const o = typeof other === 'string' ? ApiVersion.parse(other) : other;
    if (!o) throw new Error(`bad version literal ${String(other)}`);
    return this.major - o.major || this.minor - o.minor;
  }

  /** True when this version is at or above `v`: views use it as `version.atLeast('2.47')`. */
  atLeast(v: string): boolean {
    return this.compare(v) >= 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export interface MicroversionSpec {
  /** Service name in `OpenStack-API-Version: <service> X.Y`. */
  service: 'compute' | 'volume';
  min: string;
  max: string;
  /** Older header carrying the bare version (Nova's X-OpenStack-Nova-API-Version). */
  legacyHeader?: string;
}

/** Picks the requested version from the headers; no header means the minimum. */
export function negotiateVersion(spec: MicroversionSpec, headers: Headers): ApiVersion {
  const min = ApiVersion.parse(spec.min) as ApiVersion;
  const max = ApiVersion.parse(spec.max) as ApiVersion;
  let requested: string | undefined;
  const modern = headers.get('openstack-api-version');
  if (modern) {
    // "compute 2.53" possibly among other services: "compute 2.53, volume 3.10"
    for (const part of modern.split(',')) {
      const [svc, ver] = part.trim().split(/\s+/);
      if (svc?.toLowerCase() === spec.service && ver) requested = ver;
    }
  }
  if (requested === undefined && spec.legacyHeader) requested = headers.get(spec.legacyHeader) ?? undefined;
  if (requested === undefined) return min;
  if (requested.toLowerCase() === 'latest') return max;
  const version = ApiVersion.parse(requested);
  if (!version) {
    throw new ApiFault(400, `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  if (version.compare(min) < 0 || version.compare(max) > 0) {
    throw new ApiFault(
      406,
      `Version ${requested} is not supported by the API. Minimum is ${spec.min} and maximum is ${spec.max}.`,
    );
  }
  return version;
}

export type MicroversionEnv = { Variables: { version: ApiVersion } };

/**
 * Negotiates the version and echoes it (and Vary) on every response, errors included:
 * the headers are set on the context before the handler runs.
 */
export function microversion(spec: MicroversionSpec): MiddlewareHandler<MicroversionEnv> {
  const vary = ['OpenStack-API-Version', spec.legacyHeader].filter(Boolean).join(', ');
  return async (c, next) => {
    c.header('Vary', vary);
    const version = negotiateVersion(spec, c.req.raw.headers);
    c.set('version', version);
    c.header('OpenStack-API-Version', `${spec.service} ${version}`);
    if (spec.legacyHeader) c.header(spec.legacyHeader, version.toString());
    await next();
  };
}
