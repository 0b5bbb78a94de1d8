import { z } from 'zod';
import { metricBatchSchema, metricPointSchema, MAX_BODY_BYTES, MAX_POINTS } from '../metrics/metric-batch';
import { MAX_MIGRATION_ID, MIGRATION_ID_PATTERN } from '../migrations/parse-migration-id';
import { deployMarkBodySchema } from './deploy-mark-body';
import { errorBodySchema } from './error-body';
import { healthBodySchema } from './health-body';
import { ingestResultBodySchema } from './ingest-result-body';
import { isoDateTime } from './iso-date-time';
import { gateBodySchema, migrationStatusBodySchema, phaseRunBodySchema } from './migration-status-body';
import { backfillProgressBodySchema, migrationListBodySchema, migrationStateSchema, migrationSummaryBodySchema } from './migration-summary-body';

/** Where the document is served; it is public, as it holds no data. */
export const OPENAPI_PATH = '/api/v1/openapi.json';

/**
 * The schemas the routes parse requests and encode answers with, by the name the document gives
 * them. Registered, not copied: a change to a route's schema is a change to the document.
 */
const COMPONENTS = {
  Error: errorBodySchema,
  Health: healthBodySchema,
  MetricBatch: metricBatchSchema,
  MetricPoint: metricPointSchema,
  IngestResult: ingestResultBodySchema,
  DeployMark: deployMarkBodySchema,
  MigrationList: migrationListBodySchema,
  MigrationSummary: migrationSummaryBodySchema,
  MigrationStatus: migrationStatusBodySchema,
  MigrationState: migrationStateSchema,
  PhaseRun: phaseRunBodySchema,
  BackfillProgress: backfillProgressBodySchema,
  Gate: gateBodySchema,
  DateTime: isoDateTime,
} satisfies Record<string, z.ZodType>;

type ComponentName = keyof typeof COMPONENTS;

/** zod stamps each JSON Schema with `$schema` and a fragment `$id`; the document states its dialect once instead. */
function withoutStamps(schema: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

/**
 * JSON Schema draft 2020-12, the dialect OpenAPI 3.1 is built on, of the wire side of each
 * schema (`io: 'input'`: what a client sends, and what an answer is encoded to).
 */
function componentSchemas(): Record<ComponentName, object> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutStamps(schema)])) as Record<ComponentName, object>;
}

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName, description: string) => ({ description, content: { 'application/json': { schema: ref(name) } } });
const refusal = (description: string) => json('Error', description);
const NO_STORE = { 'Cache-Control': { description: 'always `no-store`: every answer is for one caller', schema: { type: 'string' } } };
/** A success answer of a token route. */
const answered = (name: ComponentName, description: string) => ({ ...json(name, description), headers: NO_STORE });
const TOKEN_REFUSED = refusal(
  'no token, a malformed Authorization header, or a token that is unknown, revoked or of another scope; which of these is not told',
);

/** What a route of one migration answers a deploy token that cannot reach it, and an id that names none. */
const MIGRATION_REFUSALS = {
  '401': refusal('as for every token route, and a token scoped to another migration (whether this one exists is not told)'),
  '404': refusal('no such migration'),
};

const migrationIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: `a migration id: decimal digits from 1 to ${MAX_MIGRATION_ID}, without a leading zero; anything else is 404`,
  schema: withoutStamps(z.toJSONSchema(z.string().regex(MIGRATION_ID_PATTERN), { target: 'draft-2020-12' })),
};

/**
 * The HTTP API as an OpenAPI 3.1 document, built from the same zod schemas the routes use. Each
 * operation lists the statuses its route really answers (guardedRoute answers a typed error by
 * its kind: 404 not found, 409 conflict, 503 unavailable).
 */
