/**
 * Telephony webhook payloads of the reference pipeline, modelled on common
 * providers' `call.completed` and `message.received` events.
 */
import { z } from 'zod';

/** An E.164 number, and how messages describe it (no example number: the redactor would mask it). */
export const E164 = /^\+[1-9][0-9]{6,14}$/;
export const E164_FORMAT = '+ and 7 to 15 digits, the first not 0';

export const e164 = z.string().regex(E164, `expected an E.164 number: ${E164_FORMAT}`);

export const transcriptTurn = z.object({
  speaker: z.string().min(1).max(64),
  text: z.string().max(20_000),
  start_ms: z.number().int().nonnegative().optional(),
  end_ms: z.number().int().nonnegative().optional(),
});

export const callCompleted = z.object({
  type: z.literal('call.completed'),
  id: z.string().min(1).optional(),
  created_at: z.string().datetime({ offset: true }).optional(),
  data: z.object({
    call_id: z.string().min(1),
    direction: z.enum(['inbound', 'outbound']),
    from: e164,
    to: e164,
    started_at: z.string().datetime({ offset: true }),
    ended_at: z.string().datetime({ offset: true }).optional(),
    duration_seconds: z.number().int().nonnegative().optional(),
    transcript: z.array(transcriptTurn).max(5_000).default([]),
  }),
});

export const messageReceived = z.object({
  type: z.literal('message.received'),
  id: z.string().min(1).optional(),
  created_at: z.string().datetime({ offset: true }).optional(),
  data: z.object({
    message_id: z.string().min(1),
    direction: z.enum(['inbound', 'outbound']).default('inbound'),
    from: e164,
    to: e164,
    body: z.string().max(10_000),
    sent_at: z.string().datetime({ offset: true }),
  }),
});

export const telephonyEvent = z.discriminatedUnion('type', [callCompleted, messageReceived]);
export type TelephonyEvent = z.infer<typeof telephonyEvent>;
export const SUPPORTED_EVENT_TYPES = ['call.completed', 'message.received'] as const;

/** A realistic sample call for `ballast send-sample` and the tests. */
export function sampleCall(opts: { to: string; from?: string; callId?: string; at?: Date }): TelephonyEvent {
  const at = opts.at ?? new Date();
  const started = new Date(at.getTime() - 95_000);
  return {
    type: 'call.completed',
    created_at: at.toISOString(),
    data: {
      call_id: opts.callId ?? `call_${at.getTime().toString(36)}`,
      direction: 'inbound',
      from: opts.from ?? '+15555550199',
      to: opts.to,
      started_at: started.toISOString(),
      ended_at: at.toISOString(),
      duration_seconds: 95,
      transcript: [
        { speaker: 'agent', text: 'Thanks for calling Acme support. How can I help you today?', start_ms: 0, end_ms: 3500 },
        { speaker: 'caller', text: 'Hi. I was charged twice for my subscription this month.', start_ms: 3600, end_ms: 7800 },
        { speaker: 'caller', text: 'My account number is 44721. I want a refund for the double charge.', start_ms: 7900, end_ms: 12000 },
        { speaker: 'agent', text: 'I am sorry about that. I can see the duplicate charge on your account.', start_ms: 12100, end_ms: 16000 },
        { speaker: 'caller', text: 'This is really frustrating. If it is not fixed I will cancel and switch to a competitor.', start_ms: 16100, end_ms: 21000 },
        { speaker: 'agent', text: 'I understand. I have issued the refund, it will arrive in three to five business days.', start_ms: 21100, end_ms: 26000 },
        { speaker: 'caller', text: 'Okay. Please send me a confirmation email.', start_ms: 26100, end_ms: 28500 },
      ],
    },
  };
}
