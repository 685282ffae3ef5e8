#!/usr/bin/env bash
# zerokeep gateway benchmark: the gateway against the same nginx upstream called directly.
# Usage: bench/run.sh [--seconds 10] [--streams 1000] [--profile-seconds 10] [--json out.json]
# Everything runs on 127.0.0.1 and is stopped on exit, also on failure. See bench/README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
python=${PYTHON:-$root/.venv/bin/python}
export PATH="$PATH:/usr/sbin:/sbin"  # nginx lives in /usr/sbin

missing=()
for tool in nginx wrk; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk
    else
        echo "missing: ${missing[*]}; install them with: sudo apt-get install -y nginx wrk" >&2
        exit 1
    fi
fi
if [[ " $* " == *" --profile-seconds "* && ! -x $root/.venv/bin/py-spy ]]; then
    "$python" -m pip install -q py-spy
fi

# 1,000 streams need ~3,000 descriptors across the client, gateway and slow upstream.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

workdir=$(mktemp -d /tmp/zerokeep-bench.XXXXXX)
bench_pid=""
cleanup() {
    # gateway.py stops its children itself; this catches whatever it left if it was killed.
    if [[ -n $bench_pid ]]; then
        kill "$bench_pid" 2>/dev/null
        for _ in $(seq 150); do  # up to 30 s for it to stop its children
            kill -0 "$bench_pid" 2>/dev/null || break
            sleep 0.2
        done
    fi
    for pidfile in "$workdir"/pids/*; do
        [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null
    done
    if [[ -n ${KEEP_WORKDIR:-} ]]; then
        echo "logs and data kept in $workdir"
    else
        rm -rf "$workdir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$python" "$here/gateway.py" --workdir "$workdir" "$@" &
bench_pid=$!
wait "$bench_pid"
bench_pid=""
