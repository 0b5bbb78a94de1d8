'use server';
import { anyRole } from '@/lib/auth/guarded-action';
import { parseEnv } from '@/lib/config/env';
import { gatePolicy } from '@/lib/gate/gate-policy';
import { approveContract } from '@/lib/data/approve-contract';
import { statePool, withTargetClient } from '@/lib/db/pools';
import { migrationAction } from './migration-action';

export const approveContractAction = migrationAction(
  anyRole(['oncall'], 'only on-call engineers approve a contract'),
  () => 'contract.approve',
  async (actor, i) => {
    await withTargetClient((target) => approveContract(statePool(), target, gatePolicy(parseEnv(process.env)), actor, i.migrationId));
    return 'contract approved on the evidence shown';
  },
);
