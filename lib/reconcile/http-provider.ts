/**
 * The HTTP adapter: a telephony provider's daily usage-records API, in the
 * shape of Twilio's `GET /Accounts/{Account}/Usage/Records/Daily.json`
 * (https://www.twilio.com/docs/usage/api/usage-record): basic auth with the
 * account and its token, `StartDate`/`EndDate`/`PageSize` query parameters, and
 * pages of `{usage_records: [...], next_page_uri}`. Each record's mapping to
 * ballast's units is `usageFromRows` (provider.ts), the one place it lives.
 *
 * Every request has a timeout; a failure is a classified error naming the
 * provider and the page, never the token.
 */
import { DownstreamError, PermanentError, TransientError } from '../failures/index.ts';
import { usageFromRows, type ProviderUsage, type ReadProgress, type UsageProvider } from './provider.ts';

export interface HttpProviderOptions {
  /** API base, e.g. `https://api.twilio.com/2010-04-01` (BALLAST_USAGE_PROVIDER_URL). */
  baseUrl: string;
  /** Account id: the basic-auth user and the `{Account}` of the path (BALLAST_USAGE_PROVIDER_ACCOUNT). */
  account: string;
  /** The account's secret token (BALLAST_USAGE_PROVIDER_TOKEN): only ever sent in the Authorization header. */
  token: string;
  /** Milliseconds one page request may take, body included. @defaultValue `30000` */
  timeoutMs?: number;
  /** Records asked for per page. @defaultValue `1000` */
  pageSize?: number;
  /** Pages read at most; more is an error, not a silent cut. @defaultValue `1000` */
  maxPages?: number;
}

/** The adapter for `opts`; nothing is requested until `dailyUsage`. */
export function httpUsageProvider(opts: HttpProviderOptions): UsageProvider {
  const base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
  base.username = '';
  base.password = '';
  const source = `${base.origin}${base.pathname.replace(/\/$/, '')}`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const auth = `Basic ${Buffer.from(`${opts.account}:${opts.token}`).toString('base64')}`;

  async function page(url: URL, n: number, signal?: AbortSignal): Promise<{ records: unknown[]; next: URL | null }> {
    const where = `usage provider ${source} (page ${n})`;
    const timeout = AbortSignal.timeout(timeoutMs);
    let body: string;
    let status: number;
    try {
      const res = await fetch(url, {
        headers: { authorization: auth, accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'error',
      });
      status = res.status;
      body = await res.text();
    } catch (e) {
      if (timeout.aborted) throw new TransientError(`${where}: no answer within ${timeoutMs} ms`, 'PROVIDER_TIMEOUT', { cause: e });
      if (signal?.aborted) throw new TransientError(`${where}: aborted`, 'PROVIDER_ABORTED', { cause: e });
      const cause = (e as Error & { cause?: Error }).cause;
      throw new TransientError(`${where}: unreachable: ${cause?.message ?? (e as Error).message}`, 'PROVIDER_UNREACHABLE', { cause: e });
    }
    if (status < 200 || status > 299) {
      const hint = status === 401 || status === 403 ? 'check BALLAST_USAGE_PROVIDER_ACCOUNT and BALLAST_USAGE_PROVIDER_TOKEN'
        : status === 404 ? 'check BALLAST_USAGE_PROVIDER_URL and BALLAST_USAGE_PROVIDER_ACCOUNT' : body.slice(0, 200);
      throw new DownstreamError('usage provider', status, `${where}: ${hint}`);
    }
    let json: { usage_records?: unknown; next_page_uri?: unknown };
    try {
      json = JSON.parse(body) as typeof json;
    } catch {
      throw new PermanentError(`${where}: the answer is not JSON: ${body.slice(0, 100)}`, 'PROVIDER_ANSWER_INVALID');
    }
    if (!json || !Array.isArray(json.usage_records)) throw new PermanentError(`${where}: the answer has no usage_records list`, 'PROVIDER_ANSWER_INVALID');
    let next: URL | null = null;
    if (typeof json.next_page_uri === 'string' && json.next_page_uri) {
      next = new URL(json.next_page_uri, base);
      // The token goes to the provider's own origin only.
      if (next.origin !== base.origin) throw new PermanentError(`${where}: next_page_uri leaves ${base.origin}`, 'PROVIDER_ANSWER_INVALID');
    }
    return { records: json.usage_records, next };
  }

  return {
    kind: 'http',
    source,
    async dailyUsage(day: string, o: { signal?: AbortSignal; onProgress?: ReadProgress } = {}): Promise<ProviderUsage[]> {
      let url: URL | null = new URL(`Accounts/${encodeURIComponent(opts.account)}/Usage/Records/Daily.json`, base);
      url.search = new URLSearchParams({ StartDate: day, EndDate: day, PageSize: String(opts.pageSize ?? 1000) }).toString();
      const out: ProviderUsage[] = [];
      const maxPages = opts.maxPages ?? 1000;
      for (let n = 1; url; n++) {
        if (n > maxPages) throw new PermanentError(`usage provider ${source}: more than ${maxPages} pages for ${day}`, 'PROVIDER_ANSWER_INVALID');
        const p: { records: unknown[]; next: URL | null } = await page(url, n, o.signal);
        out.push(...usageFromRows(p.records, day, `usage provider ${source} page ${n}`));
        o.onProgress?.(n);
        url = p.next;
      }
      return out;
    },
  };
}
