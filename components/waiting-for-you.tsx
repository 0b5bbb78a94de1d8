import Link from 'next/link';
import type { WaitingItem } from '@/lib/lifecycle/waiting-for-you';

/** How many items the home page lists before "Show all": the most urgent kinds come first. */
export const WAITING_SHOWN = 8;

/**
 * The top of the home page: what this person is asked to do now. Nothing at all when nothing
 * waits. A long list is cut after the most urgent few (contracts come first), with a link to all
 * of them: the week below stays in sight.
 */
export function WaitingForYou({ items, all, allHref, fewerHref }: { items: WaitingItem[]; all: boolean; allHref: string; fewerHref: string }) {
  if (items.length === 0) return null;
  const shown = all ? items : items.slice(0, WAITING_SHOWN);
  return (
    <section data-testid="waiting-for-you" aria-labelledby="waiting-heading" className="rounded-lg border border-amber-300 bg-amber-50 p-4 shadow-sm">
      <h2 id="waiting-heading" className="text-lg font-semibold tracking-tight text-amber-950">
        Waiting for you <span className="text-sm font-normal text-amber-900">({items.length})</span>
      </h2>
      <ul className="mt-2 divide-y divide-amber-200">
        {shown.map((item) => (
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
      {shown.length < items.length && (
        <p className="mt-2 text-sm">
          <Link href={allHref} className="font-medium text-indigo-800 underline" data-testid="waiting-all">
            Show all {items.length} ({items.length - shown.length} more)
          </Link>
        </p>
      )}
      {all && items.length > WAITING_SHOWN && (
        <p className="mt-2 text-sm">
          <Link href={fewerHref} className="font-medium text-indigo-800 underline">
            Show the first {WAITING_SHOWN}
          </Link>
        </p>
      )}
    </section>
  );
}
