#!/usr/bin/env bash
# Build the VS Code extension: install the pinned npm packages, compile the client, run
# the grammar tests, copy in the formula JSON Schema (editors/schema, what `gtc schema`
# prints), package gtc-formulas.vsix and check that the package holds the schema the
# manifest's jsonValidation / yamlValidation point at. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run compile
npm run test:grammar
mkdir -p schema
cp ../schema/formula.schema.json schema/formula.schema.json
npm run package
test -s gtc-formulas.vsix
# The packaged files: the schema is in, and every schema URL of the manifest names it.
listing="$(npx vsce ls)"
grep -qx 'schema/formula.schema.json' <<<"$listing" || {
  echo "gtc-formulas.vsix lacks schema/formula.schema.json" >&2
  exit 1
}
node -e '
  const c = require("./package.json").contributes;
  const urls = [...c.jsonValidation, ...c.yamlValidation].map((v) => v.url);
  if (urls.length !== 2 || urls.some((u) => u !== "./schema/formula.schema.json")) {
    console.error("unexpected schema associations: " + JSON.stringify(urls));
    process.exit(1);
  }
'
echo "built $(pwd)/gtc-formulas.vsix"
