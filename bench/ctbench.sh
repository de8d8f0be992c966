#!/usr/bin/env bash
# ctbench: the benchmark harness users run (bench/README.md).
#
# For every cell of the matrix (followers x injected API latency x plain or
# TLS) it starts dhansim and the copier as separate processes, plays the
# scenario as the leader (ctplay), waits until every follower order is
# answered, collects dhansim's stamps and the copier's metrics, and lets
# ctstats compute the figures. Each cell runs twice on a fresh dhansim:
# once with the floor (ctfloor, a minimal copier) and once with the engine
# (`copytrader run`). The results go to DIR/results.{json,md} and PNG plots.
#
#   bench/ctbench.sh [--quick] [--build DIR] [--copytrader BIN] [--out DIR]
#                    [--followers "1 10 100 1000"] [--latency "0 20"]
#                    [--transport "plain tls"] [--scenario FILE|auto] [--keep]
#
# --scenario auto (the default) plays scenarios/matrix.txt in cells up to
# 500 followers and scenarios/matrix-large.txt above (dhansim's stamp rings
# hold 200,000 entries; two shared cores serve about 10,000 requests/s).
# --keep leaves the work directory (logs, stamps, metrics, configs);
# --copiers "floor" (or "engine") runs one side only (for debugging).
# --floor-wire makes the floor the wire floor (ctfloor --wire: hand-written
# HTTP, plain cells only), to see what the machine and dhansim alone allow.
# --engine-config TEXT appends top-level lines to the engine's config
# (e.g. "workers: 1" or "spin_us: 50") to compare engine settings.
#
# Exit status: 0 when every cell ran; 1 on a failure; 77 when the copytrader
# binary is missing (the CTest skip code).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build
copytrader=""
out=""
engine_extra=""
followers="1 10 100 1000"
latencies="0 20"
transports="plain tls"
scenario=auto
quick=0
keep=0
copiers="floor engine"
floor_wire=0

while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --floor-wire) floor_wire=1 ;;
    --copiers) copiers=$2; shift ;;
    --build) build=$2; shift ;;
    --copytrader) copytrader=$2; shift ;;
    --out) out=$2; shift ;;
    --followers) followers=$2; shift ;;
    --latency) latencies=$2; shift ;;
    --transport) transports=$2; shift ;;
    --scenario) scenario=$2; shift ;;
    --engine-config) engine_extra=$2; shift ;;
    -h|--help) sed -n 2,22p "$0"; exit 0 ;;
    *) echo "ctbench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ $quick = 1 ]; then
  followers="1 10"; latencies="0 20"; transports="plain tls"
  scenario=$here/scenarios/quick.txt
fi
build=$(cd "$build" && pwd)
copytrader=${copytrader:-$build/copytrader}
sim=$build/tools/dhansim/dhansim
play=$build/bench/ctplay
floorc=$build/bench/ctfloor
stats=$build/bench/ctstats
if [ ! -x "$copytrader" ]; then
  echo "ctbench: no copytrader binary at $copytrader: skipped" >&2
  exit 77
fi
for b in "$sim" "$play" "$floorc" "$stats"; do
  [ -x "$b" ] || { echo "ctbench: missing $b (build first)" >&2; exit 1; }
done
out=${out:-$build/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/ctbench.XXXXXX)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ $keep = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

LEADER=1100000001
log() { echo "ctbench: $*" >&2; }

# --- accounts, certificate, config -------------------------------------

make_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
}

# follower_ids N: one client id per line
follower_ids() { seq -f "12%08g" 1 "$1"; }

write_config() { # dir n port tls
  local dir=$1 n=$2 port=$3 tls=$4 scheme=http ws=ws i=0
  [ "$tls" = tls ] && scheme=https && ws=wss
  {
    echo "leader: {client_id: \"$LEADER\", token: leader-token}"
    echo "followers:"
    for id in $(follower_ids "$n"); do
      i=$((i + 1))
      echo "  - {name: f$i, client_id: \"$id\", token: tok-$id, sizing: {mode: multiplier, value: 1}}"
    done
    echo "endpoints:"
    echo "  rest_base_url: $scheme://127.0.0.1:$port/v2"
    echo "  order_update_url: $ws://127.0.0.1:$port"
    [ "$tls" = tls ] && echo "  ca_file: $work/cert.pem"
    echo "instruments: $root/tools/dhansim/data/instruments.csv"
    echo "state_dir: $dir/state"
    echo "rate_limits: {orders_per_second: 1000, orders_per_minute: 60000, orders_per_hour: 3600000, orders_per_day: 100000000, non_trading_per_second: 1000}"
    [ -n "$engine_extra" ] && printf '%s\n' "$engine_extra"
  } >"$dir/config.yaml"
  chmod 600 "$dir/config.yaml"
}

