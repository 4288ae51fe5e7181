/**
 * The search runtime: settings, Qdrant client and embedder, resolved from a
 * Config on first use and shared by everything that holds that same Config
 * (a worker's jobs, one CLI command). With no QDRANT_URL, the local engine:
 * the one a running `ballast up` recorded in `<data dir>/qdrant/engine.json`,
 * or one started in this process.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { QdrantClient } from '@qdrant/js-client-rest';
import { makeDirectory, type Config } from '../config/index.ts';
import { redactorFromConfig, type Redactor } from '../failures/index.ts';
import { readProcessRecord } from '../fleet/index.ts';
import { embedderFor, qdrantClient, searchSettings, type SearchSettings } from './collection.ts';
import type { Embedder } from './embedder.ts';
import { startLocalEngine, type LocalEngine } from './local/index.ts';

export interface SearchRuntime {
  settings: SearchSettings;
  client: QdrantClient;
  embedder: Embedder;
  /** The install's redactor, for the dead letters of rows sync gives up on. */
  redactor: Redactor;
  /** The local engine this process started, if any. */
  engine: LocalEngine | null;
  /** `url|collection` of the collections this runtime has created or checked (see ensureCollection). */
  ensured: Set<string>;
}

export const localEngineDir = (config: Config): string => path.join(config.dataDir, 'qdrant');
const engineFile = (config: Config) => path.join(localEngineDir(config), 'engine.json');

/** The engine recorded in engine.json, if the process that recorded it is alive. */
const recordedEngine = (config: Config) => readProcessRecord(engineFile(config));

/**
 * Starts the local engine for this data dir and records its URL for other
 * processes. Refuses while another live process records one there: two
 * engines on one directory would overwrite each other's files. Its close()
 * removes engine.json only while that still names this engine.
 */
export async function startRecordedEngine(config: Config, opts: { port?: number } = {}): Promise<LocalEngine> {
  makeDirectory(localEngineDir(config));
  const other = await recordedEngine(config);
  if (other && other.pid !== process.pid) {
    throw new Error(`a local search engine (pid ${other.pid}, ${other.url}) already runs on ${localEngineDir(config)}: stop it first, or set QDRANT_URL to use it`);
  }
  const engine = await startLocalEngine({ dir: path.join(localEngineDir(config), 'collections'), apiKey: config.QDRANT_API_KEY, port: opts.port ?? 0 });
  const record = JSON.stringify({ url: engine.url, pid: process.pid }) + '\n';
  await fs.writeFile(engineFile(config), record);
  return {
    ...engine,
    async close() {
      await engine.close();
      if (await fs.readFile(engineFile(config), 'utf8').catch(() => null) === record) await fs.rm(engineFile(config), { force: true });
    },
  };
}

// Keyed by the Config object, so a runtime lives as long as the configuration it came from.
const runtimes = new WeakMap<Config, Promise<SearchRuntime>>();

/** The runtime for `config`: resolved on its first call, then the same one for that Config. */
export function searchRuntime(config: Config): Promise<SearchRuntime> {
  let runtime = runtimes.get(config);
  if (!runtime) {
    runtime = resolve(config);
    runtimes.set(config, runtime);
    runtime.catch(() => runtimes.delete(config));
  }
  return runtime;
}

async function resolve(config: Config): Promise<SearchRuntime> {
  let url = config.QDRANT_URL ?? null;
  let engine: LocalEngine | null = null;
  if (!url) {
    makeDirectory(localEngineDir(config));
    url = (await recordedEngine(config))?.url ?? null;
    if (!url) {
      engine = await startRecordedEngine(config);
      url = engine.url;
    }
  }
  const settings = searchSettings(config, url);
  return { settings, client: qdrantClient(settings), embedder: embedderFor(config), redactor: redactorFromConfig(config), engine, ensured: new Set() };
}

/** Closes the local engine `config`'s runtime started, if any (for `ballast` commands that exit). */
export async function closeSearchRuntime(config: Config): Promise<void> {
  const runtime = runtimes.get(config);
  runtimes.delete(config);
  const rt = await runtime?.catch(() => null);
  await rt?.engine?.close();
}
