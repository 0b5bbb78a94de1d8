import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { openApiDocument } from '../../lib/api/openapi-document';

type Document = ReturnType<typeof openApiDocument>;
const BASE = 'https://expand-contract.invalid/openapi.json';

/**
 * The document's schemas compiled as JSON Schema 2020-12, strictly (an unknown keyword or a
 * malformed schema throws at compile), with `#/components/schemas/…` references resolved inside
 * the document, as an OpenAPI tool resolves them.
 */
export function documentSchemas(document: Document = openApiDocument()) {
  // Formats are only annotations here: the date-time fields carry zod's pattern, which is checked.
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
  // The wrapper holds the components where the references expect them; it is not itself a schema keyword.
  ajv.addKeyword('components');
  ajv.addSchema({ $id: BASE, components: document.components });
  const component = (name: string) => {
    const validate = ajv.getSchema(`${BASE}#/components/schemas/${name}`);
    if (!validate) throw new Error(`no component ${name}`);
    return validate;
  };

  /** What is wrong with `body` as the answer the document gives `method path` with `status`; [] when it fits. */
  function answerProblems(path: string, method: string, status: number, body: unknown, contentType = 'application/json'): string[] {
    const operation = (document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>)[
      path
    ]?.[method];
    const schema = operation?.responses[String(status)]?.content?.[contentType]?.schema;
    if (!schema) return [`the document gives ${method.toUpperCase()} ${path} no ${status} ${contentType} answer`];
    const validate = '$ref' in schema ? component(String(schema.$ref).replace('#/components/schemas/', '')) : ajv.compile(schema);
    return validate(body) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message}`);
  }
  return { component, answerProblems };
}
