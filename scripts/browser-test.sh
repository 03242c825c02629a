#!/usr/bin/env bash
# The browser test of the link landing page: starts its own dev server against the local
# stack (run by scripts/test.sh, which exports the stack's environment), signs a practice up
# and creates a link through the API, then drives headless Chromium through the landing
# form (tests/browser/landing.mjs) and checks the SMS in moto; then opens the API reference
# page (/docs) and checks every operation of openapi.yaml is listed and "Try it out" works
# (tests/browser/reference.mjs). It FAILS, never skips, when
# it cannot run. Screenshots go to artifacts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "browser-test: $*"; }
fail() { say "FAILED: $*"; exit 1; }

for var in MOTO_URL AWS_ENDPOINT_URL_DYNAMODB CANOPY_LINK_PORT LINK_BASE_URL OTP_PEPPER; do
  [ -n "${!var:-}" ] || fail "$var is not set: run this through scripts/test.sh (it starts the stack)"
done
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM_PATH" ] || fail "no Chromium at $CHROMIUM_PATH"
[ -d node_modules/playwright-core ] || fail "node_modules/playwright-core is missing (scripts/setup.sh installs it)"

mkdir -p artifacts
export TABLE_NAME="canopy-browser-$$-$RANDOM"
APP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LINK_PORT="$CANOPY_LINK_PORT"
LOG="artifacts/browser-dev-server.log"

say "building the dev server"
# Run a copy of this checkout's build: with a target directory shared between checkouts,
# `cargo run` would wait for the build lock (and relink) while another checkout builds, and
# target/debug/canopy-dev may be another checkout's by now (the copy must name this one).
mkdir -p .local
BIN="$(mktemp -d "$PWD/.local/browser.XXXXXX")"
for attempt in 1 2 3 4 5; do
  cargo build -q -p canopy-local --bin canopy-dev || fail "the dev server does not build"
  # A hard link is taken at once (before a checkout queued on the build lock can relink the
  # path); a copy when the target directory is on another file system.
  rm -f "$BIN/canopy-dev"
  ln "${CARGO_TARGET_DIR:-target}/debug/canopy-dev" "$BIN/canopy-dev" 2>/dev/null ||
    cp "${CARGO_TARGET_DIR:-target}/debug/canopy-dev" "$BIN/canopy-dev" || fail "no dev server binary"
  grep -qaF "$PWD/local" "$BIN/canopy-dev" && break
  [ "$attempt" = 5 ] && fail "target/debug/canopy-dev keeps being another checkout's build"
  sleep "$attempt"
done

DEV_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then
    kill -TERM "$DEV_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DEV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DEV_PID" 2>/dev/null || true
  fi
  [ -n "${BIN:-}" ] && rm -rf "$BIN"
  [ "$rc" = 0 ] || say "dev server log: $LOG"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting the dev server (app port $APP_PORT, link port $LINK_PORT, table $TABLE_NAME)"
"$BIN/canopy-dev" --app-port "$APP_PORT" --link-port "$LINK_PORT" >"$LOG" 2>&1 &
DEV_PID=$!

ready=""
for _ in $(seq 1 300); do
  kill -0 "$DEV_PID" 2>/dev/null || fail "the dev server exited (see $LOG)"
  if python3 - "$APP_PORT" "$LINK_PORT" <<'PY' 2>/dev/null
import socket, sys
for port in sys.argv[1:]:
    s = socket.socket()
    s.settimeout(0.2)
    if s.connect_ex(("127.0.0.1", int(port))):
        sys.exit(1)
PY
  then
    ready=1
    break
  fi
  sleep 0.2
done
[ -n "$ready" ] || fail "the dev server did not start listening within 60 s (see $LOG)"

APP_URL="http://127.0.0.1:$APP_PORT" LINK_URL="http://127.0.0.1:$LINK_PORT" \
  timeout 120 node tests/browser/landing.mjs || fail "tests/browser/landing.mjs"
# The API reference page (/docs): every operation listed, "Try it out" reaches the server.
APP_URL="http://127.0.0.1:$APP_PORT" LINK_URL="http://127.0.0.1:$LINK_PORT" \
  timeout 120 node tests/browser/reference.mjs || fail "tests/browser/reference.mjs"
say "OK (screenshots in artifacts/landing-form.png, artifacts/landing.png, artifacts/reference.png)"
