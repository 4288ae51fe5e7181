/** Backups and restore drills (seed 003, phase 3): `ballast backup`, `ballast drill restore`. */
export { takeBackup, readBackup, sha256File, DUMP_FILE, MANIFEST_FILE, type BackupOptions, type BackupResult } from './backup.ts';
export { runDrill, RTO_TARGET_SECONDS, type CheckResult, type DrillOptions, type DrillReport } from './drill.ts';
export { databaseState, compareState, MANIFEST_VERSION, type Manifest, type TableDigest } from './manifest.ts';
export { BackupToolError, checkTool, toolMajor } from './tools.ts';
export { DRILL_AGENT } from './fleet-check.ts';
