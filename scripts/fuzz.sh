#!/usr/bin/env bash
# The contract, proven: lints openapi.yaml, then fuzzes the dev server against it with
# schemathesis (property-based, stateful), as a client developer who trusts the document
# would. scripts/test.sh runs the bounded form; it FAILS, never skips, when it cannot run.
#
#   scripts/fuzz.sh                  bounded: fixed seed, fixed example count (about 2 minutes)
#   scripts/fuzz.sh --long           a longer run: more examples per operation, more stateful steps
#   scripts/fuzz.sh --seed N         another seed (the bounded default is fixed so CI is repeatable)
#   scripts/fuzz.sh --examples N     examples per operation and phase
#   scripts/fuzz.sh --lint-only      only lint the document
#   scripts/fuzz.sh --skip-lint      only fuzz
#   scripts/fuzz.sh --app-url U --link-url L   fuzz a dev server that is already running
#                                    (scripts/run.sh's; needs MOTO_URL, e.g. from .local/stack.env)
#
# It starts its own dev server on a fresh table (against the stack scripts/test.sh started,
# or a stack of its own when run alone), signs up two practices and two patients through the
# API (scripts/fuzz/seed.py, which also hands schemathesis real ids, codes and tokens of both
# practices), and runs schemathesis twice (scripts/fuzz/schemathesis.toml): the link domain
# (a second HTTP API on its own port), then the app API with stateful links. Checks: no
# server error; status, content type, schema and headers as documented; schema-valid
# requests accepted and invalid ones rejected; auth enforced; deleted things stay deleted,
# created things can be read; one practice never reads the other's objects.
# scripts/fuzz/canopy_fuzz_hooks.py drops, by precise rules, the rejections no schema can
# predict (a wrong one-time code, a reused idempotency key, a forged cursor) and the known
# server bugs awaiting a fix (each named with its fix); the run prints every drop, and a
# run passes when nothing else fails. Reports: artifacts/fuzz/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

say() { echo "fuzz: $*"; }
fail() { say "FAILED: $*"; exit 1; }

SEED=20261130
EXAMPLES=12
STEPS=25
LINT_ONLY=0
SKIP_LINT=0
APP_URL="" LINK_URL=""
while (($#)); do
  case "$1" in
    --long) EXAMPLES=100; STEPS=120; shift ;;
    --seed) SEED="$2"; shift 2 ;;
    --examples) EXAMPLES="$2"; shift 2 ;;
    --lint-only) LINT_ONLY=1; shift ;;
    --skip-lint) SKIP_LINT=1; shift ;;
    --app-url) APP_URL="$2"; shift 2 ;;
    --link-url) LINK_URL="$2"; shift 2 ;;
    -h | --help) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) fail "unknown argument: $1" ;;
  esac
done

VENV="$ROOT/.local/venv"
[ -x "$VENV/bin/schemathesis" ] || fail "schemathesis is missing from .local/venv (scripts/setup.sh installs it)"
[ -x node_modules/.bin/redocly ] || fail "node_modules/.bin/redocly is missing (scripts/setup.sh installs it)"

if ((SKIP_LINT == 0)); then
  say "lint: openapi.yaml is current, matches template.yaml's routes, passes redocly's recommended rules"
  "$VENV/bin/python" scripts/openapi.py --check || fail "openapi.yaml: see above"
  lint_rc=0
  lint_out="$(node_modules/.bin/redocly lint --config openapi/redocly.yaml --format=stylish openapi.yaml 2>&1)" || lint_rc=$?
  # Redocly's banner about Node.js versions is not about the document.
  grep -v -e '^\s*$' -e '[║╔╚]' <<<"$lint_out" || true
  ((lint_rc == 0)) || fail "redocly lint found problems in openapi.yaml"
  say "lint OK"
fi
((LINT_ONLY)) && exit 0

begun=$SECONDS
STARTED_STACK=0
mkdir -p .local
WORK="$(mktemp -d "$ROOT/.local/fuzz.XXXXXX")"
DEV_PID=""
OUT="artifacts/fuzz"
LOG="$OUT/dev-server.log"
mkdir -p "$OUT"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then
    kill -TERM "$DEV_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DEV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DEV_PID" 2>/dev/null || true
  fi
  if ((STARTED_STACK)); then
    scripts/stack.sh stop >/dev/null 2>&1 || true
    [ "$rc" = 0 ] && rm -rf "$CANOPY_STACK_STATE"
  fi
  rm -rf "$WORK"
  [ "$rc" = 0 ] || say "dev server log: $LOG"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$APP_URL" ] || [ -n "$LINK_URL" ]; then
  [ -n "$APP_URL" ] && [ -n "$LINK_URL" ] || fail "--app-url and --link-url go together"
  [ -n "${MOTO_URL:-}" ] || fail "MOTO_URL is not set (source .local/stack.env)"
  export APP_URL LINK_URL
