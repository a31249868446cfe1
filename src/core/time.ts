// ISO 8601 timestamps as OpenStack services accept them in queries (oslo `parse_isotime`):
// a date, optionally a time and a zone; anything else (`2011/01/01`) is refused even though
// JavaScript's Date.parse would guess at it.

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Milliseconds since the epoch, or undefined when the value is not an ISO 8601 timestamp. */
export function parseIsoTime(value: string): number | undefined {
  const m = ISO.exec(value);
  if (!m) return undefined;
  const [, date, time = '00:00', zone = 'Z'] = m;
  // A zone-less value is UTC, as in Nova and Glance.
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const t = Date.parse(`${date}T${time}${offset}`);
  return Number.isFinite(t) ? t : undefined;
}
