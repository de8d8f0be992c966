#!/usr/bin/env bash
# The replication engine on dhansim: a leader and three followers in
# different sizing modes, `copytrader run` copying a scripted leader session
# (market, limit, modify, cancel, a future one follower may not trade), and
# a table of what each follower received. Usage: tools/engine_demo.sh [BUILD]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
sim="$build/tools/dhansim/dhansim"
ct="$build/copytrader"
dir=$(mktemp -d /tmp/ct-demo.XXXXXX)
"$sim" --listen 127.0.0.1:0 --no-rate-limit \
  --instruments "$root/tools/dhansim/data/instruments.csv" \
  --account 1000000001:leader-token:10000000 \
  --account 1000000002:alice-token:10000000 \
  --account 1000000003:bob-token:5000000 \
  --account 1000000004:carol-token:10000000 >"$dir/sim.out" 2>"$dir/sim.err" &
sim_pid=$!
eng_pid=
trap 'kill $eng_pid $sim_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q ready "$dir/sim.out" && break; sleep 0.05; done
port=$(sed -n 's/.*listen=127.0.0.1:\([0-9]*\).*/\1/p' "$dir/sim.out")
url="http://127.0.0.1:$port"
cat >"$dir/copytrader.yaml" <<YAML
leader: {client_id: "1000000001", token: leader-token}
followers:
  - {name: alice, client_id: "1000000002", token: alice-token,
     sizing: {mode: multiplier, value: 2}}
  - {name: bob, client_id: "1000000003", token: bob-token,
     sizing: {mode: capital_proportional, value: 1}}
  - {name: carol, client_id: "1000000004", token: carol-token,
     sizing: {mode: max_value, value: 20000}, allowed_segments: [NSE_EQ]}
endpoints: {rest_base_url: $url/v2, order_update_url: ws://127.0.0.1:$port/}
instruments: $root/tools/dhansim/data/instruments.csv
state_dir: $dir/state
YAML
chmod 600 "$dir/copytrader.yaml"
"$ct" check-config --config "$dir/copytrader.yaml"
CT_LOG_LEVEL=warn "$ct" run --config "$dir/copytrader.yaml" 2>"$dir/engine.log" &
eng_pid=$!
sleep 1.5
leader() { # METHOD PATH [BODY]: one leader call; prints the order id
  curl -s -X "$1" "$url/v2$2" -H 'access-token: leader-token' \
    -H 'Content-Type: application/json' ${3:+-d "$3"} |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("orderId",""))'
}
order() { # TYPE QTY PRICE [SEGMENT SECURITY]
  echo "{\"dhanClientId\":\"1000000001\",\"transactionType\":\"BUY\",\"exchangeSegment\":\"${4:-NSE_EQ}\",\"productType\":\"INTRADAY\",\"orderType\":\"$1\",\"validity\":\"DAY\",\"securityId\":\"${5:-11536}\",\"quantity\":$2,\"price\":$3}"
}
echo "leader: market buy 4 TCS";  leader POST /orders "$(order MARKET 4 0)" >/dev/null
echo "leader: limit buy 6 TCS @ 3000"; lim=$(leader POST /orders "$(order LIMIT 6 3000)")
sleep 0.3
echo "leader: modify it to 8 @ 3010"
leader PUT "/orders/$lim" "{\"dhanClientId\":\"1000000001\",\"orderId\":\"$lim\",\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"quantity\":8,\"price\":3010}" >/dev/null
sleep 0.3
echo "leader: limit buy 2 TCS @ 2990, then cancel"; c=$(leader POST /orders "$(order LIMIT 2 2990)")
sleep 0.3; leader DELETE "/orders/$c" >/dev/null
echo "leader: limit buy 75 NIFTY 26000 CE @ 300 (carol: NSE_EQ only)"
leader POST /orders "$(order LIMIT 75 300 NSE_FNO 48210)" >/dev/null
sleep 1.5
echo
printf '%-8s %-14s %-8s %6s %9s %-10s %s\n' follower orderId type qty price status correlationId
for f in alice:1000000002 bob:1000000003 carol:1000000004; do
  curl -s "$url/admin/orders?account=${f#*:}" | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    print("%-8s %-14s %-8s %6d %9.2f %-10s %s" % (sys.argv[1], o["orderId"],
          o["orderType"], o["quantity"], o["price"], o["orderStatus"],
          o["correlationId"]))' "${f%%:*}"
done
kill -TERM $eng_pid; wait $eng_pid && echo && echo "copytrader stopped cleanly"
eng_pid=
