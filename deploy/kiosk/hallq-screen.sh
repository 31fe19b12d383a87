#!/bin/sh
# One hall screen: Chromium in kiosk mode on one hallq page, sound allowed without a click, the
# screen never blanks. systemd (hallq-screen-<name>.service) restarts it whenever it exits.
#   hallq-screen.sh <name> <url> [x,y]
set -eu
name=${1:?usage: hallq-screen.sh <name> <url> [x,y]}
url=${2:?usage: hallq-screen.sh <name> <url> [x,y]}
pos=${3:-0,0}

# screen saver, blanking and DPMS power saving off (needs DISPLAY; harmless when xset is missing)
if command -v xset >/dev/null 2>&1; then
  xset s off || true
  xset s noblank || true
  xset -dpms || true
fi

browser=
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
[ -n "$browser" ] || { echo "hallq-screen: chromium not found (apt-get install -y chromium)" >&2; exit 1; }

# wait for the agent (up to 2 minutes after boot): a page that failed to load would stay an error page
origin=$(printf '%s' "$url" | sed -E 's#^(https?://[^/]+).*#\1#')
i=0
while [ "$i" -lt 120 ]; do
  # over https the agent is trusted through the hall CA (HALLQ_CA, set by install.sh --tls)
  if command -v curl >/dev/null 2>&1 && curl -fs --max-time 2 ${HALLQ_CA:+--cacert "$HALLQ_CA"} "$origin/healthz" >/dev/null 2>&1; then break; fi
  i=$((i + 1))
  sleep 1
done

profile=${HALLQ_SCREEN_PROFILES:-${XDG_STATE_HOME:-$HOME/.local/state}/hallq-screens}/$name
mkdir -p "$profile/Default"
# a killed Chromium asks to "restore pages" on the next start: mark the last exit as clean
prefs=$profile/Default/Preferences
if [ -f "$prefs" ]; then
  sed -i 's/"exit_type":"[A-Za-z]*"/"exit_type":"Normal"/; s/"exited_cleanly":false/"exited_cleanly":true/' "$prefs" || true
fi

exec "$browser" \
  --kiosk "$url" \
  --autoplay-policy=no-user-gesture-required \
  --user-data-dir="$profile" \
  --window-position="$pos" \
  --no-first-run \
  --noerrdialogs \
  --disable-infobars \
  --disable-session-crashed-bubble \
  --disable-features=Translate \
  --disable-pinch \
  --overscroll-history-navigation=0 \
  --check-for-update-interval=31536000 \
  --password-store=basic
