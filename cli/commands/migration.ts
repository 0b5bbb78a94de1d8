import fs from 'node:fs/promises';
import { FINISHED_STATES, RUN_PHASES, stateWord } from '../../lib/lifecycle/migration-states';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withDemoDefaults, type Env } from '../../lib/config/env';
import { gatePolicy } from '../../lib/gate/gate-policy';
import { verifyDeployToken } from '../../lib/auth/api-tokens';
import { describeUrl } from '../../lib/db/connection-url';
import { describeSeconds } from '../../lib/metrics/describe-seconds';
import { enqueuePhase, openJobQueue } from '../../lib/executor/job-queue';
import { describeParity, runPhase } from '../../lib/executor/run-phase';
import { describeBreaks, recoverBrownouts, runBrownout } from '../../lib/executor/run-brownout';
import { insertBrownout } from '../../lib/state/brownout-records';
import { MigrationNotFoundError } from '../../lib/state/errors';
import { SQL_STATE, sqlState } from '../../lib/db/sql-state';
import { onExit } from '../on-exit';
import { BROWNOUT_STALE_SECONDS, brownoutSeconds, DEFAULT_BROWNOUT_MINUTES } from '../../lib/lifecycle/brownout-rules';
import { assertPlanReviewed, PlanNotApprovedError } from '../../lib/executor/plan-approvals';
import { contractGate } from '../../lib/signals/gate-evidence';
import { readMigrationStatus } from '../../lib/signals/read-migration-status';
import { targetIdentity } from '../../lib/db/target-identity';
import type { RunPhase } from '../../lib/state/records';
import { StateStore } from '../../lib/state/state-store';
import { backfillProgress } from '../../lib/metrics/backfill-progress';
import { OPERATIONS } from '../../lib/migrations/operations';
import { describeBackfillProgress } from '../../lib/metrics/describe-backfill-progress';
import { parseMigrationId } from '../../lib/migrations/parse-migration-id';
import { FILE_PHASES, supabaseMigration, type FilePhase } from '../../lib/migrations/render-sql';
import { planChange } from '../../lib/planning/plan-change';
import { isPushedExpandNote } from '../../lib/planning/expand-already-pushed';
import { commandOutput, CommandRefusedError, reportFailure, UsageError } from '../output';
import { withDatabases } from '../target';
import { formatTable } from '../format-table';
import { backfillProgressOutput, progressLine } from '../backfill-progress-output';
import { contractFileRefusal } from '../../lib/gate/contract-file-refusal';
import { buildSpec, planOptions, PlanUsageError, SPEC_OPTIONS } from './plan';
import { ZodError } from 'zod';
import { parseServiceList } from '../../lib/metrics/service-list';

const PHASES: readonly RunPhase[] = RUN_PHASES;

/** Each command's own usage: what `<command> --help` prints, and what follows its usage errors. */
export const MIGRATION_USAGES: Record<string, string> = {
  create: `usage: expand-contract create <operation> <arguments…> [--services a,b] [--json]
  register a change (same operation and arguments as \`plan\`, see \`plan --help\`); prints its id
  --services a,b   the services whose error rates are its evidence (default: every service reporting)`,
  run: `usage: expand-contract run <id> <phase> [--batch-ms N] [--throttle-ms N] [--queue] [--json]
  phase: ${RUN_PHASES.join(', ')}
  --batch-ms N      backfill: target batch duration in ms (default 100)
  --throttle-ms N   backfill: pause between batches in ms
  --queue           hand it to the dashboard's job worker instead of running it here
  A backfill shows a progress bar on a terminal, and a plain line a second otherwise.`,
  status: `usage: expand-contract status <id> [--json]
  phases, backfill progress, parity, legacy-column use, error rates and the contract gate with its reasons`,
  deployed: `usage: expand-contract deployed <id> [--token T] [--json]
  mark the deploy of code using the new column: the buffer before contract starts (a CD pipeline passes its deploy token)
       expand-contract deployed <id> --undo [--json]
  take back a deploy marked by mistake (before contract): the buffer starts again at the next mark`,
  pause: `usage: expand-contract pause <id> [--json]
  pause a running backfill after its current batch (exit 1 when none runs)`,
  cancel: `usage: expand-contract cancel <id> [--json]
  stop a running backfill after its current batch (exit 1 when none runs)`,
  brownout: `usage: expand-contract brownout <id> [--minutes N] [--json]
  rehearse the contract: the old column is out of the application's reach for N minutes (default 5, up to 60;
  decimals allowed) while the target's Postgres log and the services' error rates are watched. Anything that
  still uses it (a 42703 naming it, an error rate above its baseline) puts it back within seconds, and what
  broke is recorded. Needs the deploy marked. Ctrl-C ends it early and puts the column back.
  Exit 0 clean, 1 reverted or refused.
       expand-contract brownout --recover [--json]
  put back the column of any brownout whose watcher died (the dashboard's worker and every brownout
  start do this too)`,
  list: `usage: expand-contract list [--json]
  every registered migration: id, state, title`,
  export: `usage: expand-contract export <id> <phase> --supabase-dir DIR [--json]
  write a phase the executor ran as the migration file with the version it recorded, so \`supabase db push\`
  finds it locally; a contract not run yet, only while the gate allows it (exit 1 when not)`,
};

