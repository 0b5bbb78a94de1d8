/*
 * The mappings a change-type suggestion starts from, chosen from the column's type as the target
 * has it (format_type() spelling) and the new type as the SQL writes it. A plain cast is proposed
 * where Postgres has one; the advice says which values it cannot carry and what to write instead.
 */

type Family = 'text' | 'integer' | 'numeric' | 'float' | 'boolean' | 'timestamp' | 'timestamptz' | 'date' | 'uuid' | 'json' | 'other';

const FAMILIES: Record<string, Family> = {
  text: 'text',
  varchar: 'text',
  'character varying': 'text',
  char: 'text',
  character: 'text',
  bpchar: 'text',
  citext: 'text',
  smallint: 'integer',
  integer: 'integer',
  int: 'integer',
  bigint: 'integer',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'numeric',
  decimal: 'numeric',
  real: 'float',
  'double precision': 'float',
  float4: 'float',
  float8: 'float',
  boolean: 'boolean',
  bool: 'boolean',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  date: 'date',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'json',
};

/** Integer widths, to tell widening from narrowing. */
const INTEGER_BITS: Record<string, number> = { smallint: 16, int2: 16, integer: 32, int: 32, int4: 32, bigint: 64, int8: 64 };

const baseOf = (type: string) =>
  type
    .trim()
    .toLowerCase()
    .replace(/\(.*?\)/g, '')
    .replace(/\[\]$/, '')
    .replace(/\s+/g, ' ')
    .trim();
const familyOf = (type: string): Family => (/\[\]$/.test(type.trim()) ? 'other' : (FAMILIES[baseOf(type)] ?? 'other'));

export interface CastSuggestion {
  /** Uses {{old}}. */
  forward: string;
  /** Uses {{new}}. */
  reverse: string;
  /** What the casts cannot carry and what to write instead, in a sentence or two. */
  advice: string;
}

/** Mappings for changing a column of type `oldType` (as the target has it) to `newType`. */
export function suggestCast(oldType: string, newType: string): CastSuggestion {
  const from = familyOf(oldType);
  const to = familyOf(newType);
  const cast = { forward: `({{old}})::${newType}`, reverse: `({{new}})::${oldType}` };
  const it = `the column is ${oldType} on the target`;

  if (from === 'timestamp' && to === 'timestamptz') {
    return {
      forward: "({{old}}) AT TIME ZONE 'UTC'",
      reverse: "({{new}}) AT TIME ZONE 'UTC'",
      advice: `${it}, with no offset stored: these mappings read its times as UTC. Put the zone they were written in instead of 'UTC' if it is another.`,
    };
  }
  if (from === 'timestamptz' && to === 'timestamp') {
    return {
      forward: "({{old}}) AT TIME ZONE 'UTC'",
      reverse: "({{new}}) AT TIME ZONE 'UTC'",
      advice: `${it}: these mappings keep the UTC wall-clock time. Put another zone instead of 'UTC' if the new column should hold local time.`,
    };
  }
  if (from === 'text' && (to === 'integer' || to === 'numeric' || to === 'float')) {
    return {
      ...cast,
      advice:
        `${it}: the cast converts only text that spells a number, and the preview refuses the plan if any value does not. ` +
        `If it holds words (statuses, say), map each one instead: CASE {{old}} WHEN 'pending' THEN 1 … END forward, ` +
        `and CASE {{new}} WHEN 1 THEN 'pending' … END back.`,
    };
  }
  if (from === 'text' && to === 'boolean') {
    return {
      ...cast,
      advice:
        `${it}: the cast accepts t/f, true/false, yes/no, on/off and 1/0 only, and the reverse writes 'true' or 'false', ` +
        `so old code that wrote 't' or 'yes' reads back another spelling: write both as CASE if that matters.`,
    };
  }
  if (from === 'text' && (to === 'timestamp' || to === 'timestamptz' || to === 'date')) {
    return {
      ...cast,
      advice:
        `${it}: the cast reads dates in the session's DateStyle (and, without an offset, its TimeZone). ` +
        `Text in one fixed format converts more safely with to_timestamp({{old}}, 'YYYY-MM-DD HH24:MI:SS').`,
    };
  }
  if (from === 'text' && (to === 'uuid' || to === 'json')) {
    return {
      ...cast,
      advice: `${it}: the cast accepts only valid ${baseOf(newType)} text, and the reverse writes its canonical form, which may differ from what old code stored.`,
    };
  }
  if (to === 'text' && from !== 'text' && from !== 'other') {
    return {
      ...cast,
      advice:
        `${it}: every value converts to text, but new code may write text the reverse cast to ${oldType} cannot read, ` +
        `which fails that write: keep new code to values ${oldType} accepts, or map them with CASE.`,
    };
  }
  if (from === 'text' && to === 'text') {
    return {
      ...cast,
      advice: /\(\d+/.test(newType)
        ? `${it}: a cast to ${newType} cuts longer values without an error; the preview's round-trip check counts the rows that would change.`
        : /\(\d+/.test(oldType)
          ? `${it}: the reverse cast to ${oldType} cuts longer text new code writes, without an error.`
          : `${it}: both casts keep every value.`,
    };
  }
  if (from === 'integer' && to === 'integer') {
    const widening = (INTEGER_BITS[baseOf(newType)] ?? 0) >= (INTEGER_BITS[baseOf(oldType)] ?? 0);
    return {
      ...cast,
      advice: widening
        ? `${it}: every value fits ${newType}; the reverse fails a write of a value beyond ${oldType}'s range by new code.`
        : `${it}: values beyond ${newType}'s range cannot be cast, and the preview refuses the plan if the column holds any.`,
    };
  }
  if ((from === 'numeric' || from === 'float') && to === 'integer') {
    return {
      ...cast,
      advice: `${it}: the cast rounds fractions to whole numbers, so old code reads back a rounded value; use trunc({{old}}) to cut them instead.`,
    };
  }
  if (from === 'integer' && (to === 'numeric' || to === 'float')) {
    return {
      ...cast,
      advice: `${it}: every value converts; the reverse rounds any fraction new code writes.`,
    };
  }
  return {
    ...cast,
    advice: `${it}: a cast each way, between ${oldType} and ${newType}; the preview tries it on the column's values and refuses the plan if Postgres has no such cast or a value does not convert.`,
  };
}