# --- processes -----------------------------------------------------------

wait_line() { # file pattern seconds pid
  local i
  for i in $(seq $(($3 * 20))); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

start_sim() { # dir n latency tls
  local dir=$1 args=(--listen 127.0.0.1:0 --no-rate-limit --fill-mode none
    --account "$LEADER:leader-token:1000000000000")
  for id in $(follower_ids "$2"); do
    args+=(--account "$id:tok-$id:1000000000000")
  done
  [ "$3" != 0 ] && args+=(--latency "/v2=$3")
  [ "$4" = tls ] && args+=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
  CT_LOG_LEVEL=warn "$sim" "${args[@]}" >"$dir/sim.log" 2>&1 &
  sim_pid=$!
  pids+=("$sim_pid")
  wait_line "$dir/sim.log" "dhansim ready" 10 "$sim_pid" ||
    { cat "$dir/sim.log" >&2; return 1; }
  port=$(sed -n 's/.*listen=127.0.0.1:\([0-9]*\).*/\1/p' "$dir/sim.log")
  base=http://127.0.0.1:$port
  curlca=()
  if [ "$4" = tls ]; then
    base=https://127.0.0.1:$port
    curlca=(--cacert "$work/cert.pem")
  fi
}

stop_pid() { # pid
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

admin() { curl -sf "${curlca[@]}" -X "$1" "$base/admin/$2"; }

# Every order of the leader and the N followers as dhansim holds them at
# the end (one JSON array per line, GET /admin/orders): the final states
# ctstats checks.
final_orders() { # n out
  { echo "$LEADER"; follower_ids "$1"; } |
    sed "s|.*|url = \"$base/admin/orders?account=&\"|" >"$2.urls"
  curl -sf "${curlca[@]}" -w '\n' -K "$2.urls" >"$2" || true
  rm -f "$2.urls"
}

# CPU time (ns) of every thread of a process, from the scheduler.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
hwm_kb() { awk '/^VmHWM/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0; }

# Waits until the copier answered every follower order (acks + skips +
# coalesced = want: both copiers write an `ack` for every request), or
# nothing moved for 3 s, or 120 s passed. (An earlier rule also stopped
# once every place was sent and the metrics stayed still for 0.5 s, for
# copiers that logged places only; it stopped the engine while a retry
# waited for an open circuit breaker.)
settle() { # metrics want
  local last=-1 same=0 n
  for _ in $(seq 1200); do
    n=$(grep -cE '"ev":"(ack|skip|coalesced)"' "$1" 2>/dev/null || true)
    [ "${n:-0}" -ge "$2" ] && return 0
    if [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; fi
    [ $same -ge 30 ] && { log "settle: $n of $2 answered after a 3 s standstill"; return 0; }
    last=$n
    sleep 0.1
  done
}

scenario_for() { # followers
  if [ "$scenario" != auto ]; then echo "$scenario"
  elif [ "$1" -le 500 ]; then echo "$here/scenarios/matrix.txt"
  else echo "$here/scenarios/matrix-large.txt"; fi
}

play() { # dir scenario
  local ca=()
  [ ${#curlca[@]} -gt 0 ] && ca=(--cainfo "$work/cert.pem")
  "$play" --base "$base" --account "$LEADER:leader-token" \
    --scenario "$2" --burst-out "$1/bursts.txt" "${ca[@]}" 2>>"$1/play.err"
}

# One phase: copier = floor | engine. Leaves $dir/run.json.
phase() { # dir copier n latency tls
  local dir=$1 n=$3 tls=$5 cpid mirrored cpu0 cpu1 scpu0 scpu1 rss line
  mkdir -p "$dir"
  start_sim "$dir" "$n" "$4" "$tls"
  : >"$dir/metrics.jsonl"
  if [ "$2" = floor ]; then
    follower_ids "$n" | sed 's/.*/&:tok-&/' >"$dir/followers.txt"
    local t=()
    [ "$tls" = tls ] && t=(--tls --cainfo "$work/cert.pem")
    # With injected latency a follower's connection stays busy for the
    # answer: open more, as a real copier would keep in its pool.
    local conns=$n
    [ "$4" != 0 ] && conns=$((n * 4 > 2048 ? (n > 1024 ? n : n * 2) : n * 4))
    t+=(--conns "$conns")
    [ $floor_wire = 1 ] && t+=(--wire)
    "$floorc" --base "$base" --ws-port "$port" "${t[@]}" --leader \
      "$LEADER:leader-token" --followers "$dir/followers.txt" \
      --metrics "$dir/metrics.jsonl" >"$dir/copier.log" 2>&1 &
    cpid=$!
    pids+=("$cpid")
    wait_line "$dir/copier.log" "ctfloor ready" 60 "$cpid"
  else
    write_config "$dir" "$n" "$port" "$tls"
    CT_LOG_LEVEL=${CT_LOG_LEVEL:-info} "$copytrader" run --config \
      "$dir/config.yaml" --metrics "$dir/metrics.jsonl" >"$dir/copier.log" 2>&1 &
    cpid=$!
    pids+=("$cpid")
    wait_line "$dir/copier.log" "ready" 60 "$cpid" || true
  fi
  kill -0 "$cpid" 2>/dev/null ||
    { log "$2 did not start:"; tail -20 "$dir/copier.log" >&2; return 1; }
  # Warm-up: one leader order, mirrored to every follower, then a clean slate.
  play "$dir" "$here/scenarios/warmup.txt" >/dev/null || true
  settle "$dir/metrics.jsonl" "$n"
  admin POST stamps/clear >/dev/null
  : >"$dir/metrics.jsonl"
  cpu0=$(cpu_ns "$cpid")
  scpu0=$(cpu_ns "$sim_pid")
  line=$(play "$dir" "$(scenario_for "$n")") || log "ctplay reported errors: $(tail -3 "$dir/play.err")"
  mirrored=$(echo "$line" | sed -n 's/.*mirrored=\([0-9]*\).*/\1/p')
  settle "$dir/metrics.jsonl" $((mirrored * n))
  sleep 0.3
  cpu1=$(cpu_ns "$cpid")
  scpu1=$(cpu_ns "$sim_pid")
  rss=$(hwm_kb "$cpid")
  admin GET stamps >"$dir/stamps.json"
  final_orders "$n" "$dir/orders.jsonl"
  stop_pid "$cpid"
  stop_pid "$sim_pid"
  "$stats" run --stamps "$dir/stamps.json" --metrics "$dir/metrics.jsonl" \
    --leader "$LEADER" --followers "$n" --mirrored "${mirrored:-0}" \
    --cpu-ns $((cpu1 - cpu0)) --sim-cpu-ns $((scpu1 - scpu0)) \
    --rss-kb "${rss:-0}" \
    --lat-out "$dir/latency.dat" --bursts "$dir/bursts.txt" \
    --orders "$dir/orders.jsonl" >"$dir/run.json"
}

cell() { # n latency tls
  local name="f$1_l$2_$3" dir
  dir=$work/$name
  log "cell followers=$1 latency_ms=$2 transport=$3"
  local c
  for c in floor engine; do
    mkdir -p "$dir/$c"
    echo null >"$dir/$c/run.json"
    : >"$dir/$c/latency.dat"
    case " $copiers " in *" $c "*) phase "$dir/$c" "$c" "$@" ;; esac
    cp "$dir/$c/latency.dat" "$out/latency_${name}_$c.dat"
  done
  {
    echo "{\"followers\": $1, \"latency_ms\": $2, \"tls\": $([ "$3" = tls ] && echo true || echo false),"
    echo "\"floor\": $(cat "$dir/floor/run.json"),"
    echo "\"engine\": $(cat "$dir/engine/run.json")}"
  } >"$out/cell_$name.json"
}

machine="$(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
[ "$transports" != "${transports/tls/}" ] && make_cert
cells=()
for t in $transports; do
  for l in $latencies; do
    for n in $followers; do
      cell "$n" "$l" "$t"
      cells+=("$out/cell_f${n}_l${l}_${t}.json")
    done
  done
done
rm -f "$out"/fanout_*.dat
"$stats" report --dir "$out" --machine "$machine" "${cells[@]}"
if command -v gnuplot >/dev/null; then
  (cd "$out" && gnuplot -e "followers='$followers'; latencies='$latencies'; transports='$transports'" \
    "$here/plots.gp") || log "gnuplot failed: no plots"
fi
log "results in $out"
cat "$out/results.md"
