/**
 * Configuration from environment variables, validated by zod.
 *
 * Every variable is optional on a developer machine: with no `DATABASE_URL`
 * ballast starts an embedded PostgreSQL under `BALLAST_DATA_DIR`, and with no
 * webhook secrets it generates a development secret for the `telephony` source.
 * Errors name the variable that is wrong.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const intFrom = (min: number, max: number) =>
  z.coerce.number().int().min(min).max(max);

/**
 * A `?port=` parameter, which overrides the URL's port in node-postgres, is a
 * port number. node-postgres fails a bad one synchronously, and its pool then
 * never finishes closing: the command would exit without a word.
 */
function portParamValid(url: string): boolean {
  if (!URL.canParse(url)) return true; // .url() says what is wrong
  const port = new URL(url).searchParams.get('port');
  return port === null || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
}

const envSchema = z.object({
  /** Postgres connection string. @defaultValue embedded PostgreSQL under BALLAST_DATA_DIR */
  DATABASE_URL: z.string().url().refine((u) => /^postgres(ql)?:\/\//i.test(u), 'expected a postgres:// or postgresql:// URL')
    .refine(portParamValid, 'its port parameter (?port=) is not a port number').optional(),
  /** Where the embedded server and local state live. @defaultValue `./.ballast` */
  BALLAST_DATA_DIR: z.string().min(1).default('.ballast'),
  /** Port for the embedded PostgreSQL. @defaultValue a free port */
  BALLAST_PG_PORT: intFrom(1, 65535).optional(),
  /** Host the webhook receiver binds to. @defaultValue `127.0.0.1` */
  BALLAST_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port the webhook receiver listens on; 0 picks a free one. @defaultValue `8787` */
  BALLAST_HTTP_PORT: intFrom(0, 65535).default(8787),
  /** Largest accepted webhook body in bytes. @defaultValue 1 MiB */
  BALLAST_MAX_BODY_BYTES: intFrom(1, 64 * 1024 * 1024).default(1024 * 1024),
  /** Deepest JSON nesting a webhook body may have; deeper gets 400 (kept as rejected). @defaultValue `64` */
  BALLAST_MAX_JSON_DEPTH: intFrom(1, 10_000).default(64),
  /** Milliseconds a client has to send its request headers; then 408. @defaultValue `10000` */
  BALLAST_HTTP_HEADERS_TIMEOUT_MS: intFrom(100, 600_000).default(10_000),
  /** Milliseconds a client has to send its whole request (headers and body); then 408. At least the headers timeout. @defaultValue `20000` */
  BALLAST_HTTP_REQUEST_TIMEOUT_MS: intFrom(100, 600_000).default(20_000),
  /** Milliseconds an idle keep-alive connection stays open. @defaultValue `5000` */
  BALLAST_HTTP_KEEPALIVE_TIMEOUT_MS: intFrom(100, 600_000).default(5_000),
  /** Open connections the receiver holds at once; more are closed on accept. @defaultValue `512` */
  BALLAST_HTTP_MAX_CONNECTIONS: intFrom(1, 1_000_000).default(512),
  /**
   * Least milliseconds between two diagnostic rows for failures of
   * unauthenticated clients (bad signatures, oversized bodies, aborts,
   * timeouts); everything is counted, and the counts ride on the next row.
   * `0` writes none. @defaultValue `60000`
   */
  BALLAST_UNAUTH_DIAGNOSTIC_INTERVAL_MS: intFrom(0, 86_400_000).default(60_000),
  /**
   * Webhook secrets, one per source: `source=whsec_...` pairs separated by
   * commas or whitespace. @defaultValue a generated dev secret for `telephony`
   */
  BALLAST_WEBHOOK_SECRETS: z.string().optional(),
  /** Jobs run at once by one worker process. @defaultValue `8` */
  BALLAST_CONCURRENCY: intFrom(1, 1000).default(8),
  /** Milliseconds between heartbeats of a running attempt. @defaultValue `5000` */
  BALLAST_HEARTBEAT_MS: intFrom(50, 3_600_000).default(5000),
  /** Qdrant base URL. @defaultValue the local Qdrant-compatible engine under BALLAST_DATA_DIR/qdrant */
  QDRANT_URL: z.string().url().optional(),
  /** Qdrant API key (sent as `api-key`). @defaultValue none */
  QDRANT_API_KEY: z.string().min(1).optional(),
  /** Collection holding summaries and claims. @defaultValue `ballast_decisions` */
  BALLAST_SEARCH_COLLECTION: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).default('ballast_decisions'),
  /** `local` (feature hashing, no download) or `http` (OpenAI-compatible `/embeddings`). @defaultValue `local` */
  BALLAST_EMBEDDER: z.enum(['local', 'http']).default('local'),
  /** Base URL of the OpenAI-compatible embeddings API (http embedder). @defaultValue none */
  BALLAST_EMBEDDER_URL: z.string().url().optional(),
  /** Model name sent to the http embedder. @defaultValue `text-embedding-3-small` */
  BALLAST_EMBEDDER_MODEL: z.string().min(1).default('text-embedding-3-small'),
  /** Bearer token of the http embedder. @defaultValue none */
  BALLAST_EMBEDDER_API_KEY: z.string().min(1).optional(),
  /** Vector size (the local embedder's hash space; must match the http model). @defaultValue `256` */
  BALLAST_EMBEDDING_DIM: intFrom(8, 8192).default(256),
  /** Qdrant distance of the collection. @defaultValue `Cosine` */
  BALLAST_SEARCH_DISTANCE: z.enum(['Cosine', 'Dot', 'Euclid']).default('Cosine'),
  /** HNSW `m` used when the collection is created. @defaultValue `16` */
  BALLAST_SEARCH_HNSW_M: intFrom(0, 1024).default(16),
  /** HNSW `ef_construct` used when the collection is created. @defaultValue `100` */
  BALLAST_SEARCH_HNSW_EF_CONSTRUCT: intFrom(4, 4096).default(100),
  /** HNSW `ef` at query time. @defaultValue `128` */
  BALLAST_SEARCH_HNSW_EF: intFrom(1, 4096).default(128),
  /** `none` or `int8` scalar quantization (with rescoring) when the collection is created. @defaultValue `none` */
  BALLAST_SEARCH_QUANTIZATION: z.enum(['none', 'int8']).default('none'),
  /** Outbox rows one sync batch claims. @defaultValue `256` */
  BALLAST_SEARCH_BATCH: intFrom(1, 10_000).default(256),
  /** Failed sync attempts before an outbox row becomes a dead letter. @defaultValue `10` */
  BALLAST_SEARCH_MAX_ATTEMPTS: intFrom(1, 1000).default(10),
  /** Repairs one reconciliation may enqueue; drift beyond it is reported as unrepaired. @defaultValue `10000` */
  BALLAST_SEARCH_MAX_REPAIRS: intFrom(0, 10_000_000).default(10_000),
  /**
   * Where alerts are POSTed (lib/alerts/delivery), signed with Standard
   * Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
   * @defaultValue none: alerts go to the log (and the e-mail command, if set)
   */
  BALLAST_ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** Signing secret of the alert webhook (`whsec_<base64>`); required with BALLAST_ALERT_WEBHOOK_URL. @defaultValue none */
  BALLAST_ALERT_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Body of the alert webhook: `json` (`{type, timestamp, data}`) or `slack` (an incoming-webhook `{text}`). @defaultValue `json` */
  BALLAST_ALERT_WEBHOOK_FORMAT: z.enum(['json', 'slack']).default('json'),
  /** Milliseconds one webhook or e-mail attempt may take. @defaultValue `10000` */
  BALLAST_ALERT_TIMEOUT_MS: intFrom(100, 600_000).default(10_000),
  /** Shell command fed each alert as a message on stdin (`$1` is the subject line, e.g. `mail -s "$1" ops@example.com`). @defaultValue none */
  BALLAST_ALERT_EMAIL_COMMAND: z.string().min(1).optional(),
  /** Attempts per alert and sink before it becomes a dead letter. @defaultValue `8` */
  BALLAST_ALERT_MAX_ATTEMPTS: intFrom(1, 1000).default(8),
  /** Wait after the first failed attempt; doubled after each further one. @defaultValue `30000` */
  BALLAST_ALERT_BACKOFF_MS: intFrom(0, 86_400_000).default(30_000),
  /** Longest wait between two attempts. @defaultValue `900000` (15 minutes) */
  BALLAST_ALERT_BACKOFF_MAX_MS: intFrom(0, 86_400_000).default(900_000),
  /**
   * Base URL of the provider's usage API the nightly reconciliation reads
   * (lib/reconcile/http-provider.ts), e.g. `https://api.twilio.com/2010-04-01`.
   * @defaultValue none: `reconcile usage` then needs `--provider file --file <path>`
   */
  BALLAST_USAGE_PROVIDER_URL: z.string().url().optional(),
  /** The provider account whose usage is read: basic-auth user and path segment; required with the URL. @defaultValue none */
  BALLAST_USAGE_PROVIDER_ACCOUNT: z.string().min(1).optional(),
  /** The account's secret token (basic-auth password; never logged or stored); required with the URL. @defaultValue none */
  BALLAST_USAGE_PROVIDER_TOKEN: z.string().min(1).optional(),
  /** Milliseconds one request to the usage API may take. @defaultValue `30000` */
  BALLAST_USAGE_PROVIDER_TIMEOUT_MS: intFrom(100, 600_000).default(30_000),
  /** Where the `local` archive store keeps exported partitions and their manifests (docs/retention.md). @defaultValue `<BALLAST_DATA_DIR>/archive` */
  BALLAST_ARCHIVE_DIR: z.string().min(1).optional(),
  /** pino level. @defaultValue `info`, or `silent` under the test runner (`TAP=1`) */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** Set to `1` by tap when it runs the test suite; only changes the default LOG_LEVEL. */
  TAP: z.string().optional(),
  /** Actor the audit ledger records for transactions that name none. @defaultValue `ballast` */
  BALLAST_ACTOR: z.string().min(1).optional(),
  /** Login name; CLI commands act as `cli:<USER>`. @defaultValue the OS account's name, else `unknown` */
  USER: z.string().optional(),
  /** The pg_dump binary `ballast schema dump` and `ballast backup` run (at least the server's major version). @defaultValue `pg_dump` on PATH */
  PG_DUMP: z.string().min(1).default('pg_dump'),
  /** The pg_restore binary `ballast drill restore` runs (at least the dump's major version). @defaultValue `pg_restore` on PATH */
  PG_RESTORE: z.string().min(1).default('pg_restore'),
  /** `1` turns on destructive maintenance commands (they still need a --reason). @defaultValue off */
  BALLAST_ALLOW_DESTRUCTIVE: z.enum(['0', '1']).optional(),
  /** Any value: the CLI prints stack traces with its errors. @defaultValue off */
  BALLAST_DEBUG: z.string().optional(),
  /**
   * Key of the redaction hashes (HMAC-SHA256), at least 32 characters, e.g.
   * `openssl rand -hex 32`. Every process of one install must share it, so the
   * same value gets the same mask everywhere.
   * @defaultValue a generated key kept in `<BALLAST_DATA_DIR>/redaction-key`
   */
  BALLAST_REDACTION_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** Key names masked besides the built-in ones, comma-separated (e.g. `customer_ref,iban`). @defaultValue none */
  BALLAST_REDACT_KEYS: z.string().regex(/^[\sA-Za-z0-9_,-]*$/, 'expected key names separated by commas').optional(),
});

