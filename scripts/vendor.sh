#!/usr/bin/env bash
# vendor/reactive_graph, which the root Cargo.toml's [patch.crates-io] points at, is not in git:
# it is crates.io's reactive_graph 0.2.16, checked against the checksum below, plus
# vendor/reactive_graph.patch (what it changes and why: vendor/README.md).
#
#   scripts/vendor.sh               unpack and patch it (does nothing when it is already current)
#   scripts/vendor.sh --check       fail unless it is exactly the crate plus the patch
#   scripts/vendor.sh --make-patch  rewrite the patch from edits made in vendor/reactive_graph
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=reactive_graph
VERSION=0.2.16
# sha256 of reactive_graph-0.2.16.crate: the crates.io index's "cksum" for 0.2.16, and the
# checksum Cargo.lock held for it before it was patched.
SHA256=3bcec36a2d1b9a53a4129b3270b19e3df6f6b88c2e7c97ed9404dc9307f137d7
URL=https://static.crates.io/crates/$NAME/$NAME-$VERSION.crate
# Left out of the tree: the crate's tests (the patch drops their [[test]] entries), its
# Cargo.lock and its cargo-make file; none of them is used as a dependency.
EXCLUDE=(tests Cargo.lock Makefile.toml)

DEST=vendor/$NAME
PATCH=vendor/$NAME.patch
STAMP_NAME=.vendor-stamp
STAMP=$DEST/$STAMP_NAME
CACHE=target/vendor

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'vendor.sh: %s\n' "$*" >&2; exit 1; }

[ -f "$PATCH" ] || die "$PATCH is missing"
sha256() { sha256sum "$1" | cut -d' ' -f1; }
# What the stamp records: the crate, the patch and the exclusions the tree was made from.
want="$NAME-$VERSION $SHA256 patch $(sha256 "$PATCH") exclude ${EXCLUDE[*]}"

# One run at a time (setup and `make check` may overlap).
if command -v flock >/dev/null 2>&1; then exec 9<"$0"; flock 9; fi

work=""
cleanup() { if [ -n "$work" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

# Print the path of the verified .crate: from our cache, cargo's cache, or crates.io.
crate_file() {
  local f
  for f in "$CACHE/$NAME-$VERSION.crate" "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$NAME-$VERSION.crate"; do
    if [ -f "$f" ] && [ "$(sha256 "$f")" = "$SHA256" ]; then
      printf '%s\n' "$f"
      return
    fi
  done
  mkdir -p "$CACHE"
  f="$CACHE/$NAME-$VERSION.crate"
  say "downloading $URL" >&2
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$f.part" "$URL"
  else
    wget -q -O "$f.part" "$URL"
  fi
  local got
  got=$(sha256 "$f.part")
  if [ "$got" != "$SHA256" ]; then
    rm -f "$f.part"
    die "$URL has sha256 $got, expected $SHA256"
  fi
  mv "$f.part" "$f"
  printf '%s\n' "$f"
}

# unpack DIR: the crate's files, minus EXCLUDE, into DIR. --touch gives them the current time,
# so cargo rebuilds whatever was built from a tree this one replaces.
unpack() {
  local crate x excludes=()
  crate=$(crate_file)
  for x in "${EXCLUDE[@]}"; do excludes+=("--exclude=$NAME-$VERSION/$x"); done
  mkdir -p "$1"
  tar -xzf "$crate" -C "$1" --touch --anchored "${excludes[@]}" --strip-components=1
}

# build DIR: unpack, then apply the patch (git apply: all or nothing, no fuzz). The ceiling makes
# git treat DIR as a plain directory rather than as a part of this repository.
build() {
  unpack "$1"
  (cd "$1" && GIT_CEILING_DIRECTORIES="$(dirname "$PWD")" git apply --whitespace=nowarn -p1 -) <"$PATCH" \
    || die "$PATCH does not apply to crates.io's $NAME $VERSION"
}

case "${1:-}" in
  --check)
    [ -f "$DEST/Cargo.toml" ] || die "$DEST is missing: run scripts/vendor.sh"
    work=$(mktemp -d)
    build "$work/$NAME"
    if diff -ru -x "$STAMP_NAME" "$work/$NAME" "$DEST" >"$work/diff"; then
      echo "$DEST is crates.io's $NAME $VERSION (sha256 $SHA256) plus $PATCH"
    else
      sed -e "s|$work/$NAME|expected|g" "$work/diff" | head -60 >&2
      die "$DEST is not crates.io's $NAME $VERSION plus $PATCH (keep edits with --make-patch, or drop them with: rm -rf $DEST && scripts/vendor.sh)"
    fi
    ;;

  --make-patch)
    [ -f "$DEST/Cargo.toml" ] || die "$DEST is missing: run scripts/vendor.sh"
    work=$(mktemp -d)
    unpack "$work/a"
    cp -R "$DEST" "$work/b"
    rm -f "$work/b/$STAMP_NAME"
    {
      echo "Shelfwise's patch to crates.io's $NAME $VERSION: why in vendor/README.md."
      echo "Applied by scripts/vendor.sh; made by scripts/vendor.sh --make-patch."
      echo
      # diff exits 1 when the trees differ; only 2 is trouble. Dates are left out of the headers.
      (cd "$work" && { LC_ALL=C diff -ruN a b || [ $? -eq 1 ]; }) | sed -E 's/^((---|\+\+\+) [^\t]*)\t.*/\1/'
    } >"$work/patch"
    if cmp -s "$work/patch" "$PATCH"; then
      echo "$PATCH already holds the edits in $DEST"
    else
      mv "$work/patch" "$PATCH"
      echo "wrote $PATCH ($(grep -c '^+++ ' "$PATCH") files changed)"
    fi
    want="$NAME-$VERSION $SHA256 patch $(sha256 "$PATCH") exclude ${EXCLUDE[*]}"
    printf '%s\n' "$want" >"$STAMP"
    ;;

  "")
    if [ -f "$DEST/Cargo.toml" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
      exit 0
    fi
    mkdir -p vendor
    work=$(mktemp -d "vendor/.$NAME.new.XXXXXX")
    build "$work/tree"
    printf '%s\n' "$want" >"$work/tree/$STAMP_NAME"
    if [ -d "$DEST" ] && diff -r -q -x "$STAMP_NAME" "$work/tree" "$DEST" >/dev/null 2>&1; then
      # Already the right files (made before the stamp existed, or by an older patch that
      # yields the same tree): keep them and their times, so nothing rebuilds. (Cargo does not
      # look at dotfiles such as the stamp.)
      cp "$work/tree/$STAMP_NAME" "$STAMP"
      exit 0
    fi
    if [ -d "$DEST" ]; then
      mkdir -p "$CACHE"
      old="$CACHE/$NAME.replaced.$(date +%Y%m%d-%H%M%S)"
      say "replacing $DEST (the previous files are kept in $old)"
      mv "$DEST" "$old"
    else
      say "unpacking crates.io's $NAME $VERSION into $DEST and applying $PATCH"
    fi
    mv "$work/tree" "$DEST"
    ;;

  *)
    die "usage: scripts/vendor.sh [--check | --make-patch]"
    ;;
esac
