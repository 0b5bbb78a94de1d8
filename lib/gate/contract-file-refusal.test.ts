import { describe, expect, it } from 'vitest';
import { contractFileRefusal } from './contract-file-refusal';
import type { GateCondition } from './evaluate-gate';

const met = (name: GateCondition['name']): GateCondition => ({ name, met: true, detail: `${name} ok` });
const open: GateCondition[] = [met('backfill'), met('parity'), met('buffer'), met('legacy-reads'), met('error-rate'), met('approval')];
const unapproved: GateCondition[] = [...open.slice(0, 5), { name: 'approval', met: false, detail: 'no contract approval yet' }];
const closed: GateCondition[] = [...open.slice(0, 3), { name: 'legacy-reads', met: false, detail: '12 reads of leads.user_email' }, met('error-rate')];

describe('who gets the contract as a file, and when', () => {
  it('gives it to the author and the person on call while the gate allows the contract', () => {
    expect(contractFileRefusal({ recorded: false, isAuthor: true, isOnCall: false, conditions: open })).toBeNull();
    expect(contractFileRefusal({ recorded: false, isAuthor: false, isOnCall: true, conditions: open })).toBeNull();
  });

  it("waits for the on-call's approval like the dashboard's contract: the author alone never gets a file to push", () => {
    expect(contractFileRefusal({ recorded: false, isAuthor: true, isOnCall: false, conditions: unapproved })).toBe(
      'the gate is closed, so no contract file yet: no contract approval yet',
    );
  });

  it('refuses anyone else, whatever the gate says', () => {
    expect(contractFileRefusal({ recorded: false, isAuthor: false, isOnCall: false, conditions: open })).toMatch(/author and the person on call/);
  });

  it('refuses while the gate is closed or unread, naming what is missing', () => {
    expect(contractFileRefusal({ recorded: false, isAuthor: true, isOnCall: false, conditions: closed })).toBe(
      'the gate is closed, so no contract file yet: 12 reads of leads.user_email',
    );
    expect(contractFileRefusal({ recorded: false, isAuthor: true, isOnCall: true, conditions: null })).toMatch(/could not be read/);
  });

  it('gives anyone the file of a contract that already ran: it is history, for the repository', () => {
    expect(contractFileRefusal({ recorded: true, isAuthor: false, isOnCall: false, conditions: closed })).toBeNull();
  });
});
