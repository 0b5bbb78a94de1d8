import { describe, expect, it } from 'vitest';
import { parseSql } from '../sql/parse-sql';
import { planOperation } from './plan-operation';
import { FILE_PHASES, renderPhase, type FilePhase } from './render-sql';
import { demoSnapshot } from '../../tests/helpers/test-fixtures';

describe('rendered migration files', () => {
  it.each(['\r', '\n', '\r\n'])('keep a name holding %j inside its comments: nothing after it becomes SQL', async (breakLine) => {
    const newName = `x${breakLine}DROP TABLE leads; --`;
    const plan = planOperation({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName }, demoSnapshot);
    for (const phase of Object.keys(FILE_PHASES) as FilePhase[]) {
      const { statements } = await parseSql(renderPhase(plan, phase));
      // Contract and rollback drop triggers, functions and columns; a table never.
      const dropsTable = statements.filter((s) => (s.stmt as { DropStmt?: { removeType?: string } }).DropStmt?.removeType === 'OBJECT_TABLE');
      expect(dropsTable.map((s) => s.text)).toEqual([]);
    }
  });
});