export function openApiDocument() {
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Expand/Contract API',
      version: '1',
      description:
        "Zero-downtime Postgres schema changes, the expand-contract way. A CD pipeline marks the deploy of code that uses the new column, reads a migration's state and contract gate, and lists migrations, with a deploy token; services report error rates with an ingest token; calendars subscribe with a calendar token. Tokens are created on the Admin page or with `expand-contract token create`, shown once and stored hashed. No answer holds a connection string or a token.",
    },
    servers: [{ url: '/', description: 'the dashboard that serves this document' }],
    tags: [
      { name: 'migrations', description: 'for CD pipelines (deploy token)' },
      { name: 'signals', description: 'error rates from services (ingest token)' },
      { name: 'calendar', description: 'the schedule as a calendar feed (calendar token)' },
      { name: 'meta', description: 'readiness and this document (no token)' },
    ],
    paths: {
      '/api/v1/migrations': {
        get: {
          operationId: 'listMigrations',
          tags: ['migrations'],
          summary: 'List migrations',
          description: 'Newest first. A deploy token scoped to one migration lists that one alone.',
          security: [{ deployToken: [] }],
          responses: { '200': answered('MigrationList', 'the migrations the token may act on'), '401': TOKEN_REFUSED },
        },
      },
      '/api/v1/migrations/{id}': {
        get: {
          operationId: 'getMigrationStatus',
          tags: ['migrations'],
          summary: "A migration's state, backfill progress and contract gate",
          description:
            'The gate is judged now, the way the contract run would judge it (which judges again under a lock when it runs). `gate.allowed` with `gate.reasons` empty means every condition is met; `status` says whether a contract is still to come.',
          security: [{ deployToken: [] }],
          parameters: [migrationIdParameter],
          responses: {
            '200': answered('MigrationStatus', 'the migration, judged now'),
            ...MIGRATION_REFUSALS,
            '503': refusal('a database the status is read from cannot be reached now: ask again later'),
          },
        },
      },
      '/api/v1/migrations/{id}/deployed': {
        post: {
          operationId: 'markDeployed',
          tags: ['migrations'],
          summary: 'Mark the deploy of code that uses the new column',
          description:
            'Starts the buffer before the contract. Marking again keeps the first time, so a pipeline that runs twice does not restart the buffer. A mark is taken back only by people, never with a token.',
          security: [{ deployToken: [] }],
          parameters: [migrationIdParameter],
          responses: {
            '200': answered('DeployMark', 'marked, or marked before'),
            ...MIGRATION_REFUSALS,
            '409': refusal('the migration is not between expand and contract (planned, contracted, rolled back…)'),
          },
        },
      },
      '/api/v1/metrics': {
        post: {
          operationId: 'ingestMetrics',
          tags: ['signals'],
          summary: 'Report request and error counts of a service',
          description: `The contract gate compares error rates before and after each phase. Every point must be for the token's service, at most ${MAX_POINTS} points per batch and ${MAX_BODY_BYTES} bytes per body. A batch id stored before is acknowledged and not stored again, so a retry is safe.`,
          security: [{ ingestToken: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('MetricBatch') } } },
          responses: {
            '200': answered('IngestResult', 'stored, or stored before under this batch id'),
            '400': refusal(
              'not JSON, or an invalid batch: `details` names each problem (a point of another service, in the future, older than raw retention…)',
            ),
            '401': TOKEN_REFUSED,
            '413': refusal(`the body is larger than ${MAX_BODY_BYTES} bytes: send smaller batches`),
            '415': refusal('the Content-Type is not application/json'),
          },
        },
      },
      '/api/v1/calendar.ics': {
        get: {
          operationId: 'calendarFeed',
          tags: ['calendar'],
          summary: 'The scheduled and run phases as an iCalendar feed',
          description: 'Calendar apps cannot send headers, so the token may ride in the query (`?token=`); a header, when sent, wins.',
          security: [{ calendarToken: [] }, { calendarQueryToken: [] }],
          responses: {
            '200': { description: 'an iCalendar (RFC 5545) feed', content: { 'text/calendar': { schema: { type: 'string' } } } },
            '401': TOKEN_REFUSED,
          },
        },
      },
      '/api/health': {
        get: {
          operationId: 'health',
          tags: ['meta'],
          summary: 'Readiness',
          description: "Without a session, only whether both databases answer. A signed-in person's browser gets the health panel's data instead.",
          security: [],
          responses: { '200': json('Health', 'both databases answer'), '503': json('Health', 'a database does not answer') },
        },
      },
      [OPENAPI_PATH]: {
        get: {
          operationId: 'openApiDocument',
          tags: ['meta'],
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        deployToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A deploy token (`expand-contract token create deploy [--migration ID]`): marks deploys and reads migrations, of one migration or of every one.',
        },
        ingestToken: {
          type: 'http',
          scheme: 'bearer',
          description: "An ingest token for one service (`expand-contract token create ingest <service>`): reports that service's error rates, nothing else.",
        },
        calendarToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A calendar token (`expand-contract token create calendar`): reads the calendar feed, nothing else.',
        },
        calendarQueryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'The calendar token in the URL, for calendar apps.' },
      },
    },
  };
}
