import type { MicroversionSpec } from '../core/microversion.ts';

// The block-storage microversion range Dicot honours (python-cinderclient 9.1 tops at 3.70).
export const VOLUME_VERSIONS = {
  service: 'volume',
  min: '3.0',
  max: '3.70',
} as const satisfies MicroversionSpec;
