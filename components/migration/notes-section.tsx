export function NotesSection({ notes }: { notes: string[] }) {
  if (notes.length === 0) return null;
  return (
    <section className="space-y-1 text-sm text-slate-700">
      <h2 className="text-lg font-semibold">Notes</h2>
      {notes.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </section>
  );
}
