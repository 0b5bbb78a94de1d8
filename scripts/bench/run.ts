// `npm run bench`: every benchmark, one JSON line per figure. Figures are ratios against a
// baseline measured in the same run, because absolute times on shared machines are noise.
import { benchStartup } from './startup';

const benches: Record<string, () => Promise<Record<string, unknown>[]>> = { startup: benchStartup };
const only = process.argv.slice(2);

for (const [name, bench] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  for (const figure of await bench()) console.log(JSON.stringify({ bench: name, ...figure }));
}
