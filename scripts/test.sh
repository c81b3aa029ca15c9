#!/usr/bin/env bash
# Runs the whole suite and prints the closing line CI reads: "N passed, N failed, N skipped".
# The vitest JSON report goes to $AIC_VITEST_JSON (default .vitest.json).
cd "$(dirname "$0")/.."
report="${AIC_VITEST_JSON:-.vitest.json}"
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@"
rc=$?
if [ -f "$report" ]; then
  # vitest fails the run (exit 1) for errors outside any test too (an unhandled error, a file that did not
  # load): such a run never reads "0 failed", whatever the per-test counts say.
  node -e 'const r=require(require("path").resolve(process.argv[1]));const failed=r.numFailedTests+(process.argv[2]!=="0"&&r.numFailedTests===0?1:0);console.log(`${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + (r.numTodoTests||0)} skipped`)' "$report" "$rc"
else
  echo "0 passed, 1 failed, 0 skipped"
  [ $rc -eq 0 ] && rc=1
fi
exit $rc
