/**
 * The benches' command lines: node's parseArgs, plus `--help` (the options
 * with their defaults and where the method is written down) and a one-line
 * error for an option a bench does not know, instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv for `npm run <script>`; prints help and exits on --help, or an error and exits 2. */
export function benchArgs<O extends Options>(script: string, about: string, options: O, hidden: string[] = []) {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, strict: true }));
  } catch (e) {
    console.error(`${script}: ${(e as Error).message.split('\n')[0]} (--help lists the options)`);
    process.exit(2);
  }
  if (values.help) {
    const lines = Object.entries(options).filter(([name]) => !hidden.includes(name)).map(([name, o]) => {
      const value = o.type === 'string' ? ' <value>' : '';
      const dflt = o.default === undefined || o.default === false ? '' : `  (default: ${String(o.default) || "''"})`;
      return `  --${name}${value}${dflt}`;
    });
    console.log(`usage: npm run ${script} -- [options]\n\n${about}\n\noptions:\n${lines.join('\n')}\n  --help`);
    process.exit(0);
  }
  return values as ReturnType<typeof parseArgs<{ options: O }>>['values'];
}
