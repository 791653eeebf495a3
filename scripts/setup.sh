#!/usr/bin/env bash
# Installs everything labkit needs on Debian 12: the compiler toolchain, the
# libraries, the servers the tests and demos start (Redis, nginx), the npm
# package jose that the auth interop test runs, and the npm packages of the
# peer benchmarks. Safe to run again: it installs only what is missing.
#
#   scripts/setup.sh           install the missing Debian packages and jose
#   scripts/setup.sh --peers   also install the npm packages of the peer
#                              benchmarks (`labkit bench --peers` needs them)
#   scripts/setup.sh --check   exit 0 if no Debian package is missing and
#                              jose is installed
#
# Node.js 20 or later with npm must already be installed: the test suite
# needs it, so setup fails when it is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log_dir=$root/build/logs
log=$log_dir/setup.log

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache patch git
  # clang and its runtime libraries build the libFuzzer targets
  clang libclang-rt-14-dev
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  libspdlog-dev libfmt-dev libhiredis-dev libssl-dev libsodium-dev
  libsqlite3-dev librdkafka-dev
  # servers and tools the tests, demos and benchmarks start
  redis-server nginx wrk haproxy kcat gnuplot-nox
)

missing_packages() {
  local p
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q "install ok installed"; then
      echo "$p"
    fi
  done
}

peer_dir=$root/bench/rate_limiter/peers-node
interop_dir=$root/tests/auth/interop-node

# interop_installed succeeds when npm ci has installed the auth interop
# packages since package-lock.json last changed.
interop_installed() {
  local installed=$interop_dir/node_modules/.package-lock.json
  [[ -f $installed && ! $interop_dir/package-lock.json -nt $installed ]]
}

with_peers=false
case ${1:-} in
  --check)
    [[ -z $(missing_packages) ]] && interop_installed && exit 0
    exit 1
    ;;
  --peers) with_peers=true ;;
  "") ;;
  *)
    echo "setup: unknown option '$1': expected --peers or --check" >&2
    exit 2
    ;;
esac

mkdir -p "$log_dir"
: > "$log"

# run_step TITLE COMMAND...: runs a long step with its output in the log,
# printing a dot every few seconds so the wait is never silent.
run_step() {
  local title=$1
  shift
  printf '%s ' "$title"
  ("$@") >> "$log" 2>&1 &
  local pid=$! elapsed=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    elapsed=$((elapsed + 1))
    if ((elapsed % 5 == 0)); then printf '.'; fi
  done
  if wait "$pid"; then
    printf ' done (%ss)\n' "$elapsed"
  else
    printf ' FAILED after %ss\n' "$elapsed"
    echo "The full output is in $log. Its last lines:"
    tail -n 15 "$log" | sed 's/^/  /'
    exit 1
  fi
}

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "setup: installing packages needs root, and sudo is not installed." >&2
    echo "Run as root: scripts/setup.sh" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} > 0)); then
  echo "labkit setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  echo "(full log: $log)"
  run_step "[1/2] Updating the package index" "${sudo_cmd[@]}" apt-get update -q
  run_step "[2/2] Installing ${#missing[@]} packages (a few minutes on a new machine)" \
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The auth interop test (tests/auth/interop.cmake) runs jose under Node.js
# on every test run, so jose is installed on every setup, not on request.
if ! interop_installed; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup: node or npm is not installed; the auth interop test needs both." >&2
    echo "Install Node.js 20 or later with npm, then run scripts/setup.sh again." >&2
    exit 1
  fi
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  if ((node_major < 20)); then
    echo "setup: Node.js $(node --version) is older than 20, which tests/auth/interop-node/package.json requires." >&2
    echo "Install Node.js 20 or later, then run scripts/setup.sh again." >&2
    exit 1
  fi
  run_step "Installing jose for the auth interop test (npm ci)" \
    npm ci --prefix "$interop_dir" --no-audit --no-fund
fi

# The peers' npm packages are installed only on request, for the peer
# benchmarks.
if [[ $with_peers == true && ! -d $peer_dir/node_modules ]]; then
  if command -v npm >/dev/null; then
    run_step "Installing the npm packages of the peer benchmarks" \
      npm ci --prefix "$peer_dir" --no-audit --no-fund
  else
    echo "setup: npm is not installed; the peer benchmarks (labkit bench --peers) need it." >&2
    echo "Install Node.js 20 or later with npm, then run scripts/setup.sh --peers." >&2
    exit 1
  fi
fi

# Debian starts the packaged servers on their standard ports. The kit starts
# its own instances on free loopback ports, so the packaged ones are not
# needed; they are left as the system configured them.
echo "labkit setup: everything is installed."
