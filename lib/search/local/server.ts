/**
 * The local Qdrant-compatible engine: the subset of Qdrant's REST API that
 * ballast uses, with exact search, persisted under a directory. For
 * development and tests (like the Python client's local mode), not
 * production. Responses use Qdrant's envelope (`{result, status, time}`) and
 * its error shape (`{status: {error}}`) with Qdrant's status codes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Schemas } from '@qdrant/js-client-rest';
import { BadRequest, LocalCollection, type CollectionConfig } from './collection.ts';
import { FilterError, normalizeId, type Payload } from './filter.ts';
import { createStored, dropStored, loadAll } from './storage.ts';

/** The Qdrant version whose API this engine follows (the client checks it). */
export const LOCAL_ENGINE_QDRANT_VERSION = '1.18.0';

export interface LocalEngineOptions {
  /** Directory holding the collections. */
  dir: string;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** 0 picks a free port. @defaultValue `0` */
  port?: number;
  /** When set, requests must carry it in the `api-key` header. */
  apiKey?: string | undefined;
}

export interface LocalEngine {
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

type Handler = (m: RegExpMatchArray, body: any, query: URLSearchParams) => Promise<unknown> | unknown;

export async function startLocalEngine(opts: LocalEngineOptions): Promise<LocalEngine> {
  const collections = new Map<string, LocalCollection>();
  for (const c of await loadAll(opts.dir)) collections.set(c.name, c);

  const get = (name: string | undefined): LocalCollection => {
    const c = collections.get(decodeURIComponent(name ?? ''));
    if (!c) throw new HttpError(404, `Not found: Collection \`${decodeURIComponent(name ?? '')}\` doesn't exist!`);
    return c;
  };

  // Names being created: a second concurrent PUT must see "already exists", not race on the files.
  const creating = new Set<string>();
  async function createCollection(name: string, body: Schemas['CreateCollection']): Promise<boolean> {
    if (collections.has(name) || creating.has(name)) throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const vectors = body.vectors as Schemas['VectorParams'] | undefined;
    if (!vectors || typeof vectors.size !== 'number' || !vectors.distance) {
      throw new HttpError(400, 'Wrong input: the local engine supports one unnamed dense vector ({size, distance})');
    }
    const { vectors: _v, ...params } = body;
    const config: CollectionConfig = { vectors, params, payload_schema: {} };
    creating.add(name);
    try {
      collections.set(name, await createStored(opts.dir, name, config));
    } finally {
      creating.delete(name);
    }
    return true;
  }

  function setPayload(c: LocalCollection, body: Schemas['SetPayload'], overwrite: boolean) {
    const ids = body.points ? body.points.map(normalizeId) : c.scroll({ filter: body.filter ?? null, limit: 1e9, with_payload: false }).points.map((p) => p.id);
    const points = ids.map((id) => c.retrieve({ ids: [id], with_payload: true, with_vector: true })[0]).filter((p) => p != null)
      .map((p) => ({ id: p.id, vector: p.vector as number[], payload: overwrite ? body.payload : { ...(p.payload as Payload), ...body.payload } }));
    return c.upsert({ points });
  }

  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/$/, () => ({ title: 'qdrant - vector search engine (ballast local engine)', version: LOCAL_ENGINE_QDRANT_VERSION, commit: null })],
    ['GET', /^\/(?:healthz|livez|readyz)$/, () => 'healthz check passed'],
    ['GET', /^\/collections$/, () => ({ collections: [...collections.keys()].map((name) => ({ name })) })],
    ['GET', /^\/collections\/([^/]+)\/exists$/, (m) => ({ exists: collections.has(decodeURIComponent(m[1]!)) })],
    ['GET', /^\/collections\/([^/]+)$/, (m) => get(m[1]).info()],
    ['PUT', /^\/collections\/([^/]+)$/, (m, b) => createCollection(decodeURIComponent(m[1]!), b ?? {})],
    ['DELETE', /^\/collections\/([^/]+)$/, async (m) => {
      const name = decodeURIComponent(m[1]!);
      const existed = collections.delete(name);
      await dropStored(opts.dir, name);
      return existed;
    }],
    ['PUT', /^\/collections\/([^/]+)\/index$/, (m, b: Schemas['CreateFieldIndex']) => get(m[1]).setIndex(b.field_name, b.field_schema ?? 'keyword')],
    ['DELETE', /^\/collections\/([^/]+)\/index\/([^/]+)$/, (m) => get(m[1]).dropIndex(decodeURIComponent(m[2]!))],
    ['PUT', /^\/collections\/([^/]+)\/points$/, (m, b) => get(m[1]).upsert(b)],
    ['POST', /^\/collections\/([^/]+)\/points$/, (m, b) => get(m[1]).retrieve(b)],
    ['GET', /^\/collections\/([^/]+)\/points\/([^/]+)$/, (m) => {
      const [p] = get(m[1]).retrieve({ ids: [decodeURIComponent(m[2]!)], with_payload: true, with_vector: true });
      if (!p) throw new HttpError(404, `Not found: No point with id ${decodeURIComponent(m[2]!)} found`);
      return p;
    }],
    ['POST', /^\/collections\/([^/]+)\/points\/delete$/, (m, b) => get(m[1]).delete(b)],
    ['POST', /^\/collections\/([^/]+)\/points\/payload$/, (m, b) => setPayload(get(m[1]), b, false)],
    ['PUT', /^\/collections\/([^/]+)\/points\/payload$/, (m, b) => setPayload(get(m[1]), b, true)],
    ['POST', /^\/collections\/([^/]+)\/points\/scroll$/, (m, b) => get(m[1]).scroll(b ?? {})],
    ['POST', /^\/collections\/([^/]+)\/points\/count$/, (m, b) => get(m[1]).count(b ?? {})],
    ['POST', /^\/collections\/([^/]+)\/points\/query$/, (m, b) => get(m[1]).query(b ?? {})],
    ['POST', /^\/collections\/([^/]+)\/points\/search$/, (m, b: Schemas['SearchRequest']) =>
      get(m[1]).query({ query: b.vector as number[], filter: b.filter ?? null, limit: b.limit, offset: b.offset ?? null,
        with_payload: b.with_payload ?? null, with_vector: b.with_vector ?? null, score_threshold: b.score_threshold ?? null }).points],
  ];

  const server = http.createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const send = (status: number, body: Record<string, unknown>) => {
      const time = Number(process.hrtime.bigint() - started) / 1e9;
      const text = JSON.stringify({ ...body, time });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      if (opts.apiKey && req.headers['api-key'] !== opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        throw new HttpError(401, 'Must provide an API key or an Authorization bearer token');
      }
      const url = new URL(req.url ?? '/', 'http://local');
      const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname));
      if (!route) throw new HttpError(404, `Not found: ${req.method} ${url.pathname}`);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      if (raw) {
        try { body = JSON.parse(raw); } catch { throw new HttpError(400, 'Format error in JSON body: expected value'); }
      }
      const result = await route[2](url.pathname.match(route[1])!, body, url.searchParams);
      // Qdrant answers `GET /` with the bare version object, everything else in the envelope.
      if (url.pathname === '/') send(200, result as Record<string, unknown>);
      else send(200, { result, status: 'ok' });
    } catch (e) {
      const status = e instanceof HttpError ? e.status : e instanceof BadRequest || e instanceof FilterError ? 400 : 500;
      const message = e instanceof Error ? e.message : String(e);
      send(status, { status: { error: status === 500 ? `Service internal error: ${message}` : message }, result: null });
    }
  });
  // The client keeps connections alive; do not let them hold a shutdown.
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
