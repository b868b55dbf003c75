import { describeUserAgent } from '../kernel/user-agent.ts';
import type { AuditListing } from '../store/audit-repository.ts';

/** One event as `audit --json` prints it. */
export function auditJson(e: AuditListing) {
  return {
    time: new Date(Number(e.created_at)).toISOString(),
    type: e.type,
    userId: e.user_id,
    email: e.email,
    ip: e.ip,
    browser: e.user_agent ? describeUserAgent(e.user_agent) : null,
    detail: e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : null,
  };
}

const HEADER = ['TIME', 'TYPE', 'USER', 'IP', 'BROWSER', 'DETAIL'];

/** A header row and one aligned row per event; the last column is not padded. */
export function formatAuditTable(events: AuditListing[]): string {
  const rows = events.map((e) => {
    const j = auditJson(e);
    const detail = j.detail
      ? Object.entries(j.detail)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ')
      : '-';
    return [j.time, j.type, j.email ?? j.userId ?? '-', j.ip ?? '-', j.browser ?? '-', detail];
  });
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  return `${all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')).join('\n')}\n`;
}
