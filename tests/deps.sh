# Debian packages the scripts need, and a helper that installs the missing
# ones. Sourced by demos/run.sh and tests/run.sh.
BUILD_PACKAGES=(gcc meson ninja-build pkg-config libcairo2-dev libglib2.0-dev zlib1g-dev libssl-dev libturbojpeg0-dev)
# openssl makes the certificates of the encryption tests; glib-networking
# gives GIO the TLS client that speaks wss:// to the server.
TEST_PACKAGES=(check libvncserver-dev gvncviewer openssl glib-networking)
# GObject Introspection, and Python through it (PyGObject with pycairo).
PYTHON_PACKAGES=(gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0 gir1.2-freedesktop
                 python3-gi python3-gi-cairo python3-cairo)
# The libFuzzer harnesses (tests/fuzz) need clang; its libFuzzer comes with it.
FUZZ_PACKAGES=(clang)

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

# The browser test: noVNC in Debian's Chromium, driven by playwright-core
# from npm, pinned (it drives the installed Chromium and never downloads
# a browser). node and npm come from Debian only where they are missing.
BROWSER_PACKAGES=(chromium novnc)
PLAYWRIGHT_CORE_VERSION=1.55.0

browser_packages() {
  local packages=("${BROWSER_PACKAGES[@]}")
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
  echo "${packages[@]}"
}

# Installs playwright-core into the folder $1 (in the build folder, beside
# the browser test's driver) unless that version is there.
install_playwright() {
  local dir=$1
  local installed="$dir/node_modules/playwright-core/package.json"
  if [ -f "$installed" ] && grep -q "\"version\": \"$PLAYWRIGHT_CORE_VERSION\"" "$installed"; then
    return 0
  fi
  echo "Installing playwright-core $PLAYWRIGHT_CORE_VERSION into $dir"
  mkdir -p "$dir"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$dir" --no-save --no-audit --no-fund \
    --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null
}
