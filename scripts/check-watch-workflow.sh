#!/usr/bin/env bash
# Validates the scheduled job docs/operating.md offers ("Watching a vendor") against GitHub's workflow schema
# with action-validator from the npm registry. Needs node and npm; the cargo build is not involved.
#   bash scripts/check-watch-workflow.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^## Watching a vendor/{s=1} s && /^```yaml/{f=1; next} f && /^```/{exit} f' docs/operating.md > "$work/verifik-watch.yml"
test -s "$work/verifik-watch.yml" || { echo "no workflow block found in docs/operating.md" >&2; exit 2; }
(cd "$work" && npm install --silent --no-audit --no-fund @action-validator/cli@0.6.0 > /dev/null)
out=$("$work/node_modules/.bin/action-validator" "$work/verifik-watch.yml" 2>&1) || true
if [ -n "$out" ]; then
  echo "$out"
  echo "the workflow of docs/operating.md does not validate" >&2
  exit 1
fi
echo "the workflow of docs/operating.md validates ($(wc -l < "$work/verifik-watch.yml") lines)"
