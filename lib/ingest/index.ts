export { startReceiver, createHandler, type Receiver, type ReceiverOptions } from './receiver.ts';
export { sign, verify, unixSeconds, newSecret, secretKey, SignatureError, TOLERANCE_SECONDS } from './signature.ts';
export { resolveSecrets, ensureDemoAgent, sendWebhook, sampleEvent, receiverFile, DEMO_AGENT, SAMPLE_SOURCE } from './sample.ts';
export * as telephony from './telephony.ts';
