export { startLocalEngine, LOCAL_ENGINE_QDRANT_VERSION, type LocalEngine, type LocalEngineOptions } from './server.ts';
