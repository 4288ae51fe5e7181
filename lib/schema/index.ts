/** The committed schema dump (`sql/schema.sql`) and the drift check CI runs on it. */
export { dumpSchema, describeDrift, normalizeDump, SCHEMA_FILE, SchemaDumpError } from './dump.ts';
