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
 * Every CLI command declares its role in COMMAND_ROLES; an undeclared one
 * gets the least privileged role, never the owner.
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

/** What to say, and do, when the database lacks what `ballast migrate` makes. */
export const NOT_MIGRATED = 'the database is not migrated: run `ballast migrate` (as the database owner) first, or `npm start`, which migrates';

/**
 * The error to show for `e`: a connection refused because its ballast role
 * does not exist (the server's 22023 at connection start) means the
 * migrations, which create the roles (007_roles.sql), never ran here, so it
 * says that; any other error is returned as it is.
 */
export function explainMissingRole(e: unknown): unknown {
  const err = e as { code?: unknown; message?: unknown } | null;
  const role = /^role "([^"]+)" does not exist$/.exec(typeof err?.message === 'string' ? err.message : '')?.[1];
  if (err?.code !== '22023' || !role || !(Object.values(ROLES) as string[]).includes(role)) return e;
  return new Error(`${NOT_MIGRATED} (role "${role}" does not exist)`, { cause: e });
}

/** The role a command gets when it declares none: read-only, never the owner. */
export const LEAST_ROLE: DbRole = ROLES.forensics;

/**
 * The role each CLI command connects with, by its full name (`dlq list`).
 * Every command in bin/ballast.ts declares one here (test/db/roles.test.ts
 * checks); one that does not gets LEAST_ROLE.
 */
export const COMMAND_ROLES: Readonly<Record<string, DbRole>> = {
  // Migrations connect as the login user itself (they create roles, schemas
  // and event triggers), which must own the database; the role is for any
  // other query the command makes.
  migrate: ROLES.owner,
  'schema dump': ROLES.owner,
  // The development all-in-one: migrates, then runs its worker as
  // ballast_worker and its receiver as ballast_ingest.
  up: ROLES.owner,
  worker: ROLES.worker,
  ingest: ROLES.ingest,
  'send-sample': ROLES.forensics, // no database
  trace: ROLES.forensics,
  stuck: ROLES.forensics,
  workers: ROLES.forensics,
  // Sets the trace-id policy, a setting: only the owner writes settings.
  policy: ROLES.owner,
  'dlq list': ROLES.forensics,
  'dlq show': ROLES.forensics,
  // What the replay cron task does, as the same role.
  'dlq requeue': ROLES.worker,
  'dlq resolve': ROLES.worker,
  // What the audit_seal cron task does, by hand; the operator runs it as the owner.
  'audit seal': ROLES.owner,
  'audit verify': ROLES.forensics,
  'audit history': ROLES.forensics,
  'audit trace': ROLES.forensics,
  'audit deletes': ROLES.forensics,
  // Destructive operator commands: the owner alone may run them (a stated
  // reason, audited; lib/audit/gate.ts).
  'audit purge-interaction': ROLES.owner,
  'errors cleanup': ROLES.owner,
  'replay decision': ROLES.forensics,
  'replay export': ROLES.forensics,
  'replay batch': ROLES.forensics,
  backfill: ROLES.worker,
  search: ROLES.forensics,
  'reconcile search': ROLES.worker,
  // What the reconcile_usage cron task does, by hand, as the same role.
  'reconcile usage': ROLES.worker,
  'search-health': ROLES.forensics,
  'search-engine': ROLES.forensics, // no database
  'alerts list': ROLES.forensics,
  'alerts show': ROLES.forensics,
  'alerts check': ROLES.forensics,
  // What the evaluate_alerts task does to an alert, by hand, as the same role.
  'alerts ack': ROLES.worker,
  'alerts resolve': ROLES.worker,
  // Rules are settings: reading them is anyone's, `--set` is the owner's
  // (the command connects as the owner only when --set is given; bin/commands/alerts.ts).
  'alerts rules': ROLES.owner,
  // Sends through a sink and records the attempt, as deliver_alerts does.
  'alerts test': ROLES.worker,
  // Backups and drills connect as the login user, as migrate does (pg_dump
  // reads every table; a drill creates and drops a scratch database); the
  // drill records its report as the owner.
  backup: ROLES.owner,
  'drill restore': ROLES.owner,
  // Agents are provisioned by operators: the owner alone writes app.agents
  // (the worker only reads it). Activation also replays the waiting events.
  'agents add': ROLES.owner,
  'agents activate': ROLES.owner,
  'agents suspend': ROLES.owner,
  'agents retire': ROLES.owner,
  'agents list': ROLES.forensics,
  // What a stage does to an event (back to received, a job enqueued), by hand, as the same role.
  'inbox replay': ROLES.worker,
  'inbox unknown': ROLES.forensics,
  'inbox dismiss': ROLES.worker,
  'usage show': ROLES.forensics,
  // Limits, tiers and prices are settings: the owner's, audited (016_usage).
  'usage set-limit': ROLES.owner,
  'usage set-tier': ROLES.owner,
  'usage set-prices': ROLES.owner,
  // Retention policies are settings: reading is anyone's, changing them the owner's (audited).
  'retention show': ROLES.forensics,
  'retention set': ROLES.owner,
  // What the archive_partitions task does, by hand, as the same role (the gate's functions drop partitions).
  'retention run': ROLES.worker,
  'archive list': ROLES.forensics,
  // Records its verification, and unblocks or blocks the archive, as the task would.
  'archive verify': ROLES.worker,
  // Creates a table in the archive_restore schema (the owner's), never in a live one.
  'archive restore': ROLES.owner,
  'archive discard': ROLES.owner,
};

/**
 * The role for `ballast <command> [<sub>]`: the declared role of
 * `command sub`, else of `command`, else LEAST_ROLE.
 */
export function roleForCommand(command: string | undefined, sub?: string): DbRole {
  for (const name of [`${command} ${sub}`, `${command}`]) {
    if (command && Object.hasOwn(COMMAND_ROLES, name)) return COMMAND_ROLES[name]!;
  }
  return LEAST_ROLE;
}
