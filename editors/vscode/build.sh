#!/usr/bin/env bash
# Build the VS Code extension: install the pinned npm packages, compile the client, run
# the grammar tests, package gtc-formulas.vsix. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run compile
npm run test:grammar
npm run package
test -s gtc-formulas.vsix
echo "built $(pwd)/gtc-formulas.vsix"
