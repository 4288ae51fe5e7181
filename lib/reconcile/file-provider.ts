/**
 * The file adapter: a provider's usage export, CSV or JSON, read through the
 * same row mapping as the HTTP adapter (`usageFromRows`). CSV has a header
 * line; JSON is a list of rows, or a saved API page (`{usage_records: [...]}`).
 * The format comes from the file's extension (`.csv`, `.json`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, type CsvError } from 'csv-parse/sync';
import { PermanentError } from '../failures/index.ts';
import { usageFromRows, type ProviderUsage, type UsageProvider } from './provider.ts';

/**
 * RFC 4180 CSV (csv-parse): comma-separated, fields optionally in double
 * quotes, CRLF or LF line ends, an optional byte-order mark. Returns the rows
 * as objects keyed by the header line; blank lines are skipped.
 */
export function parseCsv(text: string, where: string): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, bom: true, skip_empty_lines: true });
  } catch (e) {
    const err = e as CsvError;
    const message = err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' ? ` line ${err.lines}: ${(err.record as string[]).length} fields, the header has ${(err.columns as unknown[]).length}`
      : err.code === 'CSV_QUOTE_NOT_CLOSED' ? ': a quoted field is not closed'
      : `: ${err.message}`;
    throw new PermanentError(`${where}${message}`, 'PROVIDER_FILE_INVALID');
  }
  if (rows.length === 0 && text.replace(/^\ufeff/, '').trim() === '') throw new PermanentError(`${where}: empty file`, 'PROVIDER_FILE_INVALID');
  return rows;
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
