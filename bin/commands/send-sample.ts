/** `ballast send-sample`. */
import { loadConfig } from '../../lib/config/index.ts';
import { readProcessRecord } from '../../lib/fleet/index.ts';
import { DEMO_AGENT, receiverFile, resolveSecrets, sampleEvent, sendWebhook, telephony } from '../../lib/ingest/index.ts';

export async function commandSendSample(opts: { url?: string; source: string; to?: string }): Promise<void> {
  // The receiver takes any number; normalize_event would then refuse it for good (a dead letter).
  if (opts.to !== undefined && !telephony.E164.test(opts.to)) {
    throw new Error(`--to must be an E.164 number (${telephony.E164_FORMAT}), got "${opts.to}"`);
  }
  const config = loadConfig();
  let url = opts.url;
  if (!url) {
    const recorded = await readProcessRecord(receiverFile(config));
    if (!recorded) throw new Error('no running receiver found: start one with `npm start` (or pass --url)');
    url = recorded.url;
  }
  const { secrets } = await resolveSecrets(config);
  const secret = secrets.get(opts.source);
  if (!secret) throw new Error(`no webhook secret for source "${opts.source}" (BALLAST_WEBHOOK_SECRETS)`);
  const res = await sendWebhook({ url, source: opts.source, secret, payload: sampleEvent(opts.to ?? DEMO_AGENT.phone_number) }).catch((e: Error) => {
    throw new Error(`${e.message}: is a receiver running there? (\`npm start\` starts one; --url names another)`, { cause: e });
  });
  console.log(`POST ${url}/webhooks/${opts.source} -> ${res.status} ${JSON.stringify(res.body)}`);
  if (res.status !== 200) process.exitCode = 1;
  else console.log(`\nRead its story:  npx ballast trace ${res.webhookId}`);
}
