#!/usr/bin/env bash
# Headless Neovim test of weft through the built-in LSP client (Neovim >= 0.7).
# usage: run.sh [path/to/weft]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
weft=${1:-weft}
command -v nvim >/dev/null || { echo "nvim not installed (apt-get install neovim)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
mkdir -p "$HOME"
cp "$here"/testdata/* "$tmp/"
# A local server for :WeftPull: the embedded model's file, served over HTTP.
# WEFT_SKIP_PULL=1 leaves it out, for a server binary that has no `model pull`
# verb (the LSP test server with a scripted model).
if [ -z "${WEFT_SKIP_PULL:-}" ] && command -v python3 >/dev/null; then
  mkdir -p "$tmp/srv" && cp "$here/../../../model/default/weft-default.gguf" "$tmp/srv/"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$tmp/srv" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
  srv=$!
  trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
  export WEFT_PULL_URL="http://127.0.0.1:$port/weft-default.gguf" WEFT_MODELS="$tmp/models"
fi
cd "$tmp"
nvim --version | head -1
WEFT_BIN="$weft" WEFT_PLUGIN="$here/.." timeout 180 nvim --headless -u NONE -i NONE -n \
  -c "luafile $here/test.lua" 2>&1
