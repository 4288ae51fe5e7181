import { Redactor } from '/work/wt/failures/lib/failures/redact.ts';
const r = new Redactor({ key: 'x'.repeat(32) });
for (const s of ['call +15555550123 or (555) 010-9999, mail jane.doe@example.com', '+1 555 555 0123', '+44 20 7946 0958', 'date 2026-11-22T08:00:00Z', 'card 4111 1111 1111 1111', 'ssn 123-45-6789', 'local 555-1234', 'outbox row 123456', 'Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'trace 0af7651916cd43dd8448eb211c80319c', 'version 1.2.3 at 10:30', 'epoch 1732700000000'])
  console.log(r.text(s));
console.log(r.value({ phone: '+15555550123', email: 'JANE.doe@example.com', api_key: 'abc', n: 5, trace_id: '0af7651916cd43dd8448eb211c80319c', auth: 'Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc' }));
console.log(r.text(r.text('x +15555550123')));
