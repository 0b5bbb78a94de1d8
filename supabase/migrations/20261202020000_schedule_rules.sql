-- The team's rules for proposing a new migration's phases: expand slots, how many expands a slot
-- takes, the buffer before the contract and the days without contracts. Read by the planner and
-- shown on the timeline; the application fills anything missing with the same defaults.
INSERT INTO "expand_contract"."settings" ("key", "value") VALUES
  ('schedule_rules', '{"expandDays": [0, 1, 2], "expandHour": 10, "deployHour": 14, "maxExpandsPerSlot": 2, "bufferDays": 3, "contractHour": 10, "noContractDays": [4, 5, 6]}')
ON CONFLICT ("key") DO NOTHING;

-- A proposal reads when other changes of the same table ran, in the transaction that creates the
-- migration as the person: when and what ran, never a run's error text or who ran it.
GRANT SELECT ("migration_id", "phase", "status", "started_at", "finished_at") ON "expand_contract"."phase_runs" TO authenticated;

-- Settings stay read-only to people: admins change the rules through this function, which checks
-- their shape as the application does. The server's own login (the CLI: no person) may too.
CREATE OR REPLACE FUNCTION "expand_contract"."set_schedule_rules"(rules jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT (expand_contract.has_role('admin') OR (auth.uid() IS NULL AND current_setting('role') = 'none')) THEN
    RAISE EXCEPTION 'only admins change the schedule rules' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF jsonb_typeof(rules) <> 'object'
     OR jsonb_typeof(rules -> 'expandDays') <> 'array' OR jsonb_array_length(rules -> 'expandDays') = 0
     OR jsonb_typeof(rules -> 'noContractDays') <> 'array' OR jsonb_array_length(rules -> 'noContractDays') > 6
     OR NOT ((rules ->> 'expandHour')::int BETWEEN 0 AND 23) OR NOT ((rules ->> 'deployHour')::int BETWEEN 0 AND 23)
     OR NOT ((rules ->> 'contractHour')::int BETWEEN 0 AND 23)
     OR (rules ->> 'deployHour')::int <= (rules ->> 'expandHour')::int
     OR NOT ((rules ->> 'maxExpandsPerSlot')::int BETWEEN 1 AND 50) OR NOT ((rules ->> 'bufferDays')::int BETWEEN 1 AND 60) THEN
    RAISE EXCEPTION 'schedule rules need expand days, hours 0-23 with the deploy after the expand, 1-50 expands per slot, a buffer of 1-60 days and at least one day for contracts'
      USING ERRCODE = 'check_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements((rules -> 'expandDays') || (rules -> 'noContractDays')) e
              WHERE jsonb_typeof(e) <> 'number' OR e::text !~ '^[0-6]$') THEN
    RAISE EXCEPTION 'days are numbers from 0 (Monday) to 6 (Sunday)' USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO "expand_contract"."settings" ("key", "value", "updated_at") VALUES ('schedule_rules', rules, now())
    ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updated_at" = now();
END
$$;
REVOKE ALL ON FUNCTION "expand_contract"."set_schedule_rules"(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "expand_contract"."set_schedule_rules"(jsonb) TO authenticated;