export type LogLevel = NonNullable<z.infer<typeof envSchema>['LOG_LEVEL']>;

export type Config = Omit<z.infer<typeof envSchema>, 'LOG_LEVEL'> & {
  /** LOG_LEVEL, or its default. */
  LOG_LEVEL: LogLevel;
  /** Who a CLI command acts as in the audit ledger: `cli:<USER>`. */
  cliActor: string;
  /** BALLAST_ALLOW_DESTRUCTIVE=1. */
  allowDestructive: boolean;
  /** BALLAST_DEBUG is set. */
  debug: boolean;
  /** BALLAST_DATA_DIR resolved to an absolute path. */
  dataDir: string;
  /** BALLAST_ARCHIVE_DIR resolved to an absolute path, or `<dataDir>/archive`. */
  archiveDir: string;
  /** Parsed BALLAST_WEBHOOK_SECRETS (empty when unset). */
  webhookSecrets: Map<string, string>;
  /** Parsed BALLAST_REDACT_KEYS (empty when unset). */
  redactKeys: string[];
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `source=secret` pairs; throws a ConfigError naming the variable. */
export function parseWebhookSecrets(raw: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!raw) return out;
  for (const [i, pair] of raw.split(/[\s,]+/).filter(Boolean).entries()) {
    const eq = pair.indexOf('=');
    const source = pair.slice(0, eq);
    const secret = pair.slice(eq + 1);
    if (eq <= 0 || !secret || !/^[a-z0-9][a-z0-9_-]*$/i.test(source)) {
      // Named by its position: any part of it may be the secret (a base64 one ends in "=").
      throw new ConfigError(`BALLAST_WEBHOOK_SECRETS: pair ${i + 1} is not "source=secret" (pairs are separated by commas; a source is letters, digits, _ and -)`);
    }
    out.set(source, secret);
  }
  return out;
}

