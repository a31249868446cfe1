// Naming helpers every service shares: readable Kubernetes names from OpenStack names, and
// hex digests (stable ids, label-safe name keys).

/** A DNS-1123 label fragment from a free-form name (readable object names). */
export function slug(name: string, max: number, fallback: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s || fallback;
}

/** Hex SHA-256 of a text, cut to `bytes` bytes (32 = the whole digest). */
export async function sha256Hex(text: string, bytes = 32): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest.slice(0, bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A UUID in its canonical 8-4-4-4-12 form. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A UUID with or without its dashes (what Glance and Nova accept as ids). */
export const UUID_LOOSE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
