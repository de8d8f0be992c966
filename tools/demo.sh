#!/usr/bin/env bash
# `make demo`: the engine replicating a scripted leader session.
#
# Starts dhansim with a leader and four followers (one per sizing mode),
# starts `copytrader run` against it, plays bench/scenarios/demo.txt as the
# leader (bench/ctplay), waits until every follower order is answered, then
# prints what each follower received (from dhansim's order books) and what
# the engine skipped and why (from its metrics), and stops everything.
#
#   tools/demo.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
sim=$build/tools/dhansim/dhansim
engine=$build/copytrader
play=$build/bench/ctplay
scenario=$root/bench/scenarios/demo.txt
for b in "$sim" "$engine" "$play"; do
  [ -x "$b" ] || { echo "demo: missing $b (build first)" >&2; exit 1; }
done
command -v jq >/dev/null || { echo "demo: needs jq (tools/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/ctdemo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

LEADER=1000000001
# name client_id funds sizing
FOLLOWERS=(
  "double 1000000002 2000000 {mode: multiplier, value: 2}"
  "half 1000000003 1000000 {mode: multiplier, value: 0.5}"
  "fixed 1000000004 1000000 {mode: fixed_qty, value: 3}"
  "capital 1000000005 5000000 {mode: capital_proportional}"
  "capped 1000000006 5000000 {mode: max_value, value: 20000}"
)

wait_for() { # file pattern seconds pid
  for _ in $(seq $(($3 * 20))); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

args=(--listen 127.0.0.1:0 --account "$LEADER:leader-token:10000000")
{
  echo "leader: {client_id: \"$LEADER\", token: leader-token}"
  echo "followers:"
  for f in "${FOLLOWERS[@]}"; do
    read -r name id funds sizing <<<"$f"
    args+=(--account "$id:token-$name:$funds")
    echo "  - {name: $name, client_id: \"$id\", token: token-$name, sizing: $sizing}"
  done
} >"$work/config.yaml"

CT_LOG_LEVEL=warn "$sim" "${args[@]}" >"$work/sim.log" 2>&1 &
pids+=($!)
wait_for "$work/sim.log" "dhansim ready" 10 "${pids[0]}" ||
  { cat "$work/sim.log" >&2; exit 1; }
port=$(sed -n 's/.*listen=127.0.0.1:\([0-9]*\).*/\1/p' "$work/sim.log")
base=http://127.0.0.1:$port
cat >>"$work/config.yaml" <<EOF
endpoints: {rest_base_url: "$base/v2", order_update_url: "ws://127.0.0.1:$port"}
instruments: $root/tools/dhansim/data/instruments.csv
state_dir: $work/state
EOF
chmod 600 "$work/config.yaml"
echo "demo: dhansim on $base, leader $LEADER, ${#FOLLOWERS[@]} followers"

CT_LOG_LEVEL=${CT_LOG_LEVEL:-info} "$engine" run --config "$work/config.yaml" \
  --metrics "$work/metrics.jsonl" >"$work/engine.log" 2>&1 &
pids+=($!)
eng=${pids[1]}
# The engine reads the leader's book first, then logs that it is ready.
wait_for "$work/engine.log" "ready" 20 "$eng" ||
  { echo "demo: the engine did not get ready:" >&2; tail "$work/engine.log" >&2; exit 1; }

echo "demo: playing $(basename "$scenario") as the leader"
line=$("$play" --base "$base" --account "$LEADER:leader-token" \
  --scenario "$scenario") || true
echo "demo: $line"
mirrored=$(echo "$line" | sed -n 's/.*mirrored=\([0-9]*\).*/\1/p')
want=$((${mirrored:-0} * ${#FOLLOWERS[@]}))
last=-1
same=0
for _ in $(seq 300); do # until every follower order is answered or skipped
  n=$(grep -cE '"ev":"(ack|skip)"' "$work/metrics.jsonl" 2>/dev/null || true)
  [ "${n:-0}" -ge "$want" ] && break
  if [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; fi
  [ $same -ge 30 ] && break
  last=$n
  sleep 0.1
done
sleep 0.5 # let dhansim's automatic fills land

curl -sf "$base/admin/orders?account=$LEADER" >"$work/leader.json"
jq -s 'map(select(.ev == "sent")) | map({(.corr): .leader_order}) | add // {}' \
  "$work/metrics.jsonl" >"$work/corr.json"

echo
echo "Leader $LEADER placed:"
jq -r '.[] | "  \(.orderId)  \(.transactionType) \(.quantity) x \(.tradingSymbol) \(.orderType)  -> \(.orderStatus) (filled \(.filledQty))"' \
  "$work/leader.json"
echo
printf '%-8s %-34s %-14s %-26s %5s %5s  %-12s\n' follower sizing "leader order" \
  instrument "L qty" "F qty" "F state"
for f in "${FOLLOWERS[@]}"; do
  read -r name id funds sizing <<<"$f"
  curl -sf "$base/admin/orders?account=$id" >"$work/f.json"
  jq -r --arg name "$name" --arg sizing "$sizing" --arg id "$id" \
    --slurpfile corr "$work/corr.json" --slurpfile lead "$work/leader.json" '
    ($lead[0] | map({(.orderId): .}) | add // {}) as $L
    | (.[] | select(.correlationId != "")
       | ($corr[0][.correlationId] // "?") as $lo
       | [$name, $sizing, $lo, "\(.transactionType) \(.tradingSymbol) \(.orderType)",
          ($L[$lo].quantity // 0), .quantity,
          (if .filledQty > 0 and .orderStatus != "TRADED"
           then "\(.orderStatus) \(.filledQty)" else .orderStatus end)])
    | @tsv' "$work/f.json" |
    awk -F'\t' '{printf "%-8s %-34s %-14s %-26s %5s %5s  %-12s\n", $1, $2, $3, $4, $5, $6, $7}'
  jq -r --arg id "$id" --arg name "$name" --arg sizing "$sizing" \
    'select(.ev == "skip" and .follower == $id or .ev == "skip" and .follower == $name)
     | "\($name)\t\($sizing)\t\(.leader_order)\tskipped: \(.reason)"' \
    "$work/metrics.jsonl" |
    awk -F'\t' '{printf "%-8s %-34s %-14s %s\n", $1, $2, $3, $4}'
done
echo
acks=$(grep -c '"ev":"ack"' "$work/metrics.jsonl" || true)
skips=$(grep -c '"ev":"skip"' "$work/metrics.jsonl" || true)
echo "demo: $mirrored leader actions (places, changes, cancels) x ${#FOLLOWERS[@]} followers;" \
  "the engine logged $acks follower places answered and $skips skips"
kill -TERM "$eng" 2>/dev/null && wait "$eng" 2>/dev/null && echo "demo: engine stopped cleanly" ||
  echo "demo: engine exit status $?"