/** Reads and validates configuration from `env` (default `process.env`). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.BALLAST_HTTP_HEADERS_TIMEOUT_MS > parsed.data.BALLAST_HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('invalid configuration:\n  BALLAST_HTTP_HEADERS_TIMEOUT_MS: must not exceed BALLAST_HTTP_REQUEST_TIMEOUT_MS');
  }
  if (parsed.data.BALLAST_ALERT_WEBHOOK_URL && !parsed.data.BALLAST_ALERT_WEBHOOK_SECRET) {
    throw new ConfigError('invalid configuration:\n  BALLAST_ALERT_WEBHOOK_SECRET: required with BALLAST_ALERT_WEBHOOK_URL (a `whsec_<base64>` secret the receiver verifies)');
  }
  if (parsed.data.BALLAST_USAGE_PROVIDER_URL && !(parsed.data.BALLAST_USAGE_PROVIDER_ACCOUNT && parsed.data.BALLAST_USAGE_PROVIDER_TOKEN)) {
    throw new ConfigError('invalid configuration:\n  BALLAST_USAGE_PROVIDER_ACCOUNT, BALLAST_USAGE_PROVIDER_TOKEN: both required with BALLAST_USAGE_PROVIDER_URL');
  }
  return {
    ...parsed.data,
    LOG_LEVEL: parsed.data.LOG_LEVEL ?? (parsed.data.TAP === '1' ? 'silent' : 'info'),
    cliActor: `cli:${parsed.data.USER || accountName() || 'unknown'}`,
    allowDestructive: parsed.data.BALLAST_ALLOW_DESTRUCTIVE === '1',
    debug: debugRequested(env),
    dataDir: path.resolve(parsed.data.BALLAST_DATA_DIR),
    archiveDir: path.resolve(parsed.data.BALLAST_ARCHIVE_DIR ?? path.join(parsed.data.BALLAST_DATA_DIR, 'archive')),
    webhookSecrets: parseWebhookSecrets(parsed.data.BALLAST_WEBHOOK_SECRETS),
    redactKeys: (parsed.data.BALLAST_REDACT_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
  };
}

/**
 * The name of the account this process runs as, for the audit actor when USER
 * is unset (root shells, cron, containers); null when the OS has none (a uid
 * without a passwd entry makes os.userInfo() throw).
 */
function accountName(): string | null {
  try {
    return os.userInfo().username || null;
  } catch {
    return null;
  }
}

/**
 * Whether BALLAST_DEBUG asks for stack traces. Readable on its own, for the
 * CLI's error handler, which runs when loadConfig itself has failed.
 */
export function debugRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.BALLAST_DEBUG);
}

/**
 * The environment of a child process ballast starts (pg_dump, pg_restore, a
 * restore drill's receiver and worker, `ballast up`'s children): this process's, without `withhold`,
 * with `set`. The child reads and validates its own configuration.
 */
export function childEnvironment(set: Record<string, string>, withhold: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of withhold) delete out[k];
  return Object.assign(out, set);
}

export { makeDirectory } from './directory.ts';
