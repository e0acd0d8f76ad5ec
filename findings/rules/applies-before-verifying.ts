/** The observer shows deliveries applied although they were refused for their signature. */
import { VERIFY_RAW_BODY } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { accepted } from '../run.js';

export const appliesBeforeVerifying = defineRule({
  id: 'applies-before-verifying',
  title: 'Forged deliveries are applied before they are refused',
  cause: 'The receiver applies a delivery before it verifies the signature, so anyone can trigger its effects, whatever status it answers afterwards.',
  fix: 'Verify the signature first; apply nothing (no database write, no job) before it verified.',
  fixExample: VERIFY_RAW_BODY,
  diagnose(run) {
    // A forgery applied though refused: the main run's check, or a fuzz forgery the observer counted.
    const failed = run
      .failed('idempotency.rejected-never-applied', 'signature.fuzz-forgery')
      .filter(({ record }) => (record.observed?.applied ?? 0) > 0 && !record.exchanges.some(accepted));
    if (failed.length === 0) return [];
    return [{ summary: `${failed.length} forged deliver${failed.length === 1 ? 'y was' : 'ies were'} refused yet applied (the observer counted them).`, claims: failed.map(({ index }) => ({ result: index })) }];
  },
});
