import type { MicroversionSpec } from '../core/microversion.ts';

// The compute microversion range Dicot honours. Raise `max` only when every view is exact
// up to it (Tempest validates per-version schemas with no extra keys).
export const COMPUTE_VERSIONS = {
  service: 'compute',
  min: '2.1',
  max: '2.79',
  legacyHeader: 'X-OpenStack-Nova-API-Version',
} as const satisfies MicroversionSpec;
