#!/usr/bin/env bash
# Shelfwise on a fresh Ubuntu/Debian machine, as EC2 user-data (cloud-init runs it once as root
# at first boot) or by hand: `sudo SHELFWISE_REPO=... bash ec2-user-data.sh`. Re-running it is
# safe: it skips what is already there, keeps /etc/shelfwise/env, and restarts the service.
#
# What it does, in order: swap (the Rust build needs ~3 GB), build dependencies and the pinned
# toolchain (docs/TOOLCHAIN.md, as scripts/setup.sh) and a release build -- or, with
# SHELFWISE_RELEASE_URL, a prebuilt tarball instead --, the `shelfwise` user, binary and site in
# /opt/shelfwise, the Book-Crossing data imported into /var/lib/shelfwise, Caddy from its apt
# repository with deploy/Caddyfile, /etc/shelfwise/env, and the systemd unit enabled and started.
#
# Settings (environment, or edit the defaults below before pasting into the EC2 console):
#   SHELFWISE_DOMAIN       DNS name pointing at this machine; Caddy gets its certificate.
#                          Empty: plain HTTP on port 80 (a first look by IP address).
#   SHELFWISE_ACME_EMAIL   address for certificate expiry notices (optional).
#   SHELFWISE_REPO         git URL of the Shelfwise sources (needed unless a tarball is given).
#   SHELFWISE_REF          branch, tag or commit to build (default: main).
#   SHELFWISE_RELEASE_URL  URL of a release tarball (`target/release/shelfwise`, `target/site`,
#                          `deploy/`, `scripts/`, as deploy/README.md builds it): no compiling.
#   SHELFWISE_SRC          an existing source folder to use as is (no clone, no download).
#   SHELFWISE_REIMPORT=1   import the data again even if it was imported before.
# For testing the file-laying steps anywhere (scripts/check-deploy.sh does):
#   ROOT                   prefix of every path written (default: empty, the real system).
#   SHELFWISE_DRY_RUN=1    print system-changing commands (apt, systemctl, useradd, builds,
#                          downloads) instead of running them; files are still written under ROOT.
set -euo pipefail

SHELFWISE_DOMAIN=${SHELFWISE_DOMAIN:-}
SHELFWISE_ACME_EMAIL=${SHELFWISE_ACME_EMAIL:-}
SHELFWISE_REPO=${SHELFWISE_REPO:-}
SHELFWISE_REF=${SHELFWISE_REF:-main}
SHELFWISE_RELEASE_URL=${SHELFWISE_RELEASE_URL:-}
SHELFWISE_REIMPORT=${SHELFWISE_REIMPORT:-0}
SHELFWISE_DRY_RUN=${SHELFWISE_DRY_RUN:-0}
ROOT=${ROOT:-}

# Pinned toolchain: the versions of docs/TOOLCHAIN.md and scripts/setup.sh.
RUST_VERSION=1.95.0
CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.129

PREFIX=/opt/shelfwise
DATA_DIR=/var/lib/shelfwise
SRC=${SHELFWISE_SRC:-$PREFIX/src}
export HOME=${HOME:-/root}
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
warn() { printf 'warning: %s\n' "$*" >&2; }

