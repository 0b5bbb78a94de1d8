import { MigrationCharts } from '@/components/migration-charts';
import type { MigrationDetail } from '@/lib/data/get-migrations';

export function SignalsSection({ charts }: { charts: MigrationDetail['charts'] }) {
  return (
    <section className="space-y-2">
      <h2 className="text-lg font-semibold">Signals</h2>
      <MigrationCharts data={charts} />
    </section>
  );
}
