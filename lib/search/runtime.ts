/**
 * One search runtime per process: settings, Qdrant client and embedder,
 * resolved from configuration. With no QDRANT_URL, the local engine: the one a
 * running `ballast up` recorded in `<data dir>/qdrant/engine.json`, or one
 * started in this process.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { QdrantClient } from '@qdrant/js-client-rest';
import { loadConfig, type Config } from '../config/index.ts';
import { redactorFromConfig, type Redactor } from '../failures/index.ts';
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
}

export const localEngineDir = (config: Config): string => path.join(config.dataDir, 'qdrant');
const engineFile = (config: Config) => path.join(localEngineDir(config), 'engine.json');

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Starts the local engine for this data dir and records its URL for other processes. */
export async function startRecordedEngine(config: Config): Promise<LocalEngine> {
  const engine = await startLocalEngine({ dir: path.join(localEngineDir(config), 'collections'), apiKey: config.QDRANT_API_KEY });
  await fs.writeFile(engineFile(config), JSON.stringify({ url: engine.url, pid: process.pid }) + '\n');
  return {
    ...engine,
    async close() {
      await engine.close();
      await fs.rm(engineFile(config), { force: true });
    },
  };
}

async function recordedEngineUrl(config: Config): Promise<string | null> {
  const text = await fs.readFile(engineFile(config), 'utf8').catch(() => null);
  if (!text) return null;
  const { url, pid } = JSON.parse(text) as { url: string; pid: number };
  return alive(pid) ? url : null;
}

let current: { key: string; runtime: Promise<SearchRuntime> } | null = null;

/** The runtime for the current environment (re-resolved when the search variables change). */
export function searchRuntime(env: NodeJS.ProcessEnv = process.env): Promise<SearchRuntime> {
  const config = loadConfig(env);
  const key = JSON.stringify(Object.entries(config).filter(([k]) => /^(QDRANT_|BALLAST_(SEARCH|EMBED|REDACT)|BALLAST_DATA_DIR|redactKeys)/.test(k)));
  if (current?.key === key) return current.runtime;
  current = { key, runtime: resolve(config) };
  current.runtime.catch(() => { current = null; });
  return current.runtime;
}

async function resolve(config: Config): Promise<SearchRuntime> {
  let url = config.QDRANT_URL ?? null;
  let engine: LocalEngine | null = null;
  if (!url) {
    await fs.mkdir(localEngineDir(config), { recursive: true });
    url = await recordedEngineUrl(config);
    if (!url) {
      engine = await startRecordedEngine(config);
      url = engine.url;
    }
  }
  const settings = searchSettings(config, url);
  return { settings, client: qdrantClient(settings), embedder: embedderFor(config), redactor: redactorFromConfig(config), engine };
}

/** Closes a local engine this process started (for `ballast` commands that exit). */
export async function closeSearchRuntime(): Promise<void> {
  const c = current;
  current = null;
  const rt = await c?.runtime.catch(() => null);
  await rt?.engine?.close();
}
