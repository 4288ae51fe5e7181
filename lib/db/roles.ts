/**
 * Least-privilege roles (sql/migrations/007_roles.sql). A connection acts as one
 * of them through the startup option `-c role=<role>`: the server applies it
 * before the first statement and refuses the connection if the login user
 * may not use the role, so a process never silently runs with more rights.
 *
 * In production, log in as a user that is a member of exactly one of these
 * (`create user ballast_worker_1 in role ballast_worker`); in development the
 * embedded superuser is used and narrowed the same way.
 *
 * A fifth role, `ballast_audit_writer`, owns the audit
 * triggers and `audit.seal()` and alone may append to `audit.*`. Nothing logs
 * in as it and no process acts as it, so no role here can forge audit rows.
 */

/** The group roles migrations create. */
export const ROLES = {
  /** Migrations and operator commands that change settings or data. */
  owner: 'ballast_owner',
  /** The stage runtime and graphile-worker. */
  worker: 'ballast_worker',
  /** The webhook receiver: inserts into the inbox only. */
  ingest: 'ballast_ingest',
  /** Read-only forensics: trace, stuck, audit verify, replay. */
  forensics: 'ballast_forensics',
} as const;

export type DbRole = (typeof ROLES)[keyof typeof ROLES];

/** `url` with the role applied at connection start (keeps other `options`). */
export function withRole(url: string, role: DbRole): string {
  const u = new URL(url);
  const prior = (u.searchParams.get('options') ?? '').replace(/-c\s*role=\S+/g, '').trim();
  u.searchParams.set('options', `${prior ? `${prior} ` : ''}-c role=${role}`);
  return u.toString();
}

/** The role each CLI command connects with; unknown commands get the owner. */
const COMMAND_ROLES: Record<string, DbRole> = {
  trace: ROLES.forensics,
  stuck: ROLES.forensics,
  replay: ROLES.forensics,
  ingest: ROLES.ingest,
  backfill: ROLES.worker,
};

export function roleForCommand(command: string | undefined, sub?: string): DbRole {
  if (command === 'audit') return sub === 'verify' || sub === 'history' || sub === 'deletes' ? ROLES.forensics : ROLES.owner;
  return (command && COMMAND_ROLES[command]) || ROLES.owner;
}
