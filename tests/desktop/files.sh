#!/usr/bin/env bash
# tests/desktop/files.sh — the desktop's model files under a private Xvfb server: the app saves the
# shipped lenet5-1998 as .lenet, .npz and .onnx to paths (the Model files window's Save buttons do
# the same), switches to lenet5, loads the ONNX file back (its own architecture) and must show
# lenet5-1998 with the same weights; a second run loads a damaged file, which is refused with a
# message naming it while the shipped network stays. The state JSON and a screenshot are checked.
#   tests/desktop/files.sh <path to lenet5-explorer> [screenshot.png]
# Needs xvfb and imagemagick (scripts/setup installs them).
set -euo pipefail
exe=${1:?usage: files.sh <lenet5-explorer> [screenshot.png]}
shot=${2:-$(dirname "$exe")/desktop-files.png}
[ -x "$exe" ] || { echo "files: $exe is not an executable (build the native preset first)"; exit 1; }

source "$(dirname "${BASH_SOURCE[0]}")/xvfb.sh"
start_xvfb files
fail() { echo "files: FAIL: $*"; exit 1; }
field() { echo "$state" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['app']$1))"; }
checksum() { grep '^command:' "$tmp/out" | sed -n "$1p" | python3 -c "import json,sys; print(json.loads(sys.stdin.read()[9:])['checksum'])"; }

rm -f "$shot"
timeout 120 "$exe" --frames 30 --size 1280x800 --hash '#sample=0&layer=C3' --screenshot "$shot" --print-state \
  --command "{\"cmd\":\"save_model\",\"format\":\"lenet\",\"path\":\"$tmp/m.lenet\"}" \
  --command "{\"cmd\":\"save_model\",\"format\":\"npz\",\"path\":\"$tmp/m.npz\"}" \
  --command "{\"cmd\":\"save_model\",\"format\":\"onnx\",\"path\":\"$tmp/m.onnx\"}" \
  --command '{"cmd":"select_preset","name":"lenet5"}' \
  --command "{\"cmd\":\"load_model\",\"path\":\"$tmp/m.onnx\"}" \
  --command '{"cmd":"show_files","on":true}' >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; fail "exit status"; }
grep '^command:' "$tmp/out" | cut -c1-200
for f in m.lenet m.npz m.onnx; do [ -s "$tmp/$f" ] || fail "$f was not saved"; done
[ "$(checksum 1)" = "$(checksum 5)" ] || fail "the loaded ONNX model's weights differ: $(checksum 1) saved, $(checksum 5) loaded"
state=$(grep '^{' "$tmp/out" | tail -n1)
[ "$(field "['arch_name']")" = '"lenet5-1998"' ] || fail "network $(field "['arch_name']") after loading m.onnx"
[ "$(field "['weights_status']")" = '"loaded"' ] || fail "weights_status $(field "['weights_status']")"
[ "$(field "['model_file']['loaded']")" = '"m.onnx"' ] || fail "model_file $(field "['model_file']")"
colors=$(identify -format '%k' "$shot")
[ "$colors" -gt 100 ] || fail "$shot has only $colors colours"

# A damaged file: refused (the command fails, so the app exits with status 1), nothing changes.
head -c 3000 "$tmp/m.lenet" >"$tmp/cut.lenet"
set +e
timeout 120 "$exe" --frames 5 --print-state --command "{\"cmd\":\"load_model\",\"path\":\"$tmp/cut.lenet\"}" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
set -e
[ $rc = 1 ] || fail "loading a damaged file: exit status $rc, expected 1"
grep -q 'cut.lenet' "$tmp/out2" "$tmp/err2" || fail "the error does not name cut.lenet: $(cat "$tmp/out2" "$tmp/err2" | head -c 600)"
echo "files: ok — .lenet, .npz and .onnx saved; m.onnx loaded back as lenet5-1998 with equal weights; cut.lenet refused"
