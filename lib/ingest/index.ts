export { createHandler, receiverLimits, type ReceiverLimits, type ReceiverOptions } from './receiver.ts';
export { startReceiver, type Receiver } from './server.ts';
export { inspectBody, MAX_WEBHOOK_ID_LENGTH, type BodyProblem } from './body.ts';
export { ClientEvents, type ClientEventCounts, type ClientEventKind } from './client-events.ts';
export { sign, verify, unixSeconds, newSecret, secretKey, SignatureError, TOLERANCE_SECONDS } from './signature.ts';
export { resolveSecrets, ensureDemoAgent, sendWebhook, sampleEvent, receiverFile, DEMO_AGENT, SAMPLE_SOURCE } from './sample.ts';
export * as telephony from './telephony.ts';
export { findReplayable, replayEvents, whyStillRejected, REPLAYABLE_STATUSES, type ReplayableStatus, type ReplayCandidate, type ReplayFilter, type ReplayOptions, type ReplayResult } from './replay.ts';
