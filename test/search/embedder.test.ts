import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { classify, DownstreamError, PermanentError } from '../../lib/failures/index.ts';
import { httpEmbedder } from '../../lib/search/embedder.ts';

/** An embeddings endpoint that answers each request with the next status (and vectors of `dim` on 200). */
async function endpoint(t: { teardown(fn: () => unknown): void }, answers: { status: number; dim?: number }[]): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const a = answers.shift() ?? { status: 500 };
      const input = (JSON.parse(body) as { input: string[] }).input;
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.status === 200
        ? { data: input.map((_, index) => ({ index, embedding: new Array(a.dim ?? 8).fill(0.5) })) }
        : { error: { message: 'try later' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

t.test('the http embedder throws DownstreamError: 429 and 5xx are transient, other refusals permanent', async (t) => {
  const url = await endpoint(t, [{ status: 503 }, { status: 429 }, { status: 401 }, { status: 200, dim: 4 }, { status: 200 }]);
  const embedder = httpEmbedder({ url, model: 'm', dimensions: 8 });
  const unavailable = await embedder.embed(['a']).catch((e: unknown) => e);
  t.type(unavailable, DownstreamError);
  t.match(unavailable, { service: 'embedder', status: 503 });
  t.match(classify(unavailable), { outcome: 'transient', code: 'DOWNSTREAM_CALL_FAILED', errorClass: 'infra.downstream.unavailable', httpStatus: 503 });
  t.match(classify(await embedder.embed(['a']).catch((e: unknown) => e)), { outcome: 'transient', errorClass: 'infra.downstream.rate_limited' });
  t.match(classify(await embedder.embed(['a']).catch((e: unknown) => e)), { outcome: 'permanent', errorClass: 'infra.downstream.rejected', httpStatus: 401 });
  const wrongSize = await embedder.embed(['a']).catch((e: unknown) => e);
  t.type(wrongSize, PermanentError, 'an answer that does not fit the collection is permanent');
  t.same(await embedder.embed(['a', 'b']), [new Array(8).fill(0.5), new Array(8).fill(0.5)]);
});
