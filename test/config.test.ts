import t from 'tap';
import { loadConfig, ConfigError } from '../lib/config/index.ts';

t.test('defaults need nothing from the environment', async (t) => {
  const c = loadConfig({});
  t.equal(c.DATABASE_URL, undefined);
  t.equal(c.BALLAST_HTTP_PORT, 8787);
  t.equal(c.BALLAST_CONCURRENCY, 8);
  t.match(c.dataDir, /\.ballast$/);
  t.equal(c.webhookSecrets.size, 0);
});

t.test('errors name the variable', async (t) => {
  t.throws(() => loadConfig({ BALLAST_HTTP_PORT: 'eighty' }), { name: 'ConfigError', message: /BALLAST_HTTP_PORT/ });
  t.throws(() => loadConfig({ DATABASE_URL: 'not a url' }), /DATABASE_URL/);
  t.throws(() => loadConfig({ BALLAST_CONCURRENCY: '0' }), /BALLAST_CONCURRENCY/);
  t.throws(() => loadConfig({ BALLAST_WEBHOOK_SECRETS: 'telephony' }), ConfigError);
  t.throws(() => loadConfig({ BALLAST_WEBHOOK_SECRETS: 'telephony' }), /BALLAST_WEBHOOK_SECRETS/);
});

t.test('webhook secrets parse as source=secret pairs', async (t) => {
  const c = loadConfig({ BALLAST_WEBHOOK_SECRETS: 'telephony=whsec_abc, docs=s3cr3t=x' });
  t.same([...c.webhookSecrets], [['telephony', 'whsec_abc'], ['docs', 's3cr3t=x']]);
});
