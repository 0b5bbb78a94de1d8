import { byteLength as bytes, MAX_IDENTIFIER_BYTES } from './quote';

const encoder = new TextEncoder();

/** FNV-1a, 32 bit: a short stable fingerprint without a crypto dependency in pure code. */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Cuts to at most `max` UTF-8 bytes without splitting a character. */
function truncateBytes(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (bytes(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/**
 * A deterministic name for an object we generate (trigger, function, constraint, archive
 * table, index). Readable when it fits in 63 bytes; otherwise a readable prefix plus a
 * fingerprint of the full name, so two long names never collide after truncation.
 */
export function generatedName(prefix: string, ...parts: string[]): string {
  const full = [prefix, ...parts].join('_');
  if (bytes(full) <= MAX_IDENTIFIER_BYTES) return full;
  const suffix = `_${fingerprint(full)}`;
  return truncateBytes(full, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
}

/** Names a plan creates for one column change, all derived from the same intent. */
export interface ObjectNames {
  syncFunction: string;
  syncOldWriteFunction: string;
  /** Fires on old-column writes; its prefix sorts after syncNewTrigger's (see SyncSpec). */
  syncTrigger: string;
  syncNewTrigger: string;
  syncInsertTrigger: string;
  notNullCheck: string;
  archiveTable: string;
}

export function objectNames(table: string, oldColumn: string, newColumn: string): ObjectNames {
  return {
    syncFunction: generatedName('ec_sync', table, oldColumn, newColumn),
    syncOldWriteFunction: generatedName('ec_sync_old', table, oldColumn, newColumn),
    syncTrigger: generatedName('ec_sync_old', table, oldColumn, newColumn),
    syncNewTrigger: generatedName('ec_sync_new', table, oldColumn, newColumn),
    syncInsertTrigger: generatedName('ec_sync_ins', table, oldColumn, newColumn),
    notNullCheck: generatedName('ec_nn', table, newColumn),
    archiveTable: generatedName('ec_archive', table, oldColumn),
  };
}

export function indexName(table: string, column: string, original: string): string {
  return generatedName('ec_idx', table, column, fingerprint(original));
}

/** File-name and id friendly slug: lower-case ASCII, digits and underscores. */
export function slugify(...parts: string[]): string {
  const slug = parts
    .join('_')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: "ü" becomes "u", not "u_"
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  const safe = slug || 'change';
  return safe.length <= 60 ? safe : `${safe.slice(0, 51)}_${fingerprint(safe)}`;
}
