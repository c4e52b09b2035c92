# Shared by scripts/setup (Home Assistant 2025.4.4 in .venv) and scripts/ha_latest (the newest
# Home Assistant in a Debian sid chroot). Sourced, never run.

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# pip check, less the lines matching IGNORED (metadata of packages whose pins we override on purpose).
#   check_dependencies IGNORED PYTHON [ARG...]
check_dependencies() {
    local report
    if ! report=$("${@:2}" -m pip check 2>&1); then
        report=$(printf '%s\n' "$report" | grep -v "$1" || true)
        if [ -n "$report" ]; then
            printf '%s\n' "$report" >&2
            return 1
        fi
    fi
}

# llama.cpp for any x86-64 CPU with AVX2: never -march=native (a CPU or VM may advertise features,
# such as AMX, that its kernels then cannot run), no AMX or AVX-512 kernels.
LLAMA_CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
WHEEL_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/local_llm_assist/wheels"

# Prints the path of a llama-cpp-python wheel built with LLAMA_CMAKE_ARGS, building it once per
# version and flags (pip's own wheel cache ignores CMAKE_ARGS, so it could hand back a native build).
# The wheel is tagged py3-none: the same file serves every Python version, on the host and in the
# chroot alike. The command line given runs the build's Python (it must see WHEEL_CACHE).
#   portable_llama_wheel PYTHON [ARG...]
portable_llama_wheel() {
    local spec key dir
    spec=$(grep -E '^llama-cpp-python==' requirements_local_engine.txt)
    key=$(printf '%s %s' "$spec" "$LLAMA_CMAKE_ARGS" | sha256sum | cut -c1-16)
    dir="$WHEEL_CACHE/llama-cpp-python-$key"
    if ! ls "$dir"/*.whl >/dev/null 2>&1; then
        log "building $spec for any AVX2 CPU (about 10-20 min on 2 cores, once per machine)" >&2
        local tmp
        mkdir -p "$WHEEL_CACHE"
        tmp=$(mktemp -d "$WHEEL_CACHE/.build.XXXXXX")
        CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$@" -m pip --disable-pip-version-check -q wheel \
            --no-deps --no-cache-dir --no-binary llama-cpp-python -w "$tmp" "$spec" >&2
        mkdir -p "$dir"
        mv "$tmp"/*.whl "$dir"/
        rmdir "$tmp"
    fi
    ls "$dir"/*.whl | head -n1
}

# llama-cpp-python's own HTTP server, for the tests and benchmarks of the model-server engines, in a
# venv of its own (its web stack must not meet Home Assistant's pinned one) built from the portable
# wheel. tests/servers.py finds it in ~/.cache/local_llm_assist/server-venv.
#   install_llama_server_venv VENV HOST_ROOT BASE_PYTHON [RUNNER...]
# VENV and BASE_PYTHON are paths as RUNNER sees them (no runner: this host; in_chroot: the chroot,
# whose root is HOST_ROOT here).
install_llama_server_venv() {
    local venv=$1 host_root=$2 base_python=$3
    shift 3
    local llama_wheel fingerprint stamp="$host_root$venv/.setup-stamp"
    llama_wheel=$(portable_llama_wheel "$@" "$base_python")
    fingerprint=$(cat requirements_server.txt <(echo "$llama_wheel") | sha256sum | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && return 0
    log "creating the llama.cpp server venv in $venv"
    "$@" "$base_python" -m venv --clear "$venv"
    "$@" "$venv/bin/python" -m pip --disable-pip-version-check -q install --no-deps "$llama_wheel" \
        -r requirements_server.txt
    "$@" "$venv/bin/python" -c 'import llama_cpp.server.app'
    echo "$fingerprint" >"$stamp"
}
