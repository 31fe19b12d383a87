#!/usr/bin/env bash
# Installs hallq on a hall PC (Debian, Ubuntu, Kylin and other apt-based systems) as a service.
# Idempotent: a second run with the same options changes nothing; the generated secret and an edited
# config are never overwritten. `--root DIR` writes every file under DIR and only prints the system
# commands (apt-get, useradd, udevadm, systemctl) it would run — for inspection and for the tests.
#
#   sudo deploy/install.sh [options]
#     --config FILE          hall config to read HID pads and the port from (default: /etc/hallq/hall.yaml once written)
#     --serial VID:PID[=NAME]  a USB serial adapter (printer, RS-485 bus): udev rule, /dev/hallq-NAME link  (repeatable)
#     --hid VID:PID          an HID pad or reader not in the config (repeatable)
#     --screen NAME=PATH[,DISPLAY[,X,Y]]  a kiosk/display screen, e.g. hall=/display,:0  (repeatable)
#     --url URL              the agent as the screens reach it (default http(s)://127.0.0.1:<port>)
#     --tls                  HTTPS on the hall LAN: a hall CA (kept on re-runs), the agent's certificate for this
#                            PC's name and addresses, the CA imported into the screens' Chromium (NSS)
#     --tls-name NAME|IP     one more name or address in the agent's certificate (repeatable; implies --tls)
#     --screen-user USER     the desktop user whose X session shows the screens (default hallq)
#     --keep-days N          daily backups kept (default 14)
#     --app DIR              the hallq checkout (default: this script's repository), built with `npm run build`
#     --node PATH            node binary (default: the node on PATH)
#     --root DIR             write under DIR, run no system command
set -euo pipefail

APP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=
CONFIG=
URL=
SCREEN_USER=hallq
KEEP_DAYS=14
NODE=${NODE:-}
SERIALS=()
HIDS=()
SCREENS=()
TLS=no
TLS_NAMES=()

die() { echo "install.sh: $*" >&2; exit 2; }
need() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case $1 in
    --root) need "$@"; ROOT=$2; shift 2 ;;
    --config) need "$@"; CONFIG=$2; shift 2 ;;
    --serial) need "$@"; SERIALS+=("$2"); shift 2 ;;
    --hid) need "$@"; HIDS+=("$2"); shift 2 ;;
    --screen) need "$@"; SCREENS+=("$2"); shift 2 ;;
    --url) need "$@"; URL=$2; shift 2 ;;
    --tls) TLS=yes; shift ;;
    --tls-name) need "$@"; TLS=yes; TLS_NAMES+=("$2"); shift 2 ;;
    --screen-user) need "$@"; SCREEN_USER=$2; shift 2 ;;
    --keep-days) need "$@"; KEEP_DAYS=$2; shift 2 ;;
    --app) need "$@"; APP=$(cd "$2" && pwd); shift 2 ;;
    --node) need "$@"; NODE=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ $KEEP_DAYS =~ ^[1-9][0-9]*$ ]] || die "--keep-days: expected a whole number ≥ 1, got \"$KEEP_DAYS\""
