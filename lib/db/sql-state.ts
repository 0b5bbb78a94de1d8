/**
 * The PostgreSQL error codes (SQLSTATE) the product acts on, by name: a comparison reads as what
 * happened, and a typo in a five-character literal cannot silently never match.
 */
export const SQL_STATE = {
  /** Class 22, data exception: a value the statement cannot convert or store (see isDataException). */
  stringDataRightTruncation: '22001',
  numericValueOutOfRange: '22003',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  invalidTextRepresentation: '22P02',
  notNullViolation: '23502',
  checkViolation: '23514',
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  insufficientPrivilege: '42501',
  duplicateDatabase: '42P04',
  duplicateObject: '42710',
  undefinedColumn: '42703',
  undefinedTable: '42P01',
  undefinedObject: '42704',
  duplicateColumn: '42701',
  duplicateTable: '42P07',
  datatypeMismatch: '42804',
  cannotCoerce: '42846',
  objectNotInPrerequisiteState: '55000',
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
  idleSessionTimeout: '57P05',
  invalidAuthorizationSpecification: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
} as const;

/** The SQLSTATE of an error from pg (or undefined when it has no string code; AppError codes are strings too, and never five characters). */
export const sqlState = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Class 22: the statement met a value it cannot convert or store (bad text for the type, out of range, too long). */
export const isDataException = (state: string | undefined): boolean => !!state && state.length === 5 && state.startsWith('22');