# The instance's public IPv4 from the metadata service (IMDSv2); empty off EC2 or in a dry run.
imds_public_ip() {
  [ "$SHELFWISE_DRY_RUN" = 1 ] && return 1
  local token
  token=$(curl -fsS -m 2 -X PUT http://169.254.169.254/latest/api/token \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || return 1
  curl -fsS -m 2 -H "X-aws-ec2-metadata-token: $token" \
    http://169.254.169.254/latest/meta-data/public-ipv4
}

# Every command that changes the system (packages, services, users, ownership, network
# downloads, builds) goes through `run`, so a dry run prints it instead.
run() {
  if [ "$SHELFWISE_DRY_RUN" = 1 ]; then
    printf 'dry-run:'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# `run` for a pipeline or redirection, given as one string to bash.
run_sh() {
  if [ "$SHELFWISE_DRY_RUN" = 1 ]; then
    printf 'dry-run: bash -c %q\n' "$1"
  else
    bash -c "$1"
  fi
}

# Install a file atomically (a temporary name, then a rename), so replacing the binary of a
# running service never fails with "text file busy". Usage: put MODE SOURCE DEST.
put() {
  local mode=$1 src=$2 dest=$3
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$src" "$dest.new"
  mv -f "$dest.new" "$dest"
}

# --- 1. swap: cargo-leptos's build peaks near 3 GB; small instances need the headroom -------
if [ "$SHELFWISE_DRY_RUN" != 1 ] && [ -z "$SHELFWISE_RELEASE_URL" ] && [ ! -e "$ROOT/swapfile" ] \
  && [ "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" -lt 8000000 ]; then
  say "adding a 4 GiB swap file"
  run fallocate -l 4G "$ROOT/swapfile"
  chmod 600 "$ROOT/swapfile"
  run mkswap "$ROOT/swapfile"
  run swapon "$ROOT/swapfile"
  echo '/swapfile none swap sw 0 0' >> "$ROOT/etc/fstab"
fi

# --- 2. packages -----------------------------------------------------------------------------
say "installing system packages"
run apt-get update -q
run apt-get install -y -q ca-certificates curl gnupg git python3 python3-pip \
  debian-keyring debian-archive-keyring apt-transport-https
if [ -z "$SHELFWISE_RELEASE_URL" ] && [ -z "${SHELFWISE_SRC:-}" ]; then
  run apt-get install -y -q build-essential pkg-config nodejs npm
fi

# --- 3. the program: from a release tarball, or built from source ----------------------------
if [ -n "$SHELFWISE_RELEASE_URL" ]; then
  say "downloading the release $SHELFWISE_RELEASE_URL"
  mkdir -p "$ROOT$SRC"
  run_sh "curl -fsSL $(printf %q "$SHELFWISE_RELEASE_URL") | tar -xz -C $(printf %q "$ROOT$SRC")"
elif [ -z "${SHELFWISE_SRC:-}" ]; then
  [ -n "$SHELFWISE_REPO" ] || die "set SHELFWISE_REPO (git URL) or SHELFWISE_RELEASE_URL"
  if [ -d "$ROOT$SRC/.git" ]; then
    say "updating the sources in $SRC to $SHELFWISE_REF"
    run git -C "$ROOT$SRC" fetch --quiet origin
  else
    say "cloning $SHELFWISE_REPO into $SRC"
    mkdir -p "$(dirname "$ROOT$SRC")"
    run git clone --quiet "$SHELFWISE_REPO" "$ROOT$SRC"
  fi
  run git -C "$ROOT$SRC" checkout --quiet --detach "$SHELFWISE_REF"

  say "installing the Rust toolchain (about 15 minutes the first time)"
  if ! command -v rustup >/dev/null 2>&1; then
    run_sh "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain $RUST_VERSION"
  fi
  run rustup target add wasm32-unknown-unknown
  if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
    run cargo install --locked "cargo-leptos@$CARGO_LEPTOS_VERSION" --features no_downloads
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    run cargo install --locked "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  fi
  # wasm-opt 132 from npm (binaryen, pinned by tools/package-lock.json); never Debian's.
  run_sh "cd $(printf %q "$ROOT$SRC/tools") && npm ci --no-audit --no-fund"
  # The patched reactive_graph: crates.io's crate plus vendor/reactive_graph.patch.
  run_sh "cd $(printf %q "$ROOT$SRC") && ./scripts/vendor.sh"

  say "building the release (about 10 minutes)"
  run_sh "cd $(printf %q "$ROOT$SRC") && PATH=\"\$PWD/tools/node_modules/.bin:\$PATH\" cargo leptos build --release --precompress"
fi

# --- 4. user, binary and site ----------------------------------------------------------------
if ! id -u shelfwise >/dev/null 2>&1; then
  say "creating the shelfwise user"
  run useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin shelfwise
fi

BIN_SRC="$ROOT$SRC/target/release/shelfwise"
SITE_SRC="$ROOT$SRC/target/site"
if [ -f "$BIN_SRC" ]; then
  say "installing the binary and the site into $PREFIX"
  put 0755 "$BIN_SRC" "$ROOT$PREFIX/bin/shelfwise"
  rm -rf "$ROOT$PREFIX/site.new"
  mkdir -p "$ROOT$PREFIX"
  cp -R "$SITE_SRC" "$ROOT$PREFIX/site.new"
  chmod -R u=rwX,go=rX "$ROOT$PREFIX/site.new"
  rm -rf "$ROOT$PREFIX/site.old"
  if [ -d "$ROOT$PREFIX/site" ]; then mv "$ROOT$PREFIX/site" "$ROOT$PREFIX/site.old"; fi
  mv "$ROOT$PREFIX/site.new" "$ROOT$PREFIX/site"
  rm -rf "$ROOT$PREFIX/site.old"
  mkdir -p "$ROOT/usr/local/bin"
  ln -sfn "$PREFIX/bin/shelfwise" "$ROOT/usr/local/bin/shelfwise"
elif [ "$SHELFWISE_DRY_RUN" = 1 ]; then
  say "dry run: no build output at $BIN_SRC, binary and site not installed"
else
  die "no binary at $BIN_SRC: the build or the release tarball did not produce one"
fi

# --- 5. settings and the unit ----------------------------------------------------------------
mkdir -p "$ROOT$DATA_DIR" "$ROOT/etc/shelfwise"
chmod 0750 "$ROOT$DATA_DIR"
run chown shelfwise:shelfwise "$ROOT$DATA_DIR"
if [ ! -f "$ROOT/etc/shelfwise/env" ]; then
  say "writing /etc/shelfwise/env"
  cat > "$ROOT/etc/shelfwise/env.new" <<'ENV'
# Shelfwise settings, read by shelfwise.service (every variable: deploy/README.md).
# --addr and --site-root are fixed in the unit; change them there.
SHELFWISE_DATA_DIR=/var/lib/shelfwise
SHELFWISE_LOG=info
SHELFWISE_LOG_FORMAT=json
SHELFWISE_CACHE_MB=256
# Caddy in front appends the reader's address to X-Forwarded-For: throttle logins by it.
SHELFWISE_TRUST_PROXY=true
SHELFWISE_RETRAIN_HOURS=24
SHELFWISE_RETRAIN_CHECK_MINUTES=60
SHELFWISE_RETRAIN_AFTER=1000
ENV
  if [ -n "${SHELFWISE_DOMAIN:-}" ]; then
    # Writes from any other origin are refused, and session cookies are Secure.
    echo "SHELFWISE_PUBLIC_URL=https://$SHELFWISE_DOMAIN" >> "$ROOT/etc/shelfwise/env.new"
  elif public_ip=$(imds_public_ip) && [ -n "$public_ip" ]; then
    # No domain: readers use the instance's address over plain HTTP through Caddy on :80.
    # The server accepts writes only from the origin it is told (see server/src/origin.rs).
    echo "SHELFWISE_PUBLIC_URL=http://$public_ip" >> "$ROOT/etc/shelfwise/env.new"
  else
    warn "no SHELFWISE_DOMAIN and no public IPv4 from the instance metadata: set SHELFWISE_PUBLIC_URL in /etc/shelfwise/env, or pages cannot save"
  fi
  chmod 0640 "$ROOT/etc/shelfwise/env.new"
  mv -f "$ROOT/etc/shelfwise/env.new" "$ROOT/etc/shelfwise/env"
  run chown root:shelfwise "$ROOT/etc/shelfwise/env"
fi
say "installing the systemd unit"
put 0644 "$ROOT$SRC/deploy/shelfwise.service" "$ROOT/etc/systemd/system/shelfwise.service"
run systemctl daemon-reload

# --- 6. data: fetch Book-Crossing and import it once ------------------------------------------
stamp="$ROOT$DATA_DIR/store/.imported-book-crossing"
if [ ! -f "$stamp" ] || [ "$SHELFWISE_REIMPORT" = 1 ]; then
  say "fetching and importing Book-Crossing (a few minutes)"
  run "$ROOT$SRC/scripts/fetch-data.sh"
  # The store allows one process at a time: the service must not hold it during the import.
  run systemctl stop shelfwise
  run runuser -u shelfwise -- "$PREFIX/bin/shelfwise" --data-dir "$DATA_DIR" \
    import book-crossing "$SRC/data/raw"
  run_sh "date -u +%FT%TZ > $(printf %q "$stamp")"
fi

# --- 7. Caddy from its apt repository, with our Caddyfile -------------------------------------
if [ ! -f "$ROOT/etc/apt/sources.list.d/caddy-stable.list" ]; then
  say "adding Caddy's apt repository"
  mkdir -p "$ROOT/usr/share/keyrings" "$ROOT/etc/apt/sources.list.d"
  run_sh "curl -1sLf https://dl.cloudsmith.io/public/caddy/stable/gpg.key | gpg --dearmor --yes -o $(printf %q "$ROOT/usr/share/keyrings/caddy-stable-archive-keyring.gpg")"
  run_sh "curl -1sLf https://dl.cloudsmith.io/public/caddy/stable/debian.deb.txt > $(printf %q "$ROOT/etc/apt/sources.list.d/caddy-stable.list")"
  run apt-get update -q
fi
run apt-get install -y -q caddy
say "writing /etc/caddy/Caddyfile"
site=${SHELFWISE_DOMAIN:-:80}
mkdir -p "$ROOT/etc/caddy"
sed -e "s|^shelfwise.example.com {|$site {|" "$ROOT$SRC/deploy/Caddyfile" > "$ROOT/etc/caddy/Caddyfile.new"
if [ -n "$SHELFWISE_ACME_EMAIL" ]; then
  sed -i -e "s|email admin@example.com|email $SHELFWISE_ACME_EMAIL|" "$ROOT/etc/caddy/Caddyfile.new"
else
  sed -i -e "/email admin@example.com/d" "$ROOT/etc/caddy/Caddyfile.new"
fi
chmod 0644 "$ROOT/etc/caddy/Caddyfile.new"
mv -f "$ROOT/etc/caddy/Caddyfile.new" "$ROOT/etc/caddy/Caddyfile"

# --- 8. start ------------------------------------------------------------------------------------
say "starting shelfwise and caddy"
run systemctl enable shelfwise caddy
run systemctl restart shelfwise
run systemctl reload-or-restart caddy
say "done: check with 'curl -fsS http://127.0.0.1:3000/readyz' and 'journalctl -u shelfwise'"
