#!/usr/bin/env bash
# Installs what is missing, builds, and runs one Python demo against the
# built library until Ctrl-C (port 5902, display :2). The first argument
# names the demo (animation, input, password, new_surface; default
# animation); the others go to the demo, e.g.
#   demos/python/run.sh input --port 5903
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build="$top/build"
source "$top/tests/deps.sh"

install_missing "${BUILD_PACKAGES[@]}" "${PYTHON_PACKAGES[@]}"

demo=animation
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
  demo=${1%.py}
  shift
fi
if [ ! -f "$here/$demo.py" ]; then
  echo "No demo $demo: there are $(cd "$here" && ls [a-z]*.py | grep -v demo_common | sed 's/\.py$//' | tr '\n' ' ')" >&2
  exit 1
fi

cd "$top"
if [ ! -f "$build/build.ninja" ]; then
  tests=false
  pkg-config --exists check libvncclient && tests=true
  meson setup "$build" -Dtests="$tests"
fi
ninja -C "$build"

echo "Connect with: xtigervncviewer localhost:2  or  gvncviewer localhost:2  (port 5900+N is display N)"
# meson devenv puts the uninstalled typelib, library and override on the
# paths, and names the Python that has PyGObject and pycairo.
exec meson devenv -C "$build" sh -c 'exec "$CAIROVNC_PYTHON" "$@"' python "$here/$demo.py" "$@"