[[ $SCREEN_USER =~ ^[a-z_][a-z0-9_-]*$ ]] || die "--screen-user: not a user name: \"$SCREEN_USER\""
vidpid() { [[ $1 =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$ ]] || die "$2: expected VID:PID in hex like 1a86:7523, got \"$1\""; }
# every option is checked before anything is written: a mistake changes nothing
for s in "${SERIALS[@]+"${SERIALS[@]}"}"; do
  vidpid "${s%%=*}" --serial
  [[ $s != *=* || ${s#*=} =~ ^[a-zA-Z0-9_-]+$ ]] || die "--serial $s: the link name may use letters, digits, - and _"
done
for h in "${HIDS[@]+"${HIDS[@]}"}"; do vidpid "$h" --hid; done
for n in "${TLS_NAMES[@]+"${TLS_NAMES[@]}"}"; do
  [[ $n =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ || $n =~ ^[0-9a-fA-F:]+$ ]] ||
    die "--tls-name $n: expected a host name (letters, digits, - and .) or an IP address"
done
if [ "$TLS" = yes ]; then command -v openssl >/dev/null || die "--tls needs openssl (apt-get install -y openssl)"; fi
for s in "${SCREENS[@]+"${SCREENS[@]}"}"; do
  [[ $s == *=* && ${s%%=*} =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "--screen $s: expected NAME=PATH[,DISPLAY[,X,Y]] with a lower-case name"
  IFS=',' read -r path display x y <<<"${s#*=}"
  [[ $path =~ ^/[A-Za-z0-9/?=\&._-]*$ ]] || die "--screen $s: the page path starts with / and has no spaces, quotes or % (e.g. /display or /pad?counter=3)"
  [[ ${display:-:0} =~ ^:[0-9]+(\.[0-9]+)?$ ]] || die "--screen $s: DISPLAY looks like :0 or :0.1, got \"$display\""
  [[ ${x:-0},${y:-0} =~ ^[0-9]+,[0-9]+$ ]] || die "--screen $s: X,Y are pixel offsets, got \"$x,$y\""
done
if [ -z "$NODE" ]; then NODE=$(command -v node || true); fi
[ -n "$NODE" ] || die "node not found: install Node 20 (≥ 20.19) first, or pass --node /path/to/node"

if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT=$(cd "$ROOT" && pwd)
else
  [ "$(id -u)" = 0 ] || die "run as root (sudo), or with --root DIR to write the files for inspection"
fi

# --- helpers ------------------------------------------------------------------------------------
run() {
  if [ -n "$ROOT" ]; then echo "would run: $*"; else echo "+ $*"; "$@"; fi
}
# writes content ($2) to a path under ROOT only when it differs, so a second run touches nothing
put() {
  local path=$ROOT$1 mode=$3
  mkdir -p "$(dirname "$path")"
  if [ -f "$path" ] && [ "$(cat "$path")" = "$2" ]; then
    echo "unchanged $1"
  else
    printf '%s\n' "$2" >"$path.tmp.$$"
    chmod "$mode" "$path.tmp.$$"
    mv "$path.tmp.$$" "$path"
    echo "wrote     $1"
  fi
  chmod "$mode" "$path"
}
# writes only when the file does not exist yet (config the operator edits, the secret)
put_once() {
  if [ -e "$ROOT$1" ]; then echo "kept      $1 (exists; never overwritten)"; chmod "$3" "$ROOT$1"; else put "$@"; fi
}

# --- 1. packages --------------------------------------------------------------------------------
# CJK font for the screens and tickets, espeak-ng for the voice pack, chromium for the screens,
# libusb for HID pads, xset for screen blanking, curl for the health probe. socat is for tests only.
pick() { # first package apt knows, else the first name
  local p
  if [ -z "$ROOT" ]; then for p in "$@"; do apt-cache show "$p" >/dev/null 2>&1 && { echo "$p"; return; }; done; fi
  echo "$1"
}
run apt-get update
# libnss3-tools: certutil, which puts the hall CA (--tls) into the screens' Chromium certificate store
run apt-get install -y --no-install-recommends \
  "$(pick fonts-noto-cjk fonts-wqy-microhei)" espeak-ng "$(pick chromium chromium-browser)" libusb-1.0-0 x11-xserver-utils curl \
  openssl libnss3-tools

# --- 2. system user -----------------------------------------------------------------------------
if [ -n "$ROOT" ] || ! id hallq >/dev/null 2>&1; then
  run useradd --system --user-group --home-dir /var/lib/hallq --shell /usr/sbin/nologin hallq
fi
run usermod -a -G dialout,plugdev hallq

# --- 3. config skeleton and secret --------------------------------------------------------------
mkdir -p "$ROOT/etc/hallq" "$ROOT/var/lib/hallq"
chmod 0750 "$ROOT/etc/hallq" "$ROOT/var/lib/hallq"
pin6() { printf '%06d' $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' \n') % 1000000)); }
MANAGER_PIN=$(pin6)
GUIDE_PIN=$(pin6)
STAFF_PIN=$(pin6)
skeleton=$(
  cat <<'HDR'
# hallq hall config, written once by deploy/install.sh and never overwritten by it.
# Edit hall:, staff and PINs, services, counters and devices (transports: `hallq devices` lists the
# ports), then check it: hallq check-config /etc/hallq/hall.yaml && systemctl restart hallq
# The secret is in /etc/hallq/hallq.env (HALLQ_SECRET), not here.
HDR
  # the demo's PINs, pairing and upstream secret are public: a real hall gets its own PINs (6 digits for the
  # manager and guide, as the validator demands outside the demo) and no upstream until the hub registers it
  sed -e 's#^  dataDir: data$#  dataDir: /var/lib/hallq#' -e '1,2d' -e '/^# Upward sync/,$d' \
    -e "s#guidePin: \"8888\"#guidePin: \"$GUIDE_PIN\"#" -e "s#managerPin: \"9999\"#managerPin: \"$MANAGER_PIN\"#" \
    -e "s#pin: \"1234\"#pin: \"$STAFF_PIN\"#" "$APP/config/demo-hall.yaml" |
    if [ "$TLS" = yes ]; then
      sed -e 's|^  dataDir: /var/lib/hallq$|&\n  # HTTPS on the hall LAN (install.sh --tls); screens on other PCs also need host: 0.0.0.0\n  tls: { key: /etc/hallq/tls/agent.key, cert: /etc/hallq/tls/agent.pem }|'
    else cat; fi
)
first_config=no
[ -e "$ROOT/etc/hallq/hall.yaml" ] || first_config=yes
put_once /etc/hallq/hall.yaml "$skeleton" 0640
if [ "$first_config" = yes ]; then
  echo "first-start PINs (seeded into the database at the first start; change them on the board's 人员与设备 panel):"
  echo "  manager $MANAGER_PIN, guide $GUIDE_PIN, every staff member $STAFF_PIN"
fi
if [ ! -e "$ROOT/etc/hallq/hallq.env" ]; then
  secret=$(head -c 33 /dev/urandom | base64 | tr -d '\n/+=')
  put_once /etc/hallq/hallq.env "# written once by install.sh: the hall secret (身份证 HMAC key); keep a copy with the backups
HALLQ_SECRET=$secret" 0600
else
  put_once /etc/hallq/hallq.env "" 0600
fi
run chown root:hallq /etc/hallq /etc/hallq/hall.yaml
run chown root:root /etc/hallq/hallq.env
run chown hallq:hallq /var/lib/hallq

# --- 3b. HTTPS on the hall LAN (--tls) ------------------------------------------------------------
# A hall CA made once on this PC (its key never leaves /etc/hallq/tls, readable by root only; a re-run
# keeps it, so screens that trust it keep trusting it), and the agent's certificate signed by it for
# every name and address the screens may use. The certificate is made again only when that list changes
# or it has less than 30 days left. The CA goes into the screen user's NSS store, which Chromium reads.
TLS_DIR=/etc/hallq/tls
CA_NICK="hallq hall CA"
tls_sans() {
  local h n
  h=$(hostname 2>/dev/null || true)
  {
    echo DNS:localhost; echo IP:127.0.0.1; echo IP:::1
    if [ -n "$h" ]; then echo "DNS:$h"; [[ $h == *.* ]] || echo "DNS:$h.local"; fi
    for n in $(hostname -I 2>/dev/null || true); do [[ $n == fe80:* ]] || echo "IP:$n"; done
    for n in "${TLS_NAMES[@]+"${TLS_NAMES[@]}"}"; do
      if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then echo "IP:$n"; else echo "DNS:$n"; fi
    done
  } | awk '!seen[tolower($0)]++' | paste -sd, -
}
if [ "$TLS" = yes ]; then
  d=$ROOT$TLS_DIR
  mkdir -p "$d"
  chmod 0750 "$d"
  if [ -s "$d/hall-ca.key" ] && [ -s "$d/hall-ca.pem" ]; then
    echo "kept      $TLS_DIR/hall-ca.pem (the hall CA; never replaced)"
  else
    # keys are created unreadable by others from their first byte
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/O=hallq/CN=hallq hall CA $(hostname 2>/dev/null || echo hall)" \
      -addext basicConstraints=critical,CA:TRUE,pathlen:0 -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$d/hall-ca.key" -out "$d/hall-ca.pem" 2>/dev/null) || die "openssl could not make the hall CA in $TLS_DIR"
    chmod 0600 "$d/hall-ca.key"
    chmod 0644 "$d/hall-ca.pem"
    echo "wrote     $TLS_DIR/hall-ca.pem (the hall CA, 10 years)"
  fi
  sans=$(tls_sans)
  renew=no
  if [ ! -s "$d/agent.key" ] || [ ! -s "$d/agent.pem" ] || [ "$(cat "$d/agent.sans" 2>/dev/null)" != "$sans" ]; then renew=yes
  elif ! openssl x509 -in "$d/agent.pem" -noout -checkend 2592000 >/dev/null 2>&1; then renew=yes
  elif ! openssl verify -CAfile "$d/hall-ca.pem" "$d/agent.pem" >/dev/null 2>&1; then renew=yes
  fi
  if [ "$renew" = yes ]; then
    (umask 077 && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/O=hallq/CN=$(hostname 2>/dev/null || echo hall-pc)" -keyout "$d/agent.key.new" -out "$d/agent.csr" 2>/dev/null) ||
      die "openssl could not make the agent's key"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$sans" >"$d/agent.ext"
    # 825 days: the longest lifetime Apple and older Chromium accept for a server certificate
    openssl x509 -req -in "$d/agent.csr" -CA "$d/hall-ca.pem" -CAkey "$d/hall-ca.key" -set_serial "0x$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
      -days 825 -sha256 -extfile "$d/agent.ext" -out "$d/agent.pem.new" 2>/dev/null || die "openssl could not sign the agent's certificate"
    rm -f "$d/agent.csr" "$d/agent.ext"
    chmod 0600 "$d/agent.key.new"
    chmod 0644 "$d/agent.pem.new"
    mv "$d/agent.key.new" "$d/agent.key"
    mv "$d/agent.pem.new" "$d/agent.pem"
    printf '%s\n' "$sans" >"$d/agent.sans"
    chmod 0644 "$d/agent.sans"
    echo "wrote     $TLS_DIR/agent.pem (825 days) for $sans"
  else
    echo "unchanged $TLS_DIR/agent.pem"
  fi
  # the agent runs as hallq: its key is hallq's alone; the CA key stays root's
  run chown root:hallq "$TLS_DIR"
  run chown hallq:hallq "$TLS_DIR/agent.key"
  # the screens' Chromium trusts the hall CA through the screen user's NSS store ($HOME/.pki/nssdb)
  home=$(getent passwd "$SCREEN_USER" 2>/dev/null | cut -d: -f6 || true)
  [ -n "$home" ] || home=$([ "$SCREEN_USER" = hallq ] && echo /var/lib/hallq || echo "/home/$SCREEN_USER")
  nss=$home/.pki/nssdb
  if [ -n "$ROOT" ]; then
    # a dry run makes the store under ROOT when certutil is here (the tests open it with Chromium)
    if command -v certutil >/dev/null; then
      mkdir -p "$ROOT$nss"
      [ -f "$ROOT$nss/cert9.db" ] || certutil -d "sql:$ROOT$nss" -N --empty-password
      if certutil -d "sql:$ROOT$nss" -L -n "$CA_NICK" -r 2>/dev/null | cmp -s - <(openssl x509 -in "$d/hall-ca.pem" -outform der); then
        echo "unchanged $nss ($CA_NICK)"
      else
        certutil -d "sql:$ROOT$nss" -D -n "$CA_NICK" >/dev/null 2>&1 || true
        certutil -d "sql:$ROOT$nss" -A -t C,, -n "$CA_NICK" -i "$d/hall-ca.pem"
        echo "wrote     $nss ($CA_NICK)"
      fi
    fi
    echo "would run: runuser -u $SCREEN_USER -- certutil -d sql:$nss -A -t C,, -n \"$CA_NICK\" -i $TLS_DIR/hall-ca.pem"
  else
    run install -d -m 0700 -o "$SCREEN_USER" "$home/.pki" "$nss"
    [ -f "$nss/cert9.db" ] || run runuser -u "$SCREEN_USER" -- certutil -d "sql:$nss" -N --empty-password
    runuser -u "$SCREEN_USER" -- certutil -d "sql:$nss" -D -n "$CA_NICK" >/dev/null 2>&1 || true
    run runuser -u "$SCREEN_USER" -- certutil -d "sql:$nss" -A -t C,, -n "$CA_NICK" -i "$TLS_DIR/hall-ca.pem"
  fi
fi

[ -n "$CONFIG" ] || CONFIG=$ROOT/etc/hallq/hall.yaml
[ -f "$CONFIG" ] || die "--config $CONFIG: no such file"
PORT=8080
SCHEME=http
while IFS='=' read -r k v; do
  case $k in
    port) PORT=$v ;;
    tls) SCHEME=https ;;
    hid) HIDS+=("$v") ;;
  esac
