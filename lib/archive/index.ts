/**
 * Retention (issue 14, seed 003 phase 2): policies as data, warm partitions
 * compressed, and archive -> verify -> purge of old range partitions, in that
 * order, always; archives listed, verified again and restored for forensics.
 * docs/retention.md, ops/runbooks/retention.md.
 */
export { type ArchiveStore, DirectoryStore, archiveStores } from './store.ts';
export { type Manifest, type PartitionRange, archiveKey, manifestKey, readManifest, MANIFEST_SUFFIX } from './manifest.ts';
export { exportPartition, type Exported, type ExportOptions } from './export.ts';
export { verifyArchive, verificationFailures, loadArchive, quoteIdent, VERIFY_DEPTHS, type ArchiveVerification, type VerifyDepth } from './verify.ts';
export { purgeArchive } from './purge.ts';
export { restoreArchive, RestoreRefusedError, RESTORE_SCHEMA, type Restored } from './restore.ts';
export { compressionMethod, compressPartition, type CompressionMethod, type Compressed } from './compress.ts';
export { listPolicies, setPolicy, PolicyError, type PolicyChange, type RetentionPolicy } from './policies.ts';
export { runRetention, type RetentionCounts, type RetentionOptions } from './lifecycle.ts';
export { recordStep, type Step, type StepRow } from './runs.ts';
