# Debian packages the scripts need, and a helper that installs the missing
# ones. Sourced by demos/run.sh and tests/run.sh.
BUILD_PACKAGES=(gcc meson ninja-build pkg-config libcairo2-dev libglib2.0-dev zlib1g-dev libssl-dev libturbojpeg0-dev)
TEST_PACKAGES=(check libvncserver-dev gvncviewer)
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
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || return 1
}
