import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { documentSchemas } from '../../tests/helpers/openapi-answers';
import { metricBatchSchema } from '../metrics/metric-batch';
import { openApiDocument, OPENAPI_PATH } from './openapi-document';

const app = path.resolve(import.meta.dirname, '../../app');
const document = openApiDocument();
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Every route handler file under app/api, as the URL path Next.js serves it at (`[id]` → `{id}`). */
function apiRoutes(dir = path.join(app, 'api')): Map<string, string> {
  return new Map(
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name === 'route.ts')
      .map((e) => {
        const file = path.join(e.parentPath, e.name);
        const url = `/${path.relative(app, path.dirname(file)).split(path.sep).join('/')}`.replace(/\[([^\]]+)\]/g, '{$1}');
        return [url, file];
      }),
  );
}

const operations = Object.entries(document.paths).flatMap(([url, item]) =>
  Object.entries(item).map(([method, operation]) => ({
    url,
    method,
    operation: operation as { security: Record<string, string[]>[]; responses: Record<string, unknown> },
  })),
);

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, every reference resolving', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds schemas that compile as strict JSON Schema 2020-12', () => {
    const schemas = documentSchemas(document);
    for (const name of Object.keys(document.components.schemas)) expect(() => schemas.component(name), name).not.toThrow();
  });

  it('lists every route under app/api, and each path it lists is a route file answering the methods it names', async () => {
    const routes = apiRoutes();
    expect([...routes.keys()].sort()).toEqual(Object.keys(document.paths).sort());
    for (const [url, file] of routes) {
      const mod = (await import(file)) as Record<string, unknown>;
      const answered = HTTP_METHODS.filter((m) => typeof mod[m] === 'function').map((m) => m.toLowerCase());
      expect(answered, url).toEqual(Object.keys(document.paths[url as keyof typeof document.paths]));
    }
    // Importing every route handler loads most of the server: seconds on a busy machine.
  }, 60_000);

  it('names a declared token for every operation, and a token route documents its 401', () => {
    const schemes = Object.keys(document.components.securitySchemes);
    for (const { url, method, operation } of operations) {
      const named = operation.security.flatMap((s) => Object.keys(s));
      for (const scheme of named) expect(schemes, `${method} ${url}`).toContain(scheme);
      if (named.length > 0) expect(Object.keys(operation.responses), `${method} ${url}`).toContain('401');
    }
    expect(
      operations
        .filter((o) => o.operation.security.length === 0)
        .map((o) => o.url)
        .sort(),
    ).toEqual(['/api/health', OPENAPI_PATH]);
  });

  it('describes the metric batch as the route parses it (the same zod schema)', () => {
    const batch = { batchId: 'b-1', points: [{ service: 'web', version: 'v1', timestamp: '2026-11-24T10:00:00Z', requests: 10, errors: 1 }] };
    const schemas = documentSchemas(document);
    const documented = schemas.component('MetricBatch');
    for (const [body, ok] of [
      [batch, true],
      [{ ...batch, extra: 1 }, false],
      [{ ...batch, points: [] }, false],
      [{ ...batch, points: [{ ...batch.points[0], timestamp: '2026-11-24 10:00' }] }, false],
    ] as const) {
      expect(documented(body), JSON.stringify(body)).toBe(ok);
      expect(metricBatchSchema.safeParse(body).success).toBe(ok);
    }
  });

  it('is served without a token or a session', async () => {
    const { GET } = await import('../../app/api/v1/openapi.json/route');
    const response = await GET(new Request(`http://127.0.0.1${OPENAPI_PATH}`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
