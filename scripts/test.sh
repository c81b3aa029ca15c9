#!/usr/bin/env bash
# Runs the whole suite and prints the closing line CI reads: "N passed, N failed, N skipped".
# The vitest JSON report goes to $AIC_VITEST_JSON (default .vitest.json).
cd "$(dirname "$0")/.."
report="${AIC_VITEST_JSON:-.vitest.json}"
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile="$report" "$@"
rc=$?
if [ -f "$report" ]; then
  node -e 'const r=require(require("path").resolve(process.argv[1]));console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests||0)} skipped`)' "$report"
else
  echo "0 passed, 1 failed, 0 skipped"
  [ $rc -eq 0 ] && rc=1
fi
exit $rc
