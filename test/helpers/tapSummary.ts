/**
 * `ava --tap | node dist/test/helpers/tapSummary.js`: passes the TAP stream through and ends
 * with the plain line `N passed, N failed` (the line CI reads). Exits non-zero when a test
 * failed, when no test ran, or when the stream ended without ava's summary (a crash).
 */
import { createInterface } from 'node:readline';

let passed = 0;
let failed = 0;
let skipped = 0;
let summary = false;

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  console.log(line);
  if (/^ok \d+/.test(line)) {
    if (/# SKIP/i.test(line)) skipped++;
    else passed++;
  } else if (/^not ok \d+/.test(line)) {
    if (/# TODO/i.test(line)) skipped++;
    else failed++;
  } else if (/^# (pass|fail) \d+/.test(line)) {
    summary = true;
  }
});
lines.on('close', () => {
  if (!summary) {
    console.log('the test run ended without a TAP summary (the runner crashed?)');
    failed = Math.max(failed, 1);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
