/** Search that never drifts: outbox sync, reconciler, search, the local engine. */
export { searchRuntime, closeSearchRuntime, startRecordedEngine, localEngineDir, type SearchRuntime } from './runtime.ts';
export { ensureCollection, collectionSpec, qdrantClient, embedderFor, searchSettings, PAYLOAD_INDEXES, type SearchSettings } from './collection.ts';
export { localEmbedder, httpEmbedder, type Embedder } from './embedder.ts';
export { syncOutboxOnce, scheduleWaitingSync, type SyncResult } from './sync.ts';
export { reconcileSearch, type ReconcileResult, type ReconcileOptions } from './reconcile.ts';
export { searchDecisions, parseFilter, searchFilter, type SearchHit, type SearchQuery } from './query.ts';
export { pointId, pointPayload, type Document, type Entity } from './points.ts';
export { startLocalEngine, LOCAL_ENGINE_QDRANT_VERSION, type LocalEngine } from './local/index.ts';
