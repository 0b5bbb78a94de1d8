import os from 'node:os';
import { parseArgs } from 'node:util';
import { createApiToken, listApiTokens, revokeApiToken, tokenScopeWords } from '../../lib/auth/api-tokens';
import type { Env } from '../../lib/config/env';
import { parseMigrationId } from '../../lib/migrations/parse-migration-id';
import { calendarFeedUrl } from '../../lib/timeline/calendar-feed';
import { commandOutput, reportFailure, UsageError } from '../output';
import { withStatePool } from '../target';
import { MigrationNotFoundError } from '../../lib/state/errors';
import { formatTable } from '../format-table';

export const TOKEN_USAGE = `usage:
  expand-contract token create ingest <service> [--label L]   a token a service sends its error rates with
  expand-contract token create deploy [--migration ID] [--label L]
                                                              a token a CD pipeline marks deploys with
                                                              (one migration, or every one without --migration)
  expand-contract token create calendar [--label L]           a read-only token for the calendar feed of
                                                              scheduled phases; prints the feed's URL
  expand-contract token list [--json]                         every token: scope, last use, revoked or live
  expand-contract token revoke <token id>

A new token is printed once; only its hash is stored.`;

const SERVICE = /^[^\p{Cc}]{1,100}$/u;

/** `token create|list|revoke`. Exit 0 ok, 1 refused, 2 bad usage. */
export async function tokenCommand(args: string[], env: Env, projectDir: string): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args.length === 0) {
    (args.length === 0 ? process.stderr : process.stdout).write(`${TOKEN_USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  const json = args.includes('--json');
  // With --json, a new token's secret is in the JSON document on stdout.
  const { out, data } = commandOutput(json);
  const created = (record: { id: string; scope: string }, token: string, more: object = {}) => {
    if (json) data({ id: record.id, scope: record.scope, token, ...more });
    else out(token);
  };
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { label: { type: 'string' }, migration: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (error) {
    // Whatever parseArgs refuses is the command line's fault.
    return reportFailure(error, { usage: { errors: [Error], text: TOKEN_USAGE }, json: args.includes('--json') });
  }
  const { positionals, values } = parsed;
  try {
    return await withStatePool(env, projectDir, async (state) => {
      switch (positionals[0]) {
        case 'create': {
          const scope = positionals[1];
          const createdBy = `cli:${os.userInfo().username}`;
          if (scope === 'ingest') {
            const service = positionals[2];
            if (!service || !SERVICE.test(service)) throw new UsageError('token create ingest needs the service name it reports for (1-100 characters)');
            const { token, record } = await createApiToken(state, { scope, service, label: values.label, createdBy });
            out(`created ingest token ${record.id} for service "${service}"; it is shown once, store it now:`);
            created(record, token, { service });
            return 0;
          }
          if (scope === 'deploy') {
            const migrationId = values.migration === undefined ? undefined : parseMigrationId(values.migration);
            if (migrationId === null) throw new UsageError('--migration must be a migration id');
            if (migrationId !== undefined) {
              const exists = await state.query('SELECT 1 FROM expand_contract.migrations WHERE id = $1', [migrationId]);
              if (exists.rowCount === 0) throw new MigrationNotFoundError(migrationId);
            }
            const { token, record } = await createApiToken(state, { scope, migrationId, label: values.label, createdBy });
            out(`created deploy token ${record.id} for ${migrationId ? `migration ${migrationId}` : 'every migration'}; it is shown once, store it now:`);
            created(record, token, { migrationId: migrationId ?? null });
            return 0;
          }
          if (scope === 'calendar') {
            const { token, record } = await createApiToken(state, { scope, label: values.label, createdBy });
            out(`created calendar token ${record.id}; it reads the calendar feed and nothing else. Shown once, store it now:`);
            // The dashboard's address as this machine serves it; behind a proxy, its public host goes here instead.
            const feed = calendarFeedUrl(`http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}`, token);
            created(record, token, { feed });
            out(`subscribe your calendar to: ${feed}`);
            return 0;
          }
          throw new UsageError('token create needs a scope: ingest <service>, deploy or calendar');
        }
        case 'list': {
          const tokens = await listApiTokens(state);
          if (json) data(tokens);
          else if (tokens.length === 0) out('no tokens yet: expand-contract token create ingest <service>');
          else
            out(
              formatTable(
                ['id', 'token', 'created', 'by', 'use'],
                tokens.map((t) => [
                  t.id,
                  `${tokenScopeWords(t)}${t.label ? ` (${t.label})` : ''}`,
                  t.createdAt.toISOString(),
                  t.createdBy,
                  t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used',
                ]),
                !!process.stdout.isTTY,
              ),
            );
          return 0;
        }
        case 'revoke': {
          const id = positionals[1];
          if (!id) throw new UsageError('token revoke needs the token id shown by `token list`');
          const ok = await revokeApiToken(state, id);
          if (json) data({ id, revoked: ok });
          out(ok ? `revoked ${id}` : `no live token with id ${id}`);
          return ok ? 0 : 1;
        }
        default:
          throw new UsageError(`unknown token command ${JSON.stringify(positionals[0])}`);
      }
    });
  } catch (error) {
    return reportFailure(error, { usage: { errors: [UsageError], text: TOKEN_USAGE }, json: args.includes('--json') });
  }
}
