#!/usr/bin/env bash
# `make demo`: start dhansim with three accounts on a free port, run the
# demonstration against it, and stop dhansim whatever happens.
set -euo pipefail
build=${1:-build}
sim="$build/tools/dhansim/dhansim"
demo="$build/tools/demo/ctdemo"
log=$(mktemp /tmp/dhansim-demo.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18431)

"$sim" --listen "127.0.0.1:$port" \
  --account 1000000001:leader-token:1000000 \
  --account 1000000002:follower-a-token:500000 \
  --account 1000000003:follower-b-token:250000 >"$log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 100); do
  grep -q ready "$log" && break
  sleep 0.05
done
if ! grep -q ready "$log"; then
  echo "demo: dhansim did not start:" >&2
  cat "$log" >&2
  exit 1
fi
echo "dhansim: $(grep ready "$log")"
"$demo" --base-url "http://127.0.0.1:$port/v2" \
  --account 1000000001:leader-token \
  --account 1000000002:follower-a-token \
  --account 1000000003:follower-b-token --orders 25
