import * as v from 'valibot';
import { ConfigSchema, type RawConfig, type RegionConfig } from './schema.ts';

export type { KubernetesConnectionConfig, RegionConfig } from './schema.ts';

/** The validated configuration: always at least one region, exactly one identity region. */
export interface Config extends RawConfig {
  identityRegion: string;
  /** True when no cluster was configured and RegionOne is the embedded sandbox. */
  sandbox: boolean;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const FIXES: Record<string, string> = {
  server: 'set it to the Kubernetes API URL, e.g. https://10.0.0.1:6443',
  publicUrl: 'set it to the URL clients use, e.g. https://cloud.example.com',
  port: 'use a port number from 0 to 65535',
};

function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('').replace(/^\./, '');
}

/** Validates raw configuration; throws ConfigError naming each bad field and how to fix it. */
export function parseConfig(raw: unknown): Config {
  const result = v.safeParse(ConfigSchema, raw ?? {});
  if (!result.success) {
    throw new ConfigError(
      result.issues.map((issue) => {
        const path = issuePath(issue) || '(top level)';
        const last = issue.path?.at(-1)?.key;
        const fix = typeof last === 'string' && FIXES[last] ? ` (fix: ${FIXES[last]})` : '';
        return `${path}: ${issue.message}${fix}`;
      }),
    );
  }
  const cfg = result.output;
  if (cfg.regions.length === 0) {
    return { ...cfg, regions: [{ name: 'RegionOne', identity: true }], identityRegion: 'RegionOne', sandbox: true };
  }
  const missing = cfg.regions.find((r) => !r.kubernetes);
  if (missing) {
    throw new ConfigError([
      `regions[${cfg.regions.indexOf(missing)}].kubernetes: missing (fix: give the cluster's "server" and a credential, or remove "regions" to use the embedded sandbox)`,
    ]);
  }
  const identity: RegionConfig = cfg.regions.find((r) => r.identity) ?? (cfg.regions[0] as RegionConfig);
  return { ...cfg, identityRegion: identity.name, sandbox: false };
}
