#!/usr/bin/env bash
# tests/desktop/views.sh — desktop visualizer test under a private Xvfb server:
#   1. screenshots of the C1, C3 and OUTPUT views, of a traced C3 unit and of the training step C3'
#      (deep links via --hash), each checked for the view in the state JSON and for a non-blank image;
#   2. frame time while stepping and drawing: the app runs until SIGTERM, xdotool presses Right/Left/Home/End, taps
#      Right 5 times within a frame (each tap must step) and draws strokes on the pad, then the state JSON's frame-time figures are printed and the app's
#      own time per interactive frame is checked against 16 ms (one preempted frame allowed).
#   tests/desktop/views.sh <path to lenet5-explorer> [output dir]
# Needs xvfb, imagemagick and xdotool (scripts/setup installs them).
set -euo pipefail
exe=${1:?usage: views.sh <lenet5-explorer> [output dir]}
out=${2:-$(dirname "$exe")/desktop-views}
[ -x "$exe" ] || { echo "views: $exe is not an executable"; exit 1; }
mkdir -p "$out"

tmp=$(mktemp -d)
xvfb_pid=
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
[ -s "$tmp/display" ] || { echo "views: Xvfb did not start:"; cat "$tmp/xvfb.log"; exit 1; }
export DISPLAY=:$(head -n1 "$tmp/display")
export SDL_AUDIODRIVER=dummy
fail() { echo "views: FAIL: $*"; exit 1; }

# C1, C3 (Table I kernels), OUTPUT, a traced C3 unit (C3-trace), the backward step C3' (C3-back:
# dE/d(output) maps and dE/dw as Table I) and a traced unit of S2' (S2-btrace: its delta from C3).
for view in C1 C3 OUTPUT C3-trace C3-back S2-btrace; do
  shot="$out/desktop-$view.png"
  hash="#sample=0&layer=$view"
  layer=${view%-trace}
  [ $view = C3-trace ] && hash="#sample=0&layer=C3&unit=3,4,5"
  [ $view = C3-back ] && hash="#sample=0&back=C3" && layer="C3'"
  [ $view = S2-btrace ] && hash="#sample=0&back=S2&unit=2,7,7" && layer="S2'"
  rm -f "$shot"
  timeout 120 "$exe" --frames 40 --size 1280x720 --hash "$hash" --screenshot "$shot" \
    --print-state >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; fail "$view: exit status $?"; }
  state=$(grep '^{' "$tmp/out" | tail -n1)
  echo "$state" | grep -q "\"layer\":\"$layer\"" || fail "$view: state shows another layer: ${state:0:300}"
  [ $view != C3-back ] || echo "$state" | grep -q '"mode":"backward"' || fail "$view: mode is not backward: ${state:0:300}"
  [ $view != S2-btrace ] || echo "$state" | grep -Eq '"backward_trace":\{.*"matches":true,"next":"C3"' ||
    fail "$view: no matching backward trace: $(echo "$state" | grep -o '"backward_trace":.\{0,300\}')"
  echo "$state" | grep -q '"error":null' || fail "$view: error in state"
  colors=$(identify -format '%k' "$shot")
  [ "$colors" -gt 100 ] || fail "$shot has only $colors colours"
  echo "views: $view ok — $shot ($colors colours)"
done

# Frame time while stepping and drawing.
# The app runs until it gets SIGTERM (SDL turns it into a quit event and the app prints its state), so
# the interaction below never races a frame count on a machine with faster or slower GL.
"$exe" --frames 0 --size 1280x720 --hash '#sample=0' --print-state >"$tmp/out" 2>"$tmp/err" &
app_pid=$!
wid=
for _ in $(seq 100); do
  wid=$(xdotool search --name 'LeNet-5 Explorer' 2>/dev/null | head -n1 || true)
  [ -n "$wid" ] && break
  sleep 0.1
done
[ -n "$wid" ] || fail "no app window"
sleep 1
# XTEST events (not XSendEvent, which SDL ignores) to the focused window.
xdotool windowfocus --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid"
for key in Right Right Right Right Right Right Right Left Left Home End Home; do
  xdotool keydown "$key"
  sleep 0.08
  xdotool keyup "$key"
  sleep 0.12
done
# Instant taps, 3 ms apart (within one frame; SDL takes a release and a press closer than 2 ms for
# the auto-repeat of a held key): each one steps.
xdotool key --delay 6 Right Right Right Right Right
# Strokes on the pad (left column; the pad is at about x 16..256, y 224..464 at 1280x720, below the
# top bar's two lines: the desktop's spec field pushes its buttons to a second line).
for x in 100 130 160; do
  xdotool mousemove --window "$wid" $x 260 mousedown 1
  for y in 280 310 340 370 400 430; do xdotool mousemove --window "$wid" $((x + (y - 260) / 20)) $y; sleep 0.03; done
  xdotool mouseup 1
  sleep 0.1
done
sleep 2  # idle frames for the last-120-frames figures
kill -0 "$app_pid" 2>/dev/null || { cat "$tmp/err"; fail "the app exited during the interaction"; }
kill -TERM "$app_pid"
wait "$app_pid" || { cat "$tmp/err"; fail "the app exited with status $? on SIGTERM"; }
app_pid=
state=$(grep '^{' "$tmp/out" | tail -n1)
[ -n "$state" ] || { cat "$tmp/err"; fail "the app printed no state"; }
# On a failure below, show the whole state: the figures that decided it.
fail() { echo "views: FAIL: $*"; echo "views: state: $state"; exit 1; }
num() { echo "$state" | grep -o "\"$1\":[0-9.e+-]*" | head -n1 | cut -d: -f2; }
echo "views: frame time over the last 120 frames: mean $(num frame_ms) ms, max $(num frame_ms_max) ms;" \
     "app code: mean $(num app_ms) ms, max $(num app_ms_max) ms"
echo "views: while stepping/drawing ($(num interact_frames) frames, $(num interact_slow_frames) over 16 ms): app code max $(num interact_app_ms_max) ms," \
     "frame max $(num interact_frame_ms_max) ms"
echo "$state" | grep -q '"input_source":"draw"' || fail "the strokes did not reach the pad"
echo "$state" | grep -q '"layer_index":5,' || fail "5 instant Right taps from INPUT did not reach C5: $(echo "$state" | grep -o '"layer":"[^"]*"')"
[ "$(num steps_run)" -ge 8 ] || fail "the key presses did not step the network (steps_run $(num steps_run))"
[ "$(num interact_frames)" -gt 5 ] || fail "too few interactive frames: $(num interact_frames)"
# App time per interactive frame under 16 ms. The time is wall-clock, so one frame the OS preempted
# (a busy 2-core machine) is let through; two or more slow frames are a real regression.
[ "$(num interact_slow_frames)" -le 1 ] ||
  fail "$(num interact_slow_frames) of $(num interact_frames) interactive frames took >= 16 ms of app time (max $(num interact_app_ms_max) ms)"
echo "views: ok"
