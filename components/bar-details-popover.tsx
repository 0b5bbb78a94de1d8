'use client';

import { useEffect, useRef, useState } from 'react';

interface Shown {
  lines: { label: string; value: string }[];
  migrationId: string;
  anchor: string;
}

/** A bar's tooltip, "Label: value" a line, read back as the details' rows: the two cannot disagree. */
function readBar(bar: HTMLElement): Shown | null {
  const lane = bar.closest<HTMLElement>('[data-testid="timeline-lane"]');
  const anchor = bar.style.getPropertyValue('anchor-name');
  if (!lane?.dataset.migration) return null;
  const lines = (bar.getAttribute('title') ?? '').split('\n').flatMap((line) => {
    const at = line.indexOf(': ');
    return at > 0 ? [{ label: line.slice(0, at), value: line.slice(at + 2) }] : [];
  });
  return { lines, migrationId: lane.dataset.migration, anchor };
}

/**
 * The details of whichever timeline bar was tapped or clicked (or pressed with Enter): one popover
 * for the whole week, filled from the bar, under it where anchor positioning is supported and
 * centred elsewhere. A week of a hundred bars then carries a hundred tooltips, not a hundred
 * hidden panels of the same words.
 */
export function BarDetailsPopover() {
  const popover = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState<Shown | null>(null);

  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const bar = (event.target as Element | null)?.closest<HTMLElement>('[data-testid="timeline-bar"]');
      if (!bar) return;
      const read = readBar(bar);
      if (read) setShown(read);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, []);

  useEffect(() => {
    const el = popover.current;
    if (!shown || !el) return;
    // Shown again even when open, so that it moves to the bar just tapped.
    if (el.matches(':popover-open')) el.hidePopover();
    el.showPopover();
  }, [shown]);

  return (
    <div
      ref={popover}
      id="bar-details"
      popover="auto"
      className="bar-details rounded-lg border border-slate-300 bg-white p-3 text-xs shadow-lg"
      style={{ positionAnchor: shown?.anchor } as React.CSSProperties}
      data-testid="bar-details"
      role="dialog"
      aria-label="Phase details"
    >
      {shown && (
        <>
          <dl>{shown.lines.flatMap((l) => [<dt key={`${l.label}-t`}>{l.label}</dt>, <dd key={`${l.label}-d`}>{l.value}</dd>])}</dl>
          <a href={`/migrations/${shown.migrationId}`} className="mt-2 inline-block underline">
            Open migration #{shown.migrationId}
          </a>
        </>
      )}
    </div>
  );
}
