/**
 * Embedders turn texts into vectors. Every vector is stamped with the
 * embedder's `id` (name, version, dimension), so the reconciler re-embeds
 * everything when the embedder changes.
 */
import { hashEmbed, HASH_EMBEDDER_VERSION } from '../engines/embedder.ts';
import { DownstreamError, PermanentError } from '../failures/index.ts';

export interface Embedder {
  /** `name@version/dim`, stored in every point's payload as `embedder`. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}

/** The deterministic local default (lib/engines/embedder.ts). */
export function localEmbedder(dimensions: number): Embedder {
  return {
    id: `${HASH_EMBEDDER_VERSION}/${dimensions}`,
    dimensions,
    async embed(texts) {
      return texts.map((t) => hashEmbed(t, dimensions));
    },
  };
}

export interface HttpEmbedderOptions {
  /** Base URL, e.g. `https://api.openai.com/v1`; `/embeddings` is appended. */
  url: string;
  model: string;
  dimensions: number;
  apiKey?: string | undefined;
  /** Milliseconds before a request is abandoned. @defaultValue `30000` */
  timeoutMs?: number;
}

/**
 * An OpenAI-compatible `POST /embeddings` endpoint. A refused call throws
 * `DownstreamError` (429 and 5xx are transient); an answer that does not fit
 * the collection throws `PermanentError`.
 */
export function httpEmbedder(opts: HttpEmbedderOptions): Embedder {
  const endpoint = `${opts.url.replace(/\/+$/, '')}/embeddings`;
  return {
    id: `http:${opts.model}/${opts.dimensions}`,
    dimensions: opts.dimensions,
    async embed(texts) {
      if (texts.length === 0) return [];
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: opts.model, input: texts, dimensions: opts.dimensions }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      if (!res.ok) throw new DownstreamError('embedder', res.status, `${endpoint}: ${(await res.text().catch(() => '')).slice(0, 200)}`);
      const body = await res.json() as { data?: { index: number; embedding: number[] }[] };
      const data = [...(body.data ?? [])].sort((a, b) => a.index - b.index);
      if (data.length !== texts.length) throw new PermanentError(`embedder returned ${data.length} vectors for ${texts.length} texts`, 'EMBEDDER_MISMATCH');
      for (const d of data) {
        if (d.embedding.length !== opts.dimensions) {
          throw new PermanentError(`embedder returned dimension ${d.embedding.length}, BALLAST_EMBEDDING_DIM is ${opts.dimensions}`, 'EMBEDDER_MISMATCH');
        }
      }
      return data.map((d) => d.embedding);
    },
  };
}
