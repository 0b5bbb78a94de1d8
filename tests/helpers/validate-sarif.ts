import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

/*
 * The SARIF 2.1.0 schema as the OASIS standard publishes it (errata 01, `id`
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json), vendored from
 * the SARIF technical committee's repository, github.com/oasis-tcs/sarif-spec, file
 * sarif-2.1/schema/sarif-schema-2.1.0.json. It is JSON Schema draft-04, and stricter than the draft-07
 * copy GitHub's docs link to: a region must say where it starts, enum-valued properties must be strings.
 */
const schema = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;

const ajv = new Ajv({ allErrors: true, strict: false });
// uri, uri-reference and date-time are checked, not skipped: a file path that is not a valid URI fails here.
addFormats(ajv);
const validate = ajv.compile(schema);

/** The schema's complaints about a SARIF log, as readable lines; empty when it is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
