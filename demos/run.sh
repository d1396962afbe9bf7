#!/usr/bin/env bash
# Installs what is missing, builds, and serves the animation demo on port
# 5902 (display :2) until Ctrl-C. Arguments go to the demo, e.g.
#   demos/run.sh --port 5903
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build="$top/build"
source "$top/tests/deps.sh"

install_missing "${BUILD_PACKAGES[@]}"

cd "$top"
if [ ! -f "$build/build.ninja" ]; then
  # The tests need Check and libvncclient, which the demos do not: build
  # them only when those are there.
  tests=false
  pkg-config --exists check libvncclient && tests=true
  meson setup "$build" -Dtests="$tests"
fi
ninja -C "$build"

echo "Connect with: xtigervncviewer localhost:2  or  gvncviewer localhost:2  (port 5900+N is display N)"
exec "$build/demos/cairovnc-demo-animation" "$@"
