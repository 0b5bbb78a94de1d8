/**
 * pg_catalog functions that pg_proc marks stable, yet do more than compute a value from the row
 * at hand: the *_to_xml family reads whole tables, schemas or databases (a backfill could copy a
 * secrets table into every row), and the transaction-id functions assign an id. Refused in any
 * author's expression, whatever their marking.
 */
export const REFUSED_FUNCTIONS: readonly string[] = [
  'table_to_xml',
  'table_to_xmlschema',
  'table_to_xml_and_xmlschema',
  'schema_to_xml',
  'schema_to_xmlschema',
  'schema_to_xml_and_xmlschema',
  'database_to_xml',
  'database_to_xmlschema',
  'database_to_xml_and_xmlschema',
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'txid_current',
  'pg_current_xact_id',
];
