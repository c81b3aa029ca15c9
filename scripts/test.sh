#!/usr/bin/env bash
# Runs the whole suite and prints the closing line CI reads: "N passed, N failed, N skipped".
cd "$(dirname "$0")/.."
rm -f .vitest.json
npx vitest run --reporter=default --reporter=json --outputFile=.vitest.json "$@"
rc=$?
if [ -f .vitest.json ]; then
  node -e 'const r=require("./.vitest.json");console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests||0)} skipped`)'
else
  echo "0 passed, 1 failed, 0 skipped"
  [ $rc -eq 0 ] && rc=1
fi
exit $rc