else
  if [ -z "${MOTO_URL:-}" ] || [ -z "${AWS_ENDPOINT_URL_DYNAMODB:-}" ]; then
    say "no stack in the environment: starting one"
    scripts/setup.sh >/dev/null
    export CANOPY_STACK_STATE=".local/stacks/fuzz-$$"
    mkdir -p "$CANOPY_STACK_STATE"
    STARTED_STACK=1
    scripts/stack.sh start >/dev/null
    # shellcheck source=/dev/null
    set -a; source "$CANOPY_STACK_STATE/stack.env"; set +a
  fi
  for var in MOTO_URL AWS_ENDPOINT_URL_DYNAMODB CANOPY_LINK_PORT LINK_BASE_URL; do
    [ -n "${!var:-}" ] || fail "$var is not set"
  done

  export TABLE_NAME="canopy-fuzz-$$-$RANDOM"
  # Every request comes from 127.0.0.1 and from two day-old practices: the per-address code
  # budgets (40 an hour) and a new practice's invite budgets (5 an hour) would answer 429 to
  # the seed and then to most of the fuzzer's signups, sign-ins and invites, so those
  # operations' logic would go unfuzzed. The per-contact invite budget (5 a day) goes too:
  # the seed has one invite per practice, so resends and secure-invites would be answering
  # only 429 after the first few cases, and schemathesis fails a run on an operation that
  # never got past its 4xx (a CI run did, depending on the order of the cases). The budgets
  # are configuration (template.yaml parameters); the integration tests prove them. Per
  # destination (the code sends) they stay.
  export CODE_BUDGET_PER_ADDRESS_HOUR=100000 CODE_BUDGET_PER_ADDRESS_DAY=100000
  export INVITE_BUDGET_NEW_PRACTICE_HOUR=100000 INVITE_BUDGET_NEW_PRACTICE_DAY=100000
  export INVITE_BUDGET_PRACTICE_HOUR=100000 INVITE_BUDGET_PRACTICE_DAY=100000 INVITE_BUDGET_GLOBAL_HOUR=100000
  export INVITE_BUDGET_CONTACT_DAY=100000
  APP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  LINK_PORT="$CANOPY_LINK_PORT"
  export APP_URL="http://127.0.0.1:$APP_PORT" LINK_URL="http://127.0.0.1:$LINK_PORT"

  say "building the dev server"
  # Run a copy of this checkout's build: with a target directory shared between checkouts,
  # `cargo run` would wait for the build lock (and relink) while another checkout builds, and
  # target/debug/canopy-dev may be another checkout's by now (the copy must name this one).
  for attempt in 1 2 3 4 5; do
    cargo build -q -p canopy-local --bin canopy-dev || fail "the dev server does not build"
    # A hard link is taken at once (before a checkout queued on the build lock can relink the
    # path); a copy when the target directory is on another file system.
    rm -f "$WORK/canopy-dev"
    ln "${CARGO_TARGET_DIR:-target}/debug/canopy-dev" "$WORK/canopy-dev" 2>/dev/null ||
      cp "${CARGO_TARGET_DIR:-target}/debug/canopy-dev" "$WORK/canopy-dev" || fail "no dev server binary"
    grep -qaF "$ROOT/local" "$WORK/canopy-dev" && break
    [ "$attempt" = 5 ] && fail "target/debug/canopy-dev keeps being another checkout's build"
    sleep "$attempt"
  done
  # Started up to twice: under load DynamoDB Local can answer the table's creation late, the
  # SDK retries it, and the dev server exits on "Cannot create preexisting table" (the second
  # start finds the table).
  ready=""
  for start_attempt in 1 2; do
    say "starting the dev server (app port $APP_PORT, link port $LINK_PORT, table $TABLE_NAME)"
    RUST_LOG="${RUST_LOG:-warn}" "$WORK/canopy-dev" --app-port "$APP_PORT" --link-port "$LINK_PORT" >"$LOG" 2>&1 &
    DEV_PID=$!
    for _ in $(seq 1 300); do
      kill -0 "$DEV_PID" 2>/dev/null || break
      if python3 -c 'import socket,sys; [sys.exit(1) for p in sys.argv[1:] if socket.socket().connect_ex(("127.0.0.1", int(p)))]' "$APP_PORT" "$LINK_PORT" 2>/dev/null; then
        ready=1
        break
      fi
      sleep 0.2
    done
    [ -n "$ready" ] && break
    if kill -0 "$DEV_PID" 2>/dev/null; then break; fi
    say "the dev server exited during start-up: $(tail -c 300 "$LOG")"
    [ "$start_attempt" = 2 ] && fail "the dev server exited (see $LOG)"
  done
  [ -n "$ready" ] || fail "the dev server did not start listening within 60 s (see $LOG)"
