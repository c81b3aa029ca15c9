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
  # Files and tests that did not pass are named first (a worker that died leaves its tests unfinished,
  # and vitest's own summary does not say which file it was running).
  node -e '
    const r = require(require("path").resolve(process.argv[1]));
    // A skipped test reads "skipped"; "pending" is one that never ended (its worker died under it).
    const ended = new Set(["passed", "skipped", "todo", "disabled"]);
    let unfinished = 0;
    for (const file of r.testResults) {
      const open = file.assertionResults.filter((t) => !ended.has(t.status));
      unfinished += open.filter((t) => t.status === "pending").length;
      if (file.status === "passed" && open.length === 0) continue;
      const why = open.some((t) => t.status === "pending") ? "unfinished: the worker running it exited" : file.status;
      console.log(`not passed: ${require("path").relative(process.cwd(), file.name)} (${why}${file.message ? ": " + file.message.split("\n")[0] : ""})`);
      for (const t of open) console.log(`  ${t.status}: ${t.fullName}`);
    }
    const failed = r.numFailedTests + unfinished;
    const skipped = r.testResults.flatMap((f) => f.assertionResults).filter((t) => ["skipped", "todo", "disabled"].includes(t.status)).length;
    console.log(`${r.numPassedTests} passed, ${failed || (process.argv[2] !== "0" ? 1 : 0)} failed, ${skipped} skipped`);
  ' "$report" "$rc"
else
  echo "0 passed, 1 failed, 0 skipped"
  [ $rc -eq 0 ] && rc=1
fi
exit $rc
