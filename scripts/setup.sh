#!/usr/bin/env bash
# Installs the Debian packages threadlens needs (only the missing ones), then configures and
# builds it in ./build: the targets named as arguments, or everything. Safe to run again: a
# second run only rebuilds what changed. The build log goes to build/build.log.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  clang libclang-rt-dev llvm            # compiler, ThreadSanitizer + libFuzzer runtimes, llvm-symbolizer
  llvm-dev                              # builds the pass plugin for TSan's missed local accesses
  libomp-dev                            # LLVM's OpenMP runtime and its Archer tool (tests)
  cmake ninja-build pkg-config
  autoconf automake make                # the autotools project built with threadlens-cc (tests)
  libdw-dev                             # DWARF reader: field and variable names in reports
  libzstd-dev                           # compressed traces (run --compress)
  libcapstone-dev                       # x86-64 decoder: names of heap blocks kept in arrays
  graphviz libgraphviz-dev              # libgvc renders the graphs in-process
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium fonts-liberation             # the HTML report's browser test
  python3 python3-jsonschema            # validates SARIF output against the official schema
  libcrypt-dev                          # crypt_r, linked by a construct test
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "threadlens setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
echo "threadlens setup: building ${*:-everything} (log: build/build.log)" >&2
targets=()
for t in "$@"; do targets+=(--target "$t"); done
if ! cmake --build build "${targets[@]}" >build/build.log 2>&1; then
  tail -n 60 build/build.log >&2
  echo "threadlens setup: the build failed; the whole log is in build/build.log" >&2
  exit 1
fi
