# Shared by scripts/run, scripts/test and scripts/build-site: where things are built, and the
# installs a fresh machine needs. Every install happens once, into the usual homes (cargo's bin,
# npm's global folder, Debian packages), and is skipped when already there.
# Only crates.io, npm and Debian are used: nothing downloads a prebuilt binary or a browser.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Cargo's build cache lives outside the clone so fresh clones (CI) build warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/epep/target}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# The built site (WASM, JS, CSS, public assets) that the server serves.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$REPO_ROOT/target/site}"
# npm: never fetch a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

WASM_OPT_VERSION=132

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_node() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

ensure_wasm_target() {
  # rust-toolchain.toml names the target; rustup adds it on first use, but say so if it cannot.
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
ensure_wasm_bindgen() {
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$REPO_ROOT/Cargo.lock")"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (about 5 minutes, once)"
    # Not --locked: a locked dependency of the CLI is missing from the registry mirror.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# npm's binaryen: Debian's wasm-opt (version 108) silently breaks hydration.
wasm_opt_bin() { echo "$(npm prefix -g)/lib/node_modules/binaryen/bin/wasm-opt"; }
ensure_wasm_opt() {
  ensure_node
  if ! "$(wasm_opt_bin)" --version 2>/dev/null | grep -q "version $WASM_OPT_VERSION"; then
    log "installing wasm-opt from npm binaryen@$WASM_OPT_VERSION"
    as_root npm install -g --no-fund --no-audit "binaryen@$WASM_OPT_VERSION" >/dev/null
  fi
}

ensure_build_tools() {
  command -v brotli >/dev/null 2>&1 || apt_install brotli
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_wasm_opt
}

# The release server binary that scripts/build-site produces.
server_bin() { echo "$CARGO_TARGET_DIR/release/server"; }

# The shared build cache keeps every old build of our own crates (each test binary is hundreds of
# MB) and every incremental session: a working week filled a 90 GB disk. Drop ours that have not
# been touched for two days; dependencies stay, so builds stay warm.
prune_build_cache() {
  [ -d "$CARGO_TARGET_DIR" ] || return 0
  find "$CARGO_TARGET_DIR" -mindepth 3 -maxdepth 3 -path '*/deps/*' -mtime +1 \
    \( -name 'app-*' -o -name 'libapp-*' -o -name 'server-*' -o -name 'libserver-*' \
       -o -name 'frontend-*' -o -name 'libfrontend-*' -o -name 'integration-*' \) \
    -delete 2>/dev/null || true
  find "$CARGO_TARGET_DIR" -mindepth 4 -maxdepth 4 -path '*/incremental/*/s-*' -mtime +1 \
    -exec rm -rf {} + 2>/dev/null || true
}
