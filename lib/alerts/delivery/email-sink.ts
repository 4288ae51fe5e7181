/**
 * The e-mail sink: runs a configured shell command (BALLAST_ALERT_EMAIL_COMMAND,
 * e.g. `mail -s "$1" ops@example.com`, with the subject line as `$1`) and
 * feeds it the message on stdin. Exit status 0 is delivered; anything else, or a command
 * still running after the timeout (then killed), is a failed attempt.
 */
import { spawn } from 'node:child_process';
import { alertHeadline, failureText, type AlertEvent, type Delivery, type Sink, type SinkResult } from './sink.ts';

/** The message text: a headline, the alert's fields, and where to look next. */
export function emailText(a: AlertEvent): string {
  return [
    alertHeadline(a), '',
    `event:       ${a.event}`, `severity:    ${a.severity}`, `rule:        ${a.rule}`, `status:      ${a.status}`,
    `subject:     ${JSON.stringify(a.subject)}`, `dedupe key:  ${a.dedupe_key}`,
    `first seen:  ${a.first_seen_at}`, `last seen:   ${a.last_seen_at}`, `occurrences: ${a.occurrences}`,
    ...(a.resolved_at ? [`resolved at: ${a.resolved_at}`] : []),
    ...(a.trace_id ? [`trace:       npx ballast trace ${a.trace_id}`] : []),
    '', `npx ballast alerts show ${a.id}`, '',
  ].join('\n');
}

export function emailSink(o: { command: string; timeoutMs?: number }): Sink {
  return {
    name: 'email',
    send(d: Delivery): Promise<SinkResult> {
      return new Promise((resolve) => {
        let stderr = '';
        // The command's positional parameters: $1 the subject line, $2 the alert id, $3 the delivery id.
        const child = spawn('/bin/sh', ['-c', o.command, 'ballast-alert', alertHeadline(d.alert).slice(0, 200), d.alert.id, d.id],
          { stdio: ['pipe', 'ignore', 'pipe'] });
        const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 10_000);
        child.stderr.on('data', (b: Buffer) => { if (stderr.length < 500) stderr += b.toString('utf8'); });
        child.stdin.on('error', () => undefined); // a command that exits without reading stdin
        child.on('error', (e) => { clearTimeout(timer); resolve({ ok: false, error: failureText(e) }); });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve({ ok: true });
          else resolve({ ok: false, error: `${signal ? `killed by ${signal} (timeout?)` : `exit status ${code}`}${stderr ? `: ${stderr.trim().slice(0, 300)}` : ''}` });
        });
        child.stdin.end(emailText(d.alert));
      });
    },
  };
}