done < <("$NODE" "$APP/deploy/lib/hall-ids.mjs" "$CONFIG")
[ -n "$URL" ] || URL=$SCHEME://127.0.0.1:$PORT
if [ "$TLS" = yes ] && [ "$SCHEME" = http ]; then
  echo "note: the certificates are in $TLS_DIR; to serve HTTPS add under server: in $CONFIG"
  echo "        tls: { key: $TLS_DIR/agent.key, cert: $TLS_DIR/agent.pem }"
  echo "      then run install.sh again (the screens and the health probe switch to https)"
fi
# the health probe and the screens' wait for the agent trust the hall CA only
CURL_CA=
SCREEN_CA_LINE=
if [ "$SCHEME" = https ]; then
  CURL_CA="--cacert $TLS_DIR/hall-ca.pem "
  SCREEN_CA_LINE=$'\n'"Environment=HALLQ_CA=$TLS_DIR/hall-ca.pem"
fi

# --- 4. udev rules ------------------------------------------------------------------------------
rules="# hallq devices, written by deploy/install.sh: serial adapters to dialout, HID pads to plugdev.
# Re-run install.sh with --serial/--hid (or add the pads to the config) to change this file."
for s in $(printf '%s\n' ${SERIALS[@]+"${SERIALS[@]}"} | sort -u); do
  id=${s%%=*}
  name=
  [[ $s == *=* ]] && name=${s#*=}
  vidpid "$id" --serial
  [ -z "$name" ] || [[ $name =~ ^[a-zA-Z0-9_-]+$ ]] || die "--serial $s: the link name may use letters, digits, - and _"
  line="SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"${id%%:*}\", ATTRS{idProduct}==\"${id#*:}\", GROUP=\"dialout\", MODE=\"0660\""
  [ -z "$name" ] || line="$line, SYMLINK+=\"hallq-$name\""
  rules="$rules
$line"
done
for h in $(printf '%s\n' ${HIDS[@]+"${HIDS[@]}"} | tr 'A-F' 'a-f' | sort -u); do
  vidpid "$h" --hid
  rules="$rules
SUBSYSTEM==\"hidraw\", ATTRS{idVendor}==\"${h%%:*}\", ATTRS{idProduct}==\"${h#*:}\", GROUP=\"plugdev\", MODE=\"0660\"
SUBSYSTEM==\"usb\", ATTRS{idVendor}==\"${h%%:*}\", ATTRS{idProduct}==\"${h#*:}\", GROUP=\"plugdev\", MODE=\"0660\""
done
put /etc/udev/rules.d/70-hallq.rules "$rules" 0644
run udevadm control --reload-rules
run udevadm trigger --subsystem-match=tty --subsystem-match=hidraw --subsystem-match=usb

# --- 5. the command on PATH, the service, its health probe and the daily backup
mkdir -p "$ROOT/usr/local/bin"
if [ "$(readlink "$ROOT/usr/local/bin/hallq" 2>/dev/null)" = "$APP/bin/hallq.mjs" ]; then
  echo "unchanged /usr/local/bin/hallq"
else
  ln -sfn "$APP/bin/hallq.mjs" "$ROOT/usr/local/bin/hallq"
  echo "linked    /usr/local/bin/hallq → $APP/bin/hallq.mjs"
fi
HALLQ="$NODE $APP/bin/hallq.mjs"
# the agent's process as the runtime bench measures it (scripts/runtime-options.mjs says why)
NODE_FLAGS=$("$NODE" "$APP/scripts/runtime-options.mjs" --node-flags)
RUNTIME_ENV=$("$NODE" "$APP/scripts/runtime-options.mjs" --systemd-env)
put /etc/systemd/system/hallq.service "[Unit]
Description=hallq service hall agent (queue, counters, devices, screens)
Documentation=file://$APP/docs/install.md
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=300
StartLimitBurst=10

[Service]
Type=simple
User=hallq
Group=hallq
SupplementaryGroups=dialout plugdev
WorkingDirectory=/var/lib/hallq
Environment=NODE_ENV=production HALLQ_CONFIG=/etc/hallq/hall.yaml
$RUNTIME_ENV
EnvironmentFile=/etc/hallq/hallq.env
ExecStart=$NODE $NODE_FLAGS $APP/bin/hallq.mjs start --config /etc/hallq/hall.yaml
Restart=on-failure
RestartSec=3
TimeoutStopSec=20
# logs: one JSON line per record on stdout → the journal (journalctl -u hallq -o cat)
StandardOutput=journal
StandardError=journal
SyslogIdentifier=hallq
NoNewPrivileges=yes
ProtectSystem=full
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=/var/lib/hallq

[Install]
WantedBy=multi-user.target" 0644

# watchdog: a hung agent (event loop stuck, port closed) does not exit by itself, so a timer asks
# /healthz every minute and restarts the service after it fails to answer
put /etc/systemd/system/hallq-health.service "[Unit]
Description=hallq health probe (restarts the agent when /healthz does not answer)
After=hallq.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'systemctl is-active --quiet hallq.service || exit 0; for i in 1 2 3; do curl -fsS --max-time 5 $CURL_CA$SCHEME://127.0.0.1:$PORT/healthz >/dev/null && exit 0; sleep 5; done; echo \"hallq: /healthz did not answer 3 times: restarting\"; systemctl restart hallq.service'" 0644
put /etc/systemd/system/hallq-health.timer "[Unit]
Description=hallq health probe every minute

[Timer]
OnBootSec=2min
OnUnitActiveSec=1min
AccuracySec=10s

[Install]
WantedBy=timers.target" 0644

put /etc/systemd/system/hallq-backup.service "[Unit]
Description=hallq daily database backup (online, checked with integrity_check)
After=hallq.service

[Service]
Type=oneshot
User=hallq
Group=hallq
WorkingDirectory=/var/lib/hallq
Environment=HALLQ_CONFIG=/etc/hallq/hall.yaml
EnvironmentFile=/etc/hallq/hallq.env
ExecStart=$HALLQ backup --config /etc/hallq/hall.yaml --out /var/lib/hallq/backups --keep-days $KEEP_DAYS
Nice=10
IOSchedulingClass=idle" 0644
put /etc/systemd/system/hallq-backup.timer "[Unit]
Description=hallq daily database backup

[Timer]
OnCalendar=*-*-* 02:30:00
RandomizedDelaySec=15min
Persistent=true

[Install]
WantedBy=timers.target" 0644

# --- 6. screens ---------------------------------------------------------------------------------
screen_units=()
for s in "${SCREENS[@]+"${SCREENS[@]}"}"; do
  name=${s%%=*}
  rest=${s#*=}
  [[ $s == *=* && $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "--screen $s: expected NAME=PATH[,DISPLAY[,X,Y]] with a lower-case name"
  IFS=',' read -r path display x y <<<"$rest"
  [[ $path =~ ^/[A-Za-z0-9/?=\&._-]*$ ]] || die "--screen $s: the page path starts with / and has no spaces, quotes or % (e.g. /display or /pad?counter=3)"
  display=${display:-:0}
  [[ $display =~ ^:[0-9]+(\.[0-9]+)?$ ]] || die "--screen $s: DISPLAY looks like :0 or :0.1, got \"$display\""
  pos=${x:-0},${y:-0}
  [[ $pos =~ ^[0-9]+,[0-9]+$ ]] || die "--screen $s: X,Y are pixel offsets, got \"$pos\""
  unit=hallq-screen-$name.service
  screen_units+=("$unit")
  put "/etc/systemd/system/$unit" "[Unit]
Description=hallq screen $name: Chromium kiosk on $URL$path
After=graphical.target hallq.service
PartOf=graphical.target

[Service]
Type=simple
User=$SCREEN_USER
Environment=DISPLAY=$display
Environment=HALLQ_SCREEN_PROFILES=/var/lib/hallq-screens$SCREEN_CA_LINE
ExecStart=$APP/deploy/kiosk/hallq-screen.sh $name '$URL$path' $pos
Restart=always
RestartSec=3

[Install]
WantedBy=graphical.target" 0644
done
if [ ${#screen_units[@]} -gt 0 ]; then
  mkdir -p "$ROOT/var/lib/hallq-screens"
  run chown "$SCREEN_USER" /var/lib/hallq-screens
  # sound for the hall display's voice, and the desktop's X server must let the unit's user draw
  run usermod -a -G audio,video "$SCREEN_USER"
  put /etc/X11/Xsession.d/90hallq-screens "# hallq screens (install.sh): the screen units run as $SCREEN_USER and draw on this session
xhost +SI:localuser:$SCREEN_USER >/dev/null 2>&1 || true" 0644
fi

# --- 7. logs ------------------------------------------------------------------------------------
put /etc/systemd/journald.conf.d/hallq.conf "# hallq logs to the journal; keep about half a year within 1 GB (install.sh)
[Journal]
Storage=persistent
SystemMaxUse=1G
MaxRetentionSec=180day" 0644
run systemctl restart systemd-journald

# --- 8. enable ----------------------------------------------------------------------------------
if [ ! -f "$APP/dist/app/.build-stamp" ]; then
  echo "note: $APP is not built yet; run: (cd $APP && npm ci && npm run build) — hallq start builds it otherwise"
fi
run "$NODE" "$APP/bin/hallq.mjs" check-config /etc/hallq/hall.yaml
run systemctl daemon-reload
run systemctl enable --now hallq.service hallq-health.timer hallq-backup.timer ${screen_units[@]+"${screen_units[@]}"}
echo "hallq installed: config /etc/hallq/hall.yaml, data /var/lib/hallq, screens ${#screen_units[@]}, agent $URL"