fi

say "seeding two practices and two patients through the API"
"$VENV/bin/python" scripts/fuzz/seed.py "$WORK" || fail "seeding failed"
{
  cat scripts/fuzz/schemathesis.toml "$WORK/dictionaries.toml"
  printf '\n[phases.stateful]\nmax-steps = %s\n' "$STEPS"
} >"$WORK/schemathesis.toml"

CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,positive_data_acceptance,ignored_auth,use_after_free,ensure_resource_availability,object_level_authorization"

# One schemathesis run against one API, in the phases $PHASES. No `examples` phase: the
# document's examples are illustrations (ids that exist nowhere), not fixtures; the seeded
# dictionaries give the other phases real ids instead. Its summary goes to the terminal; the JUnit and
# NDJSON reports to artifacts/fuzz/NAME/.
run_schemathesis() {
  local name="$1" url="$2"
  shift 2
  say "== schemathesis: $name ($url), seed $SEED, $EXAMPLES examples per operation"
  rm -rf "${OUT:?}/$name"
  PYTHONPATH="$ROOT/scripts/fuzz" SCHEMATHESIS_HOOKS=canopy_fuzz_hooks FUZZ_DROPPED="$WORK/dropped.jsonl" \
    FUZZ_SEED="$WORK/seed.json" FUZZ_NOTES="$WORK/notes.jsonl" \
    "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run openapi.yaml \
    --url "$url" \
    --checks "$CHECKS" \
    --seed "$SEED" \
    --max-examples "$EXAMPLES" \
    --workers 1 \
    --request-timeout 20 \
    --phases "$PHASES" \
    --report junit,ndjson --report-dir "$OUT/$name" \
    "$@"
}

start=$SECONDS
rc=0
# The link domain first: the app run disables links (PATCH active=false) as it goes.
# The link domain has no links between its operations: no stateful phase there.
PHASES=coverage,fuzzing run_schemathesis link-domain "$LINK_URL" --include-path-regex '^/(\{code\}|i/)' || rc=1
PHASES=coverage,fuzzing,stateful run_schemathesis app "$APP_URL" --exclude-path-regex '^/(\{code\}|i/)' || rc=1
say "schemathesis took $((SECONDS - start)) s (reports in $OUT/)"
if [ -s "$WORK/dropped.jsonl" ]; then
  say "failures dropped by scripts/fuzz/canopy_fuzz_hooks.py (CONTRACT: no schema can predict them; SERVER: known server bugs awaiting a fix):"
  "$VENV/bin/python" - "$WORK/dropped.jsonl" <<'PY'
import collections, json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
for (group, rule, op), n in sorted(collections.Counter((r["group"], r["rule"], r["operation"]) for r in rows).items()):
    print(f"fuzz:   {group:8} {rule:24} {op:45} x{n}")
PY
  cp "$WORK/dropped.jsonl" "$OUT/dropped.jsonl"
fi
if [ -s "$WORK/notes.jsonl" ]; then
  "$VENV/bin/python" - "$WORK/notes.jsonl" "$WORK/seed.json" <<'PY'
import collections, json, sys
notes = [json.loads(line) for line in open(sys.argv[1])]
pool = len(json.load(open(sys.argv[2]))["a"]["session_pool"])
ended = collections.Counter((n["outcome"], n["operation"]) for n in notes if n["kind"] == "session")
print(f"fuzz: throwaway sessions used: {sum(ended.values())} of {pool} (" + ", ".join(f"{o} by {op} x{c}" for (o, op), c in sorted(ended.items())) + ")")
PY
fi
((rc == 0)) || fail "schemathesis found failures (see above and $OUT/)"
say "OK: 0 failures ($((SECONDS - begun)) s in all, schemathesis $((SECONDS - start)) s)"
