import * as v from 'valibot';

// Data read back from Kubernetes annotations is untrusted text: parse and check it, and
// fall back rather than fail a whole list because one object was edited by hand.

/** JSON in an annotation, checked against `schema`; the fallback when absent or invalid. */
export function jsonOf<T>(schema: v.GenericSchema<unknown, T>, fallback: T) {
  return (s: string | undefined): T => {
    if (s === undefined) return fallback;
    try {
      const r = v.safeParse(schema, JSON.parse(s));
      return r.success ? r.output : fallback;
    } catch {
      return fallback;
    }
  };
}
