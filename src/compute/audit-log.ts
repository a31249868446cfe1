import { badRequest } from '../core/faults.ts';

// Nova's instance usage audit log reports what its periodic `instance_usage_audit` task did
// per compute host over the last completed period (a month). Dicot runs no such task (Nova's
// own default, instance_usage_audit=False), so every host is reported as not run.

/** The last completed month before `at` (Nova's last_completed_audit_period), as Nova prints it. */
export function lastCompletedMonth(at: number): { begin: string; end: string } {
  const d = new Date(at);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const begin = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
  const fmt = (t: number) => new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  return { begin: fmt(begin), end: fmt(end) };
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` (Nova's two formats; naive times are UTC), else Nova's 400. */
export function parseAuditTime(raw: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?$/.exec(raw);
  const t = m ? Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}Z`) : Number.NaN;
  if (Number.isNaN(t)) throw badRequest(`Invalid timestamp for date ${raw}`);
  return t;
}

export function auditLog(hosts: string[], at: number) {
  const { begin, end } = lastCompletedMonth(at);
  return {
    hosts_not_run: [...hosts].sort(),
    log: {},
    num_hosts: hosts.length,
    num_hosts_done: 0,
    num_hosts_not_run: hosts.length,
    num_hosts_running: 0,
    overall_status: `${hosts.length === 0 ? 'ALL' : `0 of ${hosts.length}`} hosts done. 0 errors.`,
    period_beginning: begin,
    period_ending: end,
    total_errors: 0,
    total_instances: 0,
  };
}
