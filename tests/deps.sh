# Debian packages the scripts need, and a helper that installs the missing
# ones. Sourced by demos/run.sh and tests/run.sh.
BUILD_PACKAGES=(gcc meson ninja-build pkg-config libcairo2-dev libglib2.0-dev zlib1g-dev libssl-dev libturbojpeg0-dev)
# openssl makes the certificates of the encryption tests; glib-networking
# gives GIO the TLS client that speaks wss:// to the server.
TEST_PACKAGES=(check libvncserver-dev gvncviewer openssl glib-networking)
# GObject Introspection, and Python through it (PyGObject with pycairo).
PYTHON_PACKAGES=(gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0 gir1.2-freedesktop
                 python3-gi python3-gi-cairo python3-cairo)

install_missing() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >/dev/null || return 1
  # Wait for another apt that holds the lock rather than fail.
  $sudo apt-get install -o DPkg::Lock::Timeout=300 -y -q --no-install-recommends "${missing[@]}" >/dev/null || return 1
}
