#!/usr/bin/env bash
# The whole benchmark: first `cargo bench --bench throughput` (the suite's and the emulator's figures),
# then side by side with Schemathesis, the strongest peer (anchors-conformance.md), on the same emulator,
# the same endpoint and our OpenAPI file: requests per second and wall time for the same request budget,
# and which deliberate deviations each tool detects. Not part of CI: it installs schemathesis from PyPI
# into a virtual environment.
#
#   bash benches/schemathesis.sh [MAX_EXAMPLES]        (default 50; SKIP_THROUGHPUT=1 skips the first part)
#
# Requests are counted from the emulator's own request log, the same way for both tools.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
VENV=${VENV:-/tmp/verifik-schemathesis-venv}
WORK=$(mktemp -d)
stop_emulator() { if [ -n "${EMU_PID:-}" ]; then kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true; fi; }
trap 'stop_emulator; rm -rf "$WORK"' EXIT
[ -x "$VENV/bin/schemathesis" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q schemathesis; }
cargo build --release -q
BIN=target/release/verifik-conformance
[ "${SKIP_THROUGHPUT:-0}" = 1 ] || cargo bench -q --bench throughput

start_emulator() { # sets BASE and EMU_PID; the emulator logs each request to $WORK/emu.log
  stop_emulator
  RUST_LOG=info "$BIN" emulate --listen 127.0.0.1:0 --provider-states "$@" > "$WORK/emu.out" 2> "$WORK/emu.log" &
  EMU_PID=$!
  for _ in $(seq 100); do grep -q listening "$WORK/emu.out" 2>/dev/null && break; sleep 0.1; done
  BASE=$(head -1 "$WORK/emu.out" | awk '{print $NF}')
}
token() {
  curl -s "$BASE/__conformance/provider-states" -H 'content-type: application/json' \
    -d '{"state":"app registration","params":{"credits":1000000}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])'
}
requests() { grep -c 'path=/v2/biometric-validations/app-registration' "$WORK/emu.log" || true; }
now() { date +%s.%N; }

# Speed: Schemathesis first; then our suite with the same request budget.
start_emulator
T=$(token); : > "$WORK/emu.log"
t0=$(now); set +e; "$VENV/bin/schemathesis" run schemas/openapi.yaml --url "$BASE" -H "Authorization: Bearer $T" -n "$N" --checks all > "$WORK/st.out" 2>&1; ST_EXIT=$?; set -e; t1=$(now)
ST_REQ=$(requests); ST_S=$(echo "$t1 - $t0" | bc -l)
start_emulator
t0=$(now); set +e; "$BIN" run --base-url "$BASE" --emulator-profile --max-requests "$ST_REQ" --cases 16 --format terse > "$WORK/vc.out" 2>&1; VC_EXIT=$?; set -e; t1=$(now)
VC_REQ=$(requests); VC_S=$(echo "$t1 - $t0" | bc -l)
printf '\n%-22s %10s %10s %10s %6s\n' tool "requests" "seconds" "req/s" exit
printf '%-22s %10d %10.2f %10.1f %6d\n' schemathesis "$ST_REQ" "$ST_S" "$(echo "$ST_REQ / $ST_S" | bc -l)" "$ST_EXIT"
printf '%-22s %10d %10.2f %10.1f %6d\n' verifik-conformance "$VC_REQ" "$VC_S" "$(echo "$VC_REQ / $VC_S" | bc -l)" "$VC_EXIT"
printf 'ratio (verifik-conformance req/s over schemathesis req/s): %.2f\n' "$(echo "($VC_REQ / $VC_S) / ($ST_REQ / $ST_S)" | bc -l)"
echo "(central-endpoint requests only, counted from the emulator's log)"
if [ "$ST_EXIT" != 0 ]; then
  echo "schemathesis failed on the conformant emulator (exit $ST_EXIT): those are false alarms against this contract, so it is credited with no detection below"
fi

# Detection: each deviation, each tool; a tool detects it when it fails there and passed on the conformant emulator.
printf '\n%-32s %14s %20s\n' deviation schemathesis verifik-conformance
# Every deviation the binary knows (its own error message lists them), but liveness-shift, which only
# `compare` catches.
# The binary refuses '?' (exit 2), which pipefail would turn into the script's own exit.
DEVIATIONS=$("$BIN" emulate --deviate '?' 2>&1 | sed -n 's/.*known: //p' | tr -d ',' || true)
[ -n "$DEVIATIONS" ] || { echo "the binary listed no deviations" >&2; exit 1; }
for d in $DEVIATIONS; do
  [ "$d" = liveness-shift ] && continue
  start_emulator --deviate "$d"
  T=$(token)
  set +e
  "$VENV/bin/schemathesis" run schemas/openapi.yaml --url "$BASE" -H "Authorization: Bearer $T" -n "$N" --checks all > /dev/null 2>&1; S=$?
  "$BIN" run --base-url "$BASE" --emulator-profile --cases 16 --format terse > /dev/null 2>&1; V=$?
  set -e
  st=$([ "$ST_EXIT" = 0 ] && [ "$S" != 0 ] && echo detected || echo "not detected ($S)")
  vc=$([ "$V" = 1 ] && echo detected || echo "not detected ($V)")
  printf '%-32s %14s %20s\n' "$d" "$st" "$vc"
done
