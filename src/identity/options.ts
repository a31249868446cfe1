import * as v from 'valibot';
import type { Config } from '../config/index.ts';
import { PRODUCTION_SCRYPT } from './passwords.ts';

// Identity settings with Keystone-like defaults, validated as part of the configuration
// (`identity:`); tests pass a lower hashing cost this way.

const Positive = v.pipe(v.number(), v.integer(), v.minValue(0));

export const IdentityOptionsSchema = v.object({
  /** scrypt work factor for new password and application-credential hashes. */
  scrypt: v.optional(v.object({ N: Positive, r: Positive, p: Positive }), PRODUCTION_SCRYPT),
  /** Failed logins before a temporary lockout ([security_compliance] lockout_failure_attempts); 0 disables. */
  lockoutFailureAttempts: v.optional(Positive, 6),
  /** Lockout length in seconds ([security_compliance] lockout_duration). */
  lockoutDurationSeconds: v.optional(Positive, 60),
  /** New passwords must differ from this many latest ones ([security_compliance] unique_last_password_count). */
  uniqueLastPasswordCount: v.optional(Positive, 2),
  /** How stale a replica's view of revocations may be, in seconds (≤ 5). */
  revocationCacheSeconds: v.optional(v.pipe(Positive, v.maxValue(5)), 2),
});

export type IdentityOptions = v.InferOutput<typeof IdentityOptionsSchema>;

export function identityOptions(config: Config): IdentityOptions {
  return config.identity;
}
