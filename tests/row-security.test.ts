import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTarget } from '../lib/db/connect-target';
import { RowSecurityError, runPhase } from '../lib/executor/run-phase';
import { contractGate } from '../lib/signals/gate-evidence';
import { quoteIdent, quoteLiteral } from '../lib/migrations/quote';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { adminUrl } from './helpers/test-database';

const ROWS = 3000;
const suffix = randomBytes(4).toString('hex');
// Plain logins of their own, neither superuser nor BYPASSRLS: the owner of the table, and a role it granted reads and writes to.
const OWNER = `ec_rls_owner_${suffix}`;
const OTHER = `ec_rls_other_${suffix}`;
const PASSWORD = randomBytes(12).toString('hex');

let w: ExecutorWorld;
const open: pg.Client[] = [];

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const urlAs = (role: string) => {
  const url = new URL(w.targetDb.url);
  url.username = role;
  url.password = PASSWORD;
  return url.toString();
};

/** The target as `role`, opened the way the product opens it. */
async function targetAs(role: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: urlAs(role), application_name: 'expand-contract' });
  client.on('error', () => {});
  open.push(client);
  return connectTarget(client);
}

// As the superuser: what is really in the table, whatever the policies say.
const fingerprint = async (column: string) =>
  (await w.targetDb.admin.query(`SELECT count(*)::int AS n, md5(string_agg(${quoteIdent(column)}, ',' ORDER BY id)) AS h FROM accounts`)).rows[0] as {
    n: number;
    h: string;
  };
const columnExists = async (table: string, column: string) =>
  (await w.targetDb.admin.query('SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2', [table, column])).rowCount === 1;

let before: { n: number; h: string };
beforeAll(async () => {
  w = await executorWorld('rls');
  for (const role of [OWNER, OTHER]) await admin(`CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ${quoteLiteral(PASSWORD)}`);
  // What a migration needs besides the table: its functions in public, and the history schema.
  await w.targetDb.admin
    .query(`GRANT CREATE ON SCHEMA public TO ${quoteIdent(OWNER)}; GRANT CREATE ON DATABASE ${quoteIdent(w.targetDb.name)} TO ${quoteIdent(OWNER)};
    CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, tenant text NOT NULL);
    INSERT INTO accounts SELECT g, 'user' || g || '@x.io', 't' || (g % 7) FROM generate_series(1, ${ROWS}) g; ANALYZE accounts;
    ALTER TABLE accounts OWNER TO ${quoteIdent(OWNER)};
    GRANT SELECT, UPDATE ON accounts TO ${quoteIdent(OTHER)};
    -- Each tenant sees its own rows; a session that names no tenant (the executor's) sees none.
    CREATE POLICY tenant_only ON accounts USING (tenant = current_setting('app.tenant', true));
    ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
    ALTER TABLE accounts FORCE ROW LEVEL SECURITY;`);
  before = await fingerprint('email');
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => {})));
  await w.close();
  for (const role of [OWNER, OTHER]) await admin(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
});

