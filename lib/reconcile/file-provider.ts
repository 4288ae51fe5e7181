/**
 * The file adapter: a provider's usage export, CSV or JSON, read through the
 * same row mapping as the HTTP adapter (`usageFromRows`). CSV has a header
 * line; JSON is a list of rows, or a saved API page (`{usage_records: [...]}`).
 * The format comes from the file's extension (`.csv`, `.json`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PermanentError } from '../failures/index.ts';
import { usageFromRows, type ProviderUsage, type UsageProvider } from './provider.ts';

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes (`""` is
 * a quote inside one), CRLF or LF line ends. Returns the rows as objects
 * keyed by the header line; blank lines are skipped.
 */
export function parseCsv(text: string, where: string): Record<string, string>[] {
  const lines: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') lines.push(row);
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
  }
  if (quoted) throw new PermanentError(`${where}: a quoted field is not closed`, 'PROVIDER_FILE_INVALID');
  if (field !== '' || row.length) endRow();
  const [header, ...body] = lines;
  if (!header) throw new PermanentError(`${where}: empty file`, 'PROVIDER_FILE_INVALID');
  return body.map((cells, n) => {
    if (cells.length !== header.length) {
      throw new PermanentError(`${where} line ${n + 2}: ${cells.length} fields, the header has ${header.length}`, 'PROVIDER_FILE_INVALID');
    }
    return Object.fromEntries(header.map((h, k) => [h, cells[k]!]));
  });
}

/** The adapter for one export file; the file is read at `dailyUsage`. */
export function fileUsageProvider(file: string): UsageProvider {
  const source = path.basename(file);
  const ext = path.extname(file).toLowerCase();
  return {
    kind: 'file',
    source,
    async dailyUsage(day: string, o = {}): Promise<ProviderUsage[]> {
      if (ext !== '.csv' && ext !== '.json') throw new PermanentError(`${source}: expected a .csv or .json file`, 'PROVIDER_FILE_INVALID');
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (e) {
        throw new PermanentError(`${source}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'PROVIDER_FILE_INVALID', { cause: e });
      }
      let rows: unknown[];
      if (ext === '.csv') rows = parseCsv(text, source);
      else {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (e) {
          throw new PermanentError(`${source}: not JSON: ${(e as Error).message}`, 'PROVIDER_FILE_INVALID');
        }
        const list = Array.isArray(json) ? json : (json as { usage_records?: unknown } | null)?.usage_records;
        if (!Array.isArray(list)) throw new PermanentError(`${source}: expected a list of rows or {"usage_records": [...]}`, 'PROVIDER_FILE_INVALID');
        rows = list;
      }
      const usage = usageFromRows(rows, day, source);
      o.onProgress?.(rows.length);
      return usage;
    },
  };
}
