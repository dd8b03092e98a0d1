#!/usr/bin/env bash
# End-to-end test of weft's VS Code extension: a real VS Code (code-server,
# from npm) with the extension from editors/vscode, driven through Debian's
# Chromium by playwright-core. Usage:
#
#   bash editors/vscode/e2e/run.sh path/to/weft
#
# Needs node 20 (code-server 4.100 runs on no other), and the apt packages
# chromium ripgrep build-essential python3 libkrb5-dev. The install lives in
# e2e/node_modules and is reused while package-lock.json and node are
# unchanged. Env: WEFT_E2E_MODEL (GGUF file; default: weft's embedded model),
# WEFT_E2E_ARTIFACTS (where a failure leaves screenshots and logs; default
# /tmp/weft-e2e-artifacts), WEFT_E2E_SCREENSHOT (where the ghost-text
# screenshot also goes, e.g. docs/img/vscode-ghost-text.png; default: only
# into the artifacts folder), WEFT_E2E_TIMEOUT_MS (how long weft may take to
# answer; default 180000), WEFT_E2E_ONLY (regexp: run only the tests whose
# names match), WEFT_E2E_CHROMIUM (default /usr/bin/chromium).
# The last line is "N passed, N failed"; the exit status is non-zero on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ext=$(cd "$here/.." && pwd)

die() { # message: setup failure, counted as one failed test
  echo "vscode e2e: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

[ $# -eq 1 ] || die "usage: run.sh path/to/weft"
weft=$(realpath "$1" 2>/dev/null) && [ -x "$weft" ] || die "weft binary $1 not found or not executable"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die "node not found"
[ "$node_major" = 20 ] || die "code-server 4.100 needs node 20, found $(node -v)"
missing=()
for tool in chromium:chromium rg:ripgrep make:build-essential g++:build-essential python3:python3 krb5-config:libkrb5-dev; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ ${#missing[@]} -eq 0 ] || die "missing tools; apt-get install ${missing[*]}"

# Native modules are built against the local node's headers when the system
# has them (Debian's nodejs + libnode-dev put them in /usr/include/node);
# otherwise node-gyp fetches the headers for this node version.
gyp_flags=(--jobs=max)
if [ -f /usr/include/node/node_version.h ] &&
  [ "$(node -p 'process.version')" = "v$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/ {v = v (v ? "." : "") $3} END {print v}' /usr/include/node/node_version.h)" ]; then
  gyp_flags+=(--nodedir=/usr)
fi
node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || die "npm's node-gyp not found at $node_gyp"

# install sets up code-server without running any package's install scripts:
# those download binaries (ripgrep, prebuilt modules) from GitHub. The native
# modules are compiled here instead and Debian's rg stands in for ripgrep.
install() {
  local cs="$here/node_modules/code-server" vs
  vs="$cs/lib/vscode"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund) || return 1
  (cd "$here/node_modules/argon2" && node "$here/node_modules/.bin/node-pre-gyp" rebuild --build-from-source "${gyp_flags[@]}") || return 1
  # Its npm-shrinkwrap.json lacks tslib, so `npm ci` refuses; npm install
  # keeps the shrinkwrapped versions and adds the missing one.
  (cd "$vs" && npm install --omit=dev --ignore-scripts --no-audit --no-fund) || return 1
  local m
  for m in @vscode/spdlog native-watchdog node-pty kerberos @vscode/deviceid; do
    (cd "$vs/node_modules/$m" && node "$node_gyp" rebuild "${gyp_flags[@]}") || return 1
  done
  mkdir -p "$vs/node_modules/@vscode/ripgrep/bin"
  ln -sfn "$(command -v rg)" "$vs/node_modules/@vscode/ripgrep/bin/rg"
  # What code-server's postinstall.sh does besides installing.
  ln -sfn node_modules "$vs/node_modules.asar"
  ln -sfn code-linux.sh "$vs/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$vs/bin/helpers/browser.sh"
}

stamp="$here/node_modules/.weft-e2e-installed"
want="$(node -v) $(cat "$here/package-lock.json" <(declare -f install) | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "vscode e2e: installing code-server and playwright-core (log: /tmp/weft-e2e-install.log)"
  t0=$(date +%s)
  if ! install >/tmp/weft-e2e-install.log 2>&1; then
    tail -40 /tmp/weft-e2e-install.log
    die "install failed (full log: /tmp/weft-e2e-install.log)"
  fi
  echo "$want" >"$stamp"
  echo "vscode e2e: installed in $(($(date +%s) - t0))s"
fi

# The extension must be compiled; CI has done `npm ci` there already.
if [ ! -d "$ext/node_modules" ]; then
  (cd "$ext" && npm ci --no-audit --no-fund >/tmp/weft-e2e-ext-npm.log 2>&1) || die "npm ci in editors/vscode failed (log: /tmp/weft-e2e-ext-npm.log)"
fi
(cd "$ext" && npm run -s compile) || die "compiling the extension failed"

# test.mjs runs code-server and chromium in process groups of their own and
# ends them; run.sh ends them too (their pids are in the pid file) when the
# test itself is killed or run.sh is interrupted.
export WEFT_E2E_PIDFILE
WEFT_E2E_PIDFILE=$(mktemp /tmp/weft-e2e-pid.XXXXXX)
out=$(mktemp /tmp/weft-e2e-out.XXXXXX)
test_pid=
cleanup() {
  local pid
  [ -n "$test_pid" ] && kill -TERM "$test_pid" 2>/dev/null && sleep 1
  while read -r pid; do
    [ -n "$pid" ] && { kill -KILL -- "-$pid" || kill -KILL "$pid"; } 2>/dev/null
  done <"$WEFT_E2E_PIDFILE"
  rm -f "$WEFT_E2E_PIDFILE" "$out"
}
trap cleanup EXIT
trap 'echo "vscode e2e: interrupted"; echo "0 passed, 1 failed"; exit 1' INT TERM
# In the background, so that a signal's trap runs at once (bash runs traps
# only between foreground commands).
node "$here/test.mjs" "$weft" > >(tee "$out") 2>&1 &
test_pid=$!
wait "$test_pid"
rc=$?
test_pid=
wait # for tee
# A crashed or killed test prints no summary of its own.
if ! tail -1 "$out" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
  echo "vscode e2e: test.mjs ended without a summary (exit $rc)"
  echo "0 passed, 1 failed"
  exit 1
fi
exit "$rc"