describe('row-level security: refused before any change, nothing lost', () => {
  let id: number;

  it('a product session on the target raises where row-level security would filter, instead of reading a subset', async () => {
    const plain = new pg.Client({ connectionString: urlAs(OWNER) });
    await plain.connect();
    open.push(plain);
    // How the data was lost: the policy hides every row from the owner, silently.
    expect((await plain.query('SELECT count(*)::int AS n FROM accounts')).rows[0]!.n).toBe(0);
    const product = await targetAs(OWNER);
    expect((await product.query('SHOW row_security')).rows[0]!.row_security).toBe('off');
    await expect(product.query('SELECT count(*) FROM accounts')).rejects.toThrow('query would be affected by row-level security policy for table "accounts"');
  });

  it('FORCE ROW LEVEL SECURITY, migrated by its owner without BYPASSRLS: the expand is refused with the fix, and the column never appears', async () => {
    id = await w.register({ kind: 'rename-column', schema: 'public', table: 'accounts', column: 'email', newName: 'contact_email' });
    const error = await runPhase({ store: w.store, target: await targetAs(OWNER), signals: false }, id, 'expand').catch((e) => e);
    expect(error).toBeInstanceOf(RowSecurityError);
    expect(error.message).toBe(
      `expand of migration ${id} refused before any change: public.accounts has FORCE ROW LEVEL SECURITY and ${OWNER}, its owner, has no BYPASSRLS: ` +
        "its policies may hide rows from the backfill, the parity check and the contract's archive, and the contract would drop values nobody copied; " +
        `run the migration as a role with BYPASSRLS (Supabase's postgres role has it), or ALTER TABLE "public"."accounts" NO FORCE ROW LEVEL SECURITY until the contract is done`,
    );
    expect(await columnExists('accounts', 'contact_email')).toBe(false);
    expect((await w.store.getMigration(id)).status).toBe('planned');
    expect(await w.store.phaseRuns(id)).toEqual([]);
    expect(await fingerprint('email')).toEqual(before);
  });

  it('the command line says the same, and exits 1', async () => {
    const cli = runCli(['run', String(id), 'expand'], { DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: urlAs(OWNER) });
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain(`error: expand of migration ${id} refused before any change: public.accounts has FORCE ROW LEVEL SECURITY`);
    expect(cli.output()).toContain('NO FORCE ROW LEVEL SECURITY until the contract is done');
    expect(await columnExists('accounts', 'contact_email')).toBe(false);
  });

  it('RLS not forced, run by a role that does not own the table: expand and backfill are refused the same way', async () => {
    await w.targetDb.admin.query('ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY');
    const other = await targetAs(OTHER);
    const expand = await runPhase({ store: w.store, target: other, signals: false }, id, 'expand').catch((e) => e);
    expect(expand).toBeInstanceOf(RowSecurityError);
    expect(expand.message).toContain(`public.accounts has row-level security and ${OTHER} neither owns it (${OWNER} does) nor has BYPASSRLS`);
    expect(await columnExists('accounts', 'contact_email')).toBe(false);

    // The owner expands (RLS not forced on it); a worker logged in as the other role must not backfill a subset.
    await runPhase({ store: w.store, target: await targetAs(OWNER), signals: false }, id, 'expand');
    const backfill = await runPhase({ store: w.store, target: other, signals: false }, id, 'backfill').catch((e) => e);
    expect(backfill).toBeInstanceOf(RowSecurityError);
    expect(await w.store.getBackfill(id)).toBeNull();
    expect((await w.store.getMigration(id)).status).toBe('expanded');
  });

  it('with the fix every value comes through: backfill, verify and contract see all 3,000 rows, and the archive holds them', async () => {
    const owner = await targetAs(OWNER);
    const deps = { store: w.store, target: owner, signals: false };
    await runPhase(deps, id, 'backfill');
    expect(await w.store.getBackfill(id)).toMatchObject({ status: 'done', rowsScanned: ROWS, tableRows: ROWS });
    const verified = await runPhase(deps, id, 'verify');
    expect(verified.parity).toMatchObject({ mismatched: 0, rowsChecked: ROWS, tableRows: ROWS });
    await runPhase(deps, id, 'contract');
    expect(await columnExists('accounts', 'email')).toBe(false);
    expect(await fingerprint('contact_email')).toEqual(before);
    const archived = await w.targetDb.admin.query('SELECT count(*)::int AS n, count(email)::int AS v FROM ec_archive_accounts_email');
    expect(archived.rows[0]).toEqual({ n: ROWS, v: ROWS });
  });
});

describe('a parity check that saw fewer rows than the table holds', () => {
  // A world of its own, migrated by the product's usual login.
  let v: ExecutorWorld;
  beforeAll(async () => {
    v = await executorWorld('rls_counts');
  });
  afterAll(() => v.close());

  it('is refused by the gate, with both numbers: rows written behind the check while others went were never compared', async () => {
    // Keys that do not grow with time (like random uuids): new rows land behind the walk's cursor.
    await v.target.query(`CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL);
                          INSERT INTO events SELECT g * 2, 'k' || g FROM generate_series(1, ${ROWS}) g; ANALYZE events;`);
    const id = await v.register({ kind: 'rename-column', schema: 'public', table: 'events', column: 'kind', newName: 'category' });
    const deps = { store: v.store, target: v.target, signals: false };
    await runPhase(deps, id, 'expand');
    await runPhase(deps, id, 'backfill');

    const app = await v.targetDb.client();
    let churned = false;
    const verified = await runPhase(deps, id, 'verify', {
      parity: {
        rangeSize: 1000,
        // After the first range, the application inserts 500 rows behind the cursor and deletes 500 ahead of it.
        onRange: async () => {
          if (churned) return;
          churned = true;
          await app.query(`INSERT INTO events (id, kind) SELECT g * 2 - 1, 'late' FROM generate_series(1, 500) g;
                           DELETE FROM events WHERE id > ${2 * ROWS - 1000}`);
        },
      },
    });
    expect(verified.parity).toMatchObject({ mismatched: 0, rowsChecked: 2500, tableRows: 3000 });
    expect(await v.store.latestParity(id)).toMatchObject({ rowsChecked: 2500, tableRows: 3000 });

    const { decision } = await contractGate(deps, await v.store.getMigration(id), new Date());
    expect(decision.allowed).toBe(false);
    expect(decision.reasons).toEqual([
      'the parity check saw 2,500 of the 3,000 rows the table holds: the 500 it did not see are unchecked (hidden from the executing role by row-level security, or written behind the check); run verify again as a role that reads every row',
    ]);

    // Checked again without the churn, it saw every rov.
    await runPhase(deps, id, 'verify');
    expect((await contractGate(deps, await v.store.getMigration(id), new Date())).decision.allowed).toBe(true);
  });
});
