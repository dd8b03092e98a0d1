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
cd "$tmp"
nvim --version | head -1
WEFT_BIN="$weft" WEFT_PLUGIN="$here/.." timeout 180 nvim --headless -u NONE -i NONE -n \
  -c "luafile $here/test.lua" 2>&1
