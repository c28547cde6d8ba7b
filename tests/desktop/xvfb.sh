# tests/desktop/xvfb.sh — sourced by the desktop tests: start_xvfb NAME starts a private Xvfb server
# (it picks a free display number), exports DISPLAY and SDL_AUDIODRIVER, and kills it and removes the
# temporary folder $tmp on exit. NAME prefixes the messages.
tmp=$(mktemp -d)
xvfb_pid=
cleanup() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

start_xvfb() {
  # Xvfb writes the display number it picked to fd 5.
  Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$tmp/display" 2>"$tmp/xvfb.log" &
  xvfb_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
  [ -s "$tmp/display" ] || { echo "$1: Xvfb did not start:"; cat "$tmp/xvfb.log"; exit 1; }
  export DISPLAY=:$(head -n1 "$tmp/display")
  export SDL_AUDIODRIVER=dummy
}
