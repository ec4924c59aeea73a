#!/usr/bin/env bash
# The suite against a mock of the central endpoint alone: Prism 5 serving schemas/openapi.yaml, with
# three App Registration tokens handed in (`--registration-token`), as a team gating its mock would run
# it. Prints how many behaviours ran, passed, failed (with the first reason of each) and were skipped
# (with their reasons), the exit code and the wall time. Not part of CI: it installs
# @stoplight/prism-cli from the npm registry (needs node and npm).
#
#   bash scripts/prism.sh            (PORT=4010 by default; PRISM_DIR caches the npm install)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-4010}
PRISM_DIR=${PRISM_DIR:-target/prism}
WORK=$(mktemp -d)
stop_prism() { if [ -n "${PRISM_PID:-}" ]; then kill "$PRISM_PID" 2>/dev/null || true; wait "$PRISM_PID" 2>/dev/null || true; fi; }
trap 'stop_prism; rm -rf "$WORK"' EXIT

command -v npm > /dev/null || { echo "error: npm is needed (apt-get install nodejs npm)" >&2; exit 2; }
if [ ! -x "$PRISM_DIR/node_modules/.bin/prism" ]; then
  mkdir -p "$PRISM_DIR"
  npm install --silent --prefix "$PRISM_DIR" @stoplight/prism-cli@5 > /dev/null
fi
cargo build -q
BIN=target/debug/verifik-conformance

"$PRISM_DIR/node_modules/.bin/prism" mock schemas/openapi.yaml -h 127.0.0.1 -p "$PORT" > "$WORK/prism.log" 2>&1 &
PRISM_PID=$!
for _ in $(seq 300); do grep -q "Prism is listening" "$WORK/prism.log" && break; sleep 0.1; done
grep -q "Prism is listening" "$WORK/prism.log" || { echo "error: Prism did not start:" >&2; cat "$WORK/prism.log" >&2; exit 2; }
echo "Prism $("$PRISM_DIR/node_modules/.bin/prism" --version) serving schemas/openapi.yaml on http://127.0.0.1:$PORT"

# Well-formed JWTs that name registrations 1, 2 and 3; a mock cannot tell them from real ones.
jwt() { printf 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s.c2lnbmF0dXJl' "$(printf '{"appRegistrationId":"%s"}' "$1" | base64 | tr -d '=\n' | tr '/+' '_-')"; }
start=$(date +%s.%N)
set +e
"$BIN" run --base-url "http://127.0.0.1:$PORT" --seed 1 --cases 8 \
  --registration-token "$(jwt 1)" --registration-token "$(jwt 2)" --registration-token "$(jwt 3)" \
  > "$WORK/run.out" 2>&1
code=$?
set -e
took=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")

echo
grep -E "^test result" "$WORK/run.out" || true
grep -E "^target:|^error:" "$WORK/run.out" || true
passed=$(grep -cE '^test .* \.\.\. ok$' "$WORK/run.out" || true)
failed=$(grep -cE '^test .* \.\.\. FAILED$' "$WORK/run.out" || true)
skipped=$(grep -cE '^test .* \.\.\. ignored' "$WORK/run.out" || true)
echo "ran $((passed + failed)), passed $passed, failed $failed, skipped $skipped; exit $code after ${took} s"
echo
echo "failed, with the first reason of each:"
awk '/^---- /{name=$2; getline; getline; sub(/^ *- /, ""); print "  " name ": " substr($0, 1, 160)}' "$WORK/run.out"
echo
echo "skipped, by reason:"
grep -E '^test .* \.\.\. ignored' "$WORK/run.out" | sed -E 's/.*ignored \((.*)\)$/\1/; s/ \([0-9]+ unspent\)//' | sort | uniq -c | sort -rn
if grep -q panicked "$WORK/run.out"; then echo "error: the suite panicked" >&2; exit 1; fi
