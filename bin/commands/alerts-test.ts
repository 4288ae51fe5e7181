/**
 * `ballast alerts test <sink>`: sends a made-up alert through one sink, now,
 * and prints how it went (exit status 1 when it failed). A success also puts
 * the sink's dead deliveries back in line (lib/alerts/delivery/test-alert.ts).
 */
import type { Command } from 'commander';
import { deliverySettings, sendTestAlert, SINK_NAMES, sinksFromConfig, type SinkName } from '../../lib/alerts/delivery/index.ts';
import { withSession } from './context.ts';

export async function alertsTest(sinkName: string, opts: { json?: boolean }): Promise<void> {
  if (!(SINK_NAMES as readonly string[]).includes(sinkName)) throw new Error(`no alert sink "${sinkName}"; the sinks are ${SINK_NAMES.join(', ')}`);
  await withSession(async ({ db, config, redactor, log }) => {
    const sink = sinksFromConfig(config, log).get(sinkName as SinkName);
    if (!sink) {
      const env = sinkName === 'webhook' ? 'BALLAST_ALERT_WEBHOOK_URL (and BALLAST_ALERT_WEBHOOK_SECRET)' : 'BALLAST_ALERT_EMAIL_COMMAND';
      throw new Error(`the ${sinkName} sink is not configured: set ${env} (docs/alerts-delivery.md)`);
    }
    const r = await sendTestAlert(db, sink, { settings: deliverySettings(config), redactor, actor: config.cliActor });
    if (opts.json) console.log(JSON.stringify({ sink: sinkName, ...r }, null, 2));
    else if (r.ok) {
      console.log(`${sinkName}: delivered test alert ${r.deliveryId} in ${r.durationMs} ms${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ''}`);
      if (r.revived) console.log(`${r.revived} dead deliver${r.revived === 1 ? 'y is' : 'ies are'} due again; deliver_alerts sends them within a minute`);
    } else console.log(`${sinkName}: FAILED after ${r.durationMs} ms: ${r.error}`);
    if (!r.ok) process.exitCode = 1;
  });
}

/** Adds `test <sink>` to the `alerts` command group. */
export function registerAlertTestCommand(alerts: Command): void {
  alerts.command('test')
    .description(`send a test alert through one sink (${SINK_NAMES.join(', ')}) and print the outcome`)
    .argument('<sink>', 'log, webhook or email')
    .option('--json', 'print the outcome as JSON')
    .action(alertsTest);
}