/** Every migration command's usage, one after the other. */
export const MIGRATION_USAGE = Object.values(MIGRATION_USAGES).join('\n');

const parseId = (text: string | undefined) => {
  const id = parseMigrationId(text);
  if (id === null) throw new UsageError(`expected a migration id (a number), got ${JSON.stringify(text ?? '')}`);
  return id;
};

/** `create`, `run`, `status`, `deployed`, `pause`, `cancel`, `list`, `export`. Exit 0 ok, 1 refused or failed, 2 bad usage. */
export async function migrationCommand(command: string, args: string[], env: Env, projectDir: string): Promise<number> {
  const usage = MIGRATION_USAGES[command] ?? MIGRATION_USAGE;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  // Known before parsing, so that even a mistyped option is reported as JSON to a pipeline that asked for it.
  const json = args.includes('--json');
  let parsed: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      allowPositionals: true,
      options: {
        ...SPEC_OPTIONS,
        json: { type: 'boolean' },
        queue: { type: 'boolean' },
        'batch-ms': { type: 'string' },
        'throttle-ms': { type: 'string' },
        'supabase-dir': { type: 'string' },
        token: { type: 'string' },
        undo: { type: 'boolean' },
        services: { type: 'string' },
        minutes: { type: 'string' },
        recover: { type: 'boolean' },
      },
    });
  try {
    parsed = parse(args);
  } catch (error) {
    // Whatever parseArgs refuses is the command line's fault.
    return reportFailure(error, { usage: { errors: [Error], text: usage }, json });
  }
  const { positionals, values } = parsed;
  // How many words each command takes after its name (create takes its operation's own, checked by the plan).
  const WORDS: Record<string, number> = { run: 2, status: 1, deployed: 1, pause: 1, cancel: 1, list: 0, export: 2, brownout: 1 };
  if (command in WORDS && positionals.length > WORDS[command]!) {
    return reportFailure(new UsageError(`${command} takes ${WORDS[command]} argument(s), got ${positionals.length}: ${positionals.join(' ')}`), {
      usage: { errors: [UsageError], text: usage },
      json,
    });
  }
  const { out, data } = commandOutput(json);
  // What to do when a connection goes mid-command: nothing is lost, and a run picks up where it stopped.
  let afterLoss = 'run the command again once the database is reachable';

  try {
    return await withDatabases(env, projectDir, async (pool, target, dbs) => {
      // The embedded demo target runs the short demo policy, as the dashboard does.
      env = withDemoDefaults(env, process.env, !!dbs.targetLogDir);
      const store = new StateStore(pool);
      switch (command) {
        case 'create': {
          const [kind, ...rest] = positionals;
          if (!kind) throw new UsageError(`which change? ${OPERATIONS.flatMap((o) => (o.cli ? [o.cli.command] : [])).join(', ')}`);
          let services: string[] | null = null;
          try {
            services = parseServiceList(values.services ?? '');
          } catch (error) {
            throw new UsageError(`--services: ${error instanceof ZodError ? error.issues[0]?.message : (error as Error).message}`);
          }
          const plan = await planChange(target, buildSpec(kind, rest, values), planOptions(values));
          const migration = await store.createMigration(plan, describeUrl(dbs.targetUrl), await targetIdentity(target), services);
          if (json) data({ id: migration.id, title: migration.title, services, notes: plan.notes.filter(isPushedExpandNote) });
          out(`created migration ${migration.id}: ${migration.title}`);
          for (const note of plan.notes.filter(isPushedExpandNote)) out(note);
          out(`error evidence: ${services ? services.join(', ') : 'every service reporting'}, and the target's Postgres log`);
          out(`next: expand-contract run ${migration.id} expand`);
          return 0;
        }
        case 'run': {
          const id = parseId(positionals[0]);
          const phase = positionals[1] as RunPhase;
          if (!PHASES.includes(phase)) throw new UsageError(`phase must be one of ${PHASES.join(', ')}`);
          afterLoss =
            phase === 'backfill'
              ? `once it is reachable, \`expand-contract run ${id} backfill\` resumes from the saved cursor`
              : `once it is reachable, see \`expand-contract status ${id}\`, then run \`expand-contract run ${id} ${phase}\` again`;
          const numberOption = (name: 'batch-ms' | 'throttle-ms') => {
            if (values[name] === undefined) return undefined;
            const n = Number(values[name]);
            if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number of milliseconds`);
            return n;
          };
          // The operator at the console, by login: the run and its audit entry carry that name.
          const operator = `cli:${os.userInfo().username}`;
          // A plan made in the dashboard is reviewed there first; the executor refuses it too, this says where.
          try {
            await assertPlanReviewed(pool, await store.getMigration(id), phase);
          } catch (error) {
            if (!(error instanceof PlanNotApprovedError)) throw error;
            process.stderr.write(`error: ${error.reason}: approve it at http://${env.HOST}:${env.PORT}/migrations/${id} first\n`);
            return 1;
          }
          if (values.queue) {
            const boss = await openJobQueue(dbs.stateUrl);
            try {
              const backfill = { targetBatchMs: numberOption('batch-ms'), throttleMs: numberOption('throttle-ms') };
              const job = await enqueuePhase(boss, { migrationId: id, phase, actor: operator, backfill });
              if (json) data({ id, phase, queued: true, job });
              out(`queued ${phase} of migration ${id} as job ${job}`);
            } finally {
              await boss.stop({ graceful: false });
            }
            return 0;
          }
          const progress = backfillProgressOutput(json ? process.stderr : process.stdout);
          const outcome = await runPhase({ store, target, log: out, ...gatePolicy(env) }, id, phase, {
            requestedBy: { name: operator },
            backfill: {
              targetBatchMs: numberOption('batch-ms'),
              throttleMs: numberOption('throttle-ms'),
              onBatch: progress.update,
            },
          }).finally(progress.stop);
          const backfill = phase === 'backfill' ? await store.getBackfill(id) : null;
          if (backfill) out(progressLine(backfill));
          if (json)
            data({
              id,
              phase,
              status: outcome.status,
              source: outcome.source ?? null,
              historyVersion: outcome.historyVersion ?? null,
              parity: outcome.parity ?? null,
              backfill: backfill ? { ...backfill, progress: backfillProgress(backfill) } : null,
            });
          if (outcome.source === 'supabase-cli') out(`${phase}: already applied with the Supabase CLI (version ${outcome.historyVersion}); marked done`);
          else out(`${phase}: ${outcome.status}${outcome.parity ? ` (parity: ${describeParity(outcome.parity)})` : ''}`);
          return 0;
        }
        case 'deployed': {
          const id = parseId(positionals[0]);
          if (values.undo) {
            // The operator at the console only: a pipeline's token marks, it never takes back.
            if (values.token) throw new UsageError('--undo takes no --token: only people take a deploy mark back');
            const was = await store.unmarkDeployed(id);
            if (!was) {
              if (json) data({ id, undone: false });
              out(`migration ${id}: no deploy was marked`);
              return 1;
            }
            await pool.query("INSERT INTO expand_contract.audit_log (actor, action, migration_id, detail) VALUES ($1, 'deploy.unmarked', $2, $3)", [
              `cli:${os.userInfo().username}`,
              id,
              JSON.stringify(was),
            ]);
            if (json) data({ id, undone: true, was });
            out(
              `migration ${id}: the deploy mark of ${was.deployedAt.toISOString()} (by ${was.deployedBy}) is taken back; the buffer starts again at the next mark`,
            );
            return 0;
          }
          // Without a token this is the operator at the console; with one, a pipeline that may mark only what its token allows.
          const by = values.token ? `token:${(await verifyDeployToken(pool, values.token, id)).id}` : `cli:${os.userInfo().username}`;
          const migration = await store.markDeployed(id, by);
          const buffer = gatePolicy(env).bufferMinutes;
          if (json) data({ id, deployedAt: migration.deployedAt, deployedBy: migration.deployedBy, bufferMinutes: buffer });
          out(
            `migration ${id}: deploy marked at ${migration.deployedAt!.toISOString()} by ${migration.deployedBy}; contract possible after the ${describeSeconds(buffer * 60)} buffer, once the evidence allows`,
          );
          return 0;
        }
        case 'brownout': {
          // A start first puts back what a watcher that died left browned out.
          const recovered = await recoverBrownouts({ state: pool, targetUrl: dbs.targetUrl, log: out }, BROWNOUT_STALE_SECONDS);
          if (values.recover) {
            if (json) data({ recovered });
            if (recovered.length === 0) out('no brownout was left without its watcher');
            return 0;
          }
          const id = parseId(positionals[0]);
          const length = brownoutSeconds(values.minutes === undefined ? DEFAULT_BROWNOUT_MINUTES : Number(values.minutes));
          if (!length.ok) throw new UsageError(`--minutes: ${length.reason}`);
          const operator = `cli:${os.userInfo().username}`;
          let record;
          try {
            record = await insertBrownout(pool, id, length.seconds, operator);
          } catch (error) {
            if (sqlState(error) === SQL_STATE.uniqueViolation)
              throw new CommandRefusedError(`a brownout of migration ${id} is already under way`, 'brownout-running');
            if (sqlState(error) === SQL_STATE.foreignKeyViolation) throw new MigrationNotFoundError(id);
            throw error;
          }
          afterLoss = `the column comes back at the brownout's set time by itself (a database-side timer); then \`expand-contract brownout --recover\` records it`;
          const stop = new AbortController();
          let lastSaid = 0;
          const running = runBrownout(
            {
              state: pool,
              targetUrl: dbs.targetUrl,
              targetLabel: describeUrl(dbs.targetUrl),
              logDir: dbs.targetLogDir,
              log: out,
              signal: stop.signal,
              regression: gatePolicy(env).regression,
              onTick: ({ elapsedMs, totalMs }) => {
                if (elapsedMs - lastSaid < 5000) return;
                lastSaid = elapsedMs;
                out(`  ${Math.round(elapsedMs / 1000)} s of ${Math.round(totalMs / 1000)} s, nothing broke so far`);
              },
            },
            record.id,
          );
          onExit(async () => {
            stop.abort('stopped with Ctrl-C');
            await running.catch(() => {});
          });
          if (!dbs.targetLogDir) out("  watching the services' error rates only: this process cannot read the target's Postgres log");
          const outcome = await running;
          if (json) data({ id, brownout: outcome.id, status: outcome.status, outcome: outcome.outcome, breaks: outcome.breaks, revertMs: outcome.revertMs });
          out(`brownout ${outcome.id} of migration ${id}: ${outcome.outcome}`);
          for (const b of outcome.breaks) out(`  broke: ${describeBreaks([b])} (${b.count}×)`);
          return outcome.status === 'clean' ? 0 : 1;
        }
        case 'pause':
        case 'cancel': {
          const id = parseId(positionals[0]);
          if (!(await store.requestBackfill(id, command))) throw new CommandRefusedError(`migration ${id} has no running backfill`, 'no-running-backfill');
          if (json) data({ id, requested: command });
          out(`the backfill of migration ${id} will ${command === 'pause' ? 'pause' : 'stop'} after its current batch`);
          return 0;
        }
        case 'status': {
          const id = parseId(positionals[0]);
          const migration = await store.getMigration(id);
          // The decision the contract run would reach now, with the legacy-column use it judged: the API's reading too.
          const status = await readMigrationStatus({ store, target, ...gatePolicy(env) }, migration, new Date());
          const { phases: runs, backfill, parity, legacy, gate } = status;
          if (json) {
            data(status);
            return 0;
          }
          out(`migration ${id}: ${migration.title} [${migration.status}] on ${migration.target}`);
          for (const r of runs)
            out(
              `  ${r.phase.padEnd(8)} ${r.status.padEnd(9)} ${r.startedAt.toISOString()}  ${r.source === 'supabase-cli' ? 'applied with the Supabase CLI' : r.actor}${r.error ? `  error: ${r.error}` : ''}`,
            );
          if (backfill)
            out(
              `  backfill ${progressLine(backfill)}  (${[backfill.status, describeBackfillProgress(backfillProgress(backfill), backfill).table, backfill.worstBatchMs ? `worst batch ${backfill.worstBatchMs} ms` : null].filter(Boolean).join(', ')})`,
            );
          if (parity) out(`  parity   ${describeParity(parity)}, checked ${parity.checkedAt.toISOString()}`);
          if (legacy) {
            out(
              `  legacy   ${status.legacy!.column}: ${legacy.reads} read(s), ${legacy.writes} write(s), ${legacy.unknown} unknown since ${legacy.window.from.toISOString()}; sampled ${(legacy.coverage * 100).toFixed(1)}% of that time`,
            );
            // Each server the reads may be served by, with how well it was watched and, for a replica, how far behind it is.
            for (const sv of legacy.servers)
              out(
                `    ${sv.role.padEnd(7)} ${sv.server}: sampled ${(sv.coverage * 100).toFixed(1)}%, ${sv.uses} use(s)` +
                  (sv.lagSeconds !== null ? `, replay lag ${sv.lagSeconds.toFixed(1)} s` : '') +
                  (sv.track && sv.track !== 'all' ? `, pg_stat_statements.track = ${sv.track}` : '') +
                  (sv.lastError ? `, last sample failed: ${sv.lastError}` : ''),
              );
            for (const st of legacy.statements.slice(0, 10))
              out(`    ${st.kind.padEnd(7)} ${String(st.calls).padStart(7)}  ${st.query.replace(/\s+/g, ' ').slice(0, 100)}`);
          }
          if (migration.deployedAt) out(`  deploy   marked ${migration.deployedAt.toISOString()} by ${migration.deployedBy}`);
          for (const p of status.errors) {
            for (const v of p.series)
              out(`  errors   after ${p.phase.padEnd(7)} ${v.source === 'postgres' ? 'postgres log: ' : ''}${v.detail}${v.regression ? '  REGRESSION' : ''}`);
          }
          // A finished migration's gate judges nothing any more: say how it ended, not "allowed".
          const ended = FINISHED_STATES.includes(migration.status) ? `${stateWord(migration.status)} (finished)` : null;
          out(`  contract ${ended ? `none to run: migration ${id} is ${ended}` : gate.allowed ? 'allowed' : `not allowed: ${gate.reasons.join('; ')}`}`);
          return 0;
        }
        case 'export': {
          const id = parseId(positionals[0]);
          const phase = positionals[1] as FilePhase;
          if (!(phase in FILE_PHASES)) throw new UsageError('phase must be expand, contract, rollback or restore');
          if (typeof values['supabase-dir'] !== 'string') throw new UsageError('export needs --supabase-dir DIR');
          const migration = await store.getMigration(id);
          const runs = await store.phaseRuns(id);
          const run = runs.filter((r) => r.phase === phase && r.status === 'succeeded' && r.historyVersion).at(-1);
          const dir = path.join(path.resolve(values['supabase-dir']), 'migrations');
          if (run) {
            const file = supabaseMigration(migration.plan, phase, run.historyVersion!);
            await fs.mkdir(dir, { recursive: true });
            await fs.writeFile(path.join(dir, file.fileName), file.content);
            if (json) data({ id, phase, file: path.join(dir, file.fileName), version: file.version, alreadyApplied: true });
            out(`wrote ${path.join(dir, file.fileName)} (version ${file.version}, already applied: \`supabase db push\` will skip it)`);
            return 0;
          }
          if (phase !== 'contract')
            throw new UsageError(
              `migration ${id} has no ${phase} recorded in the target's history yet: use \`plan … --phase ${phase}\` for a file to apply yourself`,
            );
          // A contract to push yourself: written only while the gate, judged now as the contract run would, allows it.
          const known = { backfill: await store.getBackfill(id), parity: await store.latestParity(id), runs };
          const { decision } = await contractGate({ store, target, ...gatePolicy(env) }, migration, new Date(), undefined, known);
          const refusal = contractFileRefusal({ recorded: false, isAuthor: true, isOnCall: true, conditions: decision.conditions });
          if (refusal) {
            if (json) data({ id, phase, file: null, refused: refusal });
            out(`no contract file for migration ${id}: ${refusal.replace(/^the gate is closed, so no contract file yet: /, 'the gate is closed: ')}`);
            return 1;
          }
          const file = supabaseMigration(migration.plan, 'contract', new Date());
          await fs.mkdir(dir, { recursive: true });
          await fs.writeFile(path.join(dir, file.fileName), file.content);
          if (json) data({ id, phase, file: path.join(dir, file.fileName), version: file.version, alreadyApplied: false });
          out(
            `wrote ${path.join(dir, file.fileName)} (version ${file.version}): the gate allows the contract now; \`supabase db push\` applies it, and it checks its triggers and rows again first`,
          );
          return 0;
        }
        case 'list': {
          const migrations = await store.listMigrations();
          if (json)
            data(migrations.map((m) => ({ id: m.id, title: m.title, status: m.status, target: m.target, createdAt: m.createdAt, deployedAt: m.deployedAt })));
          else if (migrations.length === 0) out('no migrations yet: expand-contract create …, or plan one in the dashboard');
          else
            out(
              formatTable(
                ['id', 'state', 'title'],
                migrations.map((m) => [String(m.id), m.status, m.title]),
                !!process.stdout.isTTY,
              ),
            );
          return 0;
        }
        default:
          throw new UsageError(`unknown command ${command}`);
      }
    });
  } catch (error) {
    return reportFailure(error, { usage: { errors: [UsageError, PlanUsageError], text: usage }, afterLoss, json });
  }
}
