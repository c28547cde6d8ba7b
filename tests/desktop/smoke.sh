#!/usr/bin/env bash
# tests/desktop/smoke.sh — desktop smoke test: under a private Xvfb server, start the desktop app,
# render 60 frames, save a screenshot, exit; then check the exit status, the state JSON and that
# the screenshot shows something (many distinct colours).
#   tests/desktop/smoke.sh <path to lenet5-explorer> [screenshot.png]
# Exit status 0 on success. Needs xvfb and imagemagick (scripts/setup installs them).
set -euo pipefail
exe=${1:?usage: smoke.sh <lenet5-explorer> [screenshot.png]}
shot=${2:-$(dirname "$exe")/desktop-smoke.png}
[ -x "$exe" ] || { echo "smoke: $exe is not an executable (build the native preset first)"; exit 1; }

source "$(dirname "${BASH_SOURCE[0]}")/xvfb.sh"
start_xvfb smoke

rm -f "$shot"
start=${EPOCHREALTIME/./}
set +e
timeout 120 "$exe" --frames 60 --size 1024x700 --screenshot "$shot" --print-state >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
cat "$tmp/out"
[ -s "$tmp/err" ] && { echo "stderr:"; cat "$tmp/err"; }

fail() { echo "smoke: FAIL: $*"; exit 1; }
[ $rc = 0 ] || fail "exit status $rc"
state=$(grep '^{' "$tmp/out" | tail -n1)
echo "$state" | grep -q '"ready":true' || fail "state is not ready: $state"
echo "$state" | grep -q '"error":null' || fail "state has an error: $state"
[ -s "$shot" ] || fail "no screenshot $shot"
size=$(identify -format '%wx%h' "$shot")
colors=$(identify -format '%k' "$shot")
[ "$size" = 1024x700 ] || fail "screenshot is $size, expected 1024x700"
[ "$colors" -gt 50 ] || fail "screenshot $shot has only $colors colours: nothing rendered?"
echo "smoke: ok — 60 frames in $((ms / 1000)).$((ms % 1000 / 100)) s, screenshot $shot ($size, $colors colours)"
