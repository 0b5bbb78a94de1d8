import Link from 'next/link';
import type { WaitingItem } from '@/lib/lifecycle/waiting-for-you';

/** The top of the home page: what this person is asked to do now. Nothing at all when nothing waits. */
export function WaitingForYou({ items }: { items: WaitingItem[] }) {
  if (items.length === 0) return null;
  return (
    <section data-testid="waiting-for-you" aria-labelledby="waiting-heading" className="rounded-lg border border-amber-300 bg-amber-50 p-4 shadow-sm">
      <h2 id="waiting-heading" className="text-lg font-semibold tracking-tight text-amber-950">
        Waiting for you <span className="text-sm font-normal text-amber-900">({items.length})</span>
      </h2>
      <ul className="mt-2 divide-y divide-amber-200">
        {items.map((item) => (
          <li
            key={`${item.migrationId}-${item.kind}`}
            data-testid="waiting-item"
            data-kind={item.kind}
            data-migration={item.migrationId}
            className="py-2 text-sm"
          >
            <Link href={`/migrations/${item.migrationId}`} className="group block wrap-anywhere">
              <span className={`font-semibold ${item.now ? 'text-amber-950' : 'text-slate-800'}`}>{item.says}</span>
              {item.now && <span className="ml-2 rounded bg-amber-600 px-1.5 py-px text-xs font-medium text-white">now</span>}
              <span className="block text-indigo-800 group-hover:underline">
                #{item.migrationId} {item.title}
              </span>
              <span className="block text-xs text-slate-700">{item.detail}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
