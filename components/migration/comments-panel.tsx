import { ActionForm } from '@/components/action-form';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationPeople } from '@/lib/data/get-migration-people';

export function CommentsPanel({
  migrationId,
  comments,
  comment,
  denied,
}: {
  migrationId: number;
  comments: MigrationPeople['comments'];
  comment: FormAction;
  denied?: string;
}) {
  return (
    <div className="space-y-2">
      <h3 className="font-medium">Comments</h3>
      {comments.length === 0 && <p className="text-sm text-slate-600">No comments yet.</p>}
      <ul className="space-y-1 text-sm">
        {comments.map((c, i) => (
          <li key={i}>
            <span className="font-medium">{c.by}</span> <span className="text-slate-500">{c.at.toISOString()}</span>: {c.body}
          </li>
        ))}
      </ul>
      <ActionForm action={comment} hidden={{ migrationId }} label="Comment" denied={denied}>
        <label className="block text-sm">
          Comment
          <textarea name="body" rows={2} maxLength={5000} className="mt-1 block w-full rounded border border-slate-300 px-2 py-1" />
        </label>
      </ActionForm>
    </div>
  );
}
