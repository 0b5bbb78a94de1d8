// Parsing and classifying 10,000 distinct statements (as pg_stat_statements would show them)
// against one legacy column: the time the sampler spends on a busy database's statement set.
// The baseline, same run: parsing alone, so the ratio is what classification adds.
import { classifyStatement } from '../../lib/signals/classify-statement';
import { parseSql } from '../../lib/sql/parse-sql';

const COUNT = Number(process.env.BENCH_STATEMENTS ?? 10_000);
const target = { schema: 'public', table: 'leads', column: 'user_email' };

// Ten shapes, each made distinct by its table, column and constant names.
const shapes = [
  (i: number) => `SELECT l.user_email, l.c${i} FROM public.leads AS l WHERE l.id = $1`,
  (i: number) => `SELECT * FROM leads JOIN orders_${i} o ON o.lead_id = leads.id WHERE o.total > $1`,
  (i: number) => `WITH recent AS (SELECT id, user_email FROM leads WHERE created_at > now() - interval '${i} days') SELECT count(*) FROM recent`,
  (i: number) => `INSERT INTO leads (id, user_email, n${i}) VALUES ($1, $2, $3) RETURNING id`,
  (i: number) => `UPDATE leads SET contact_email = $1, v${i} = $2 WHERE id = $3 RETURNING user_email`,
  (i: number) => `SELECT "Leads"."Email${i}" FROM "Leads" WHERE "Leads"."id" IN (SELECT lead_id FROM visits_${i})`,
  (i: number) => `DELETE FROM sessions_${i} WHERE lead_id IN (SELECT id FROM leads WHERE user_email LIKE $1)`,
  (i: number) => `SELECT t.contact_email FROM leads t LEFT JOIN users_${i} u ON u.email = t.contact_email ORDER BY 1 LIMIT $1`,
  (i: number) => `SELECT user_email FROM other_schema_${i}.leads WHERE id = $1`,
  (i: number) => `SELECT coalesce(sum(x${i}), 0) FROM metrics WHERE day BETWEEN $1 AND $2 GROUP BY region HAVING count(*) > $3`,
];
const statements = Array.from({ length: COUNT }, (_, i) => shapes[i % shapes.length]!(i));

async function main() {
  // Warm-up over the whole set, so neither timed pass pays for WASM start-up or JIT compilation.
  for (const s of statements) classifyStatement((await parseSql(s)).statements[0]!.stmt, target);

  let started = performance.now();
  for (const s of statements) await parseSql(s);
  const parseMs = performance.now() - started;

  started = performance.now();
  let reads = 0;
  for (const s of statements) {
    for (const { stmt } of (await parseSql(s)).statements) if (classifyStatement(stmt, target).reads) reads += 1;
  }
  const totalMs = performance.now() - started;
  const line = (figure: string, value: number, unit: string, extra: object = {}) =>
    console.log(JSON.stringify({ bench: 'classify', figure, value: Number(value.toFixed(3)), unit, ...extra }));
  line('classify_10k_statements_ms', totalMs * (10_000 / COUNT), 'ms', { statements: COUNT, target: '< 1000', statements_reading_legacy: reads });
  line('classify_vs_parse_only_ratio', totalMs / parseMs, 'ratio', {
    parse_only_ms: Math.round(parseMs),
    baseline: 'libpg-query parse of the same statements, same run',
  });
}

await main();
