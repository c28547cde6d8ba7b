#!/usr/bin/env bash
# tests/desktop/train.sh — desktop training smoke test under a private Xvfb server: the app starts
# with `--command` asking for 300 samples of live training from a re-initialised network (the page's
# lenet.train({reset: true, steps: 300})), reads MNIST's training set from its asset folder, trains
# them a slice per frame, measures the held-out test error, and pauses by itself; the state JSON and
# a non-blank screenshot of the Train tab are checked.
#   tests/desktop/train.sh <path to lenet5-explorer> [screenshot.png]
# Needs xvfb and imagemagick (scripts/setup installs them).
set -euo pipefail
exe=${1:?usage: train.sh <lenet5-explorer> [screenshot.png]}
shot=${2:-$(dirname "$exe")/desktop-train.png}
[ -x "$exe" ] || { echo "train: $exe is not an executable (build the native preset first)"; exit 1; }

source "$(dirname "${BASH_SOURCE[0]}")/xvfb.sh"
start_xvfb train
fail() { echo "train: FAIL: $*"; exit 1; }

rm -f "$shot"
timeout 300 "$exe" --frames 300 --size 1280x800 --hash '#sample=0&layer=C1' --screenshot "$shot" --print-state \
  --command '{"cmd":"train","reset":true,"steps":300}' >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; fail "exit status"; }
grep '^command:' "$tmp/out"
state=$(grep '^{' "$tmp/out" | tail -n1)
field() { echo "$state" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['app']['$1']))"; }
[ "$(field train_data)" = '{"count": 60000, "name": "mnist"}' ] || fail "training set: $(field train_data)"
[ "$(field samples_seen)" = 300 ] || fail "samples_seen $(field samples_seen), expected 300: ${state:0:2000}"
[ "$(field training)" = false ] || fail "still training after the 300 samples"
[ "$(field weights_status)" = '"trained here"' ] || fail "weights_status $(field weights_status)"
[ "$(field test_error)" != null ] || fail "no held-out test error"
echo "$state" | grep -q '"error":null' || fail "error in state: ${state:0:400}"
colors=$(identify -format '%k' "$shot")
[ "$colors" -gt 100 ] || fail "$shot has only $colors colours"
echo "train: ok — 300 samples from $(field weights_from), held-out error $(field test_error), screenshot $shot ($colors colours)"
