#!/usr/bin/env bash
# Load run of the reference gateway against its floor, on loopback only.
#
# Builds the reference gateway (examples/httpgateway, memstore) and a floor
# server (bench/gateway/floor: bare net/http answering the same captured
# status, headers and body, no other work), then drives both with one load
# generator (wrk) in one run, each phase bounded in time:
#   - products: GET /client/v1/{customerId}/products?countryCode=NL&currencyCode=EUR&amount=1000
#     with Authorization: GCS v1Client:{clientSessionId} (one session);
#   - create: POST /v1/1234/sessions with 2 tokens and filters, signed v1HMAC
#     (the signature covers method, Content-Type, Date and path, not the body:
#     one signature with a fixed Date serves the whole run, well within the
#     gateway's 15-minute skew).
# Phases run in the order gateway, floor, floor, gateway (ABBA), so that a
# drift of the shared machine's load hits both alike; -r repeats that
# sequence (rounds), each phase's rounds one after the other. Each side's
# figure is the mean of its runs. Prints requests/s, the ratio
# gateway/floor (and, with several rounds, each round's ratio, their median
# and range), the CPU time each server spent per request (utime + stime
# from /proc, over the run's requests: a figure the machine's other load
# disturbs much less than requests/s) and their ratio floor/gateway, and
# p99 latency; then profiles the gateway under each load (pprof, CPU) and
# prints where the time goes.
#
# Usage: bench/gateway/run.sh [-d seconds per run (10)] [-c connections (32)] [-t threads (2)] [-r rounds (1)] [-o out dir]
# Needs Go, curl, openssl; installs Debian's wrk with apt-get when missing.
set -euo pipefail

DURATION=10 CONNS=32 THREADS=2 ROUNDS=1 OUT=""
while getopts "d:c:t:r:o:" opt; do
	case $opt in
	d) DURATION=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	t) THREADS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) exit 2 ;;
	esac
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/gateway-bench.XXXXXX)}
mkdir -p "$OUT"
GW_ADDR=127.0.0.1:${GW_PORT:-18090}
FLOOR_ADDR=127.0.0.1:${FLOOR_PORT:-18091}
PPROF_ADDR=127.0.0.1:${PPROF_PORT:-18092}
export GOWORK=off

if ! command -v wrk >/dev/null; then
	apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

echo "building into $OUT"
go build -C "$ROOT/examples/httpgateway" -o "$OUT/httpgateway" .
# The profiling build: the same gateway plus a pprof listener file added by
# -overlay (the gateway's sources are untouched).
cat >"$OUT/overlay.json" <<EOF
{"Replace": {"$ROOT/examples/httpgateway/zz_bench_pprof.go": "$ROOT/bench/gateway/pprof.go.txt"}}
EOF
go build -C "$ROOT/examples/httpgateway" -overlay "$OUT/overlay.json" -o "$OUT/httpgateway-pprof" .
go build -C "$ROOT" -o "$OUT/floor" ./bench/gateway/floor

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

wait_up() { # url
	for _ in $(seq 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "server at $1 did not start" >&2
	exit 1
}

start_gateway() { # binary
	# As shipped (access log, metrics), but with room for every session the
	# create runs leave (they live 2 h): the runs measure serving, not
	# refusals at the default -max-store-bytes.
	"$1" -addr "$GW_ADDR" -max-store-bytes $((4 << 30)) 2>>"$OUT/gateway.log" &
	GW_PID=$!
	PIDS+=("$GW_PID")
	wait_up "http://$GW_ADDR/"
}
stop_gateway() {
	kill "$GW_PID" 2>/dev/null || true
	wait "$GW_PID" 2>/dev/null || true
}

# ---- requests ----
MERCHANT=1234 KEY_ID=testKeyId SECRET=testSecretApiKey # the built-in demo data
CREATE_PATH=/v1/$MERCHANT/sessions
CREATE_BODY='{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840]},"exclude":{"products":[3]}},"tokens":["8f2a9c31d6e04b7f9a1c2e3d4f5a6b7c","9b8a7f6e5d4c4b3a2f1e0d9c8b7a6f5e"]}'
DATE=$(LC_ALL=C TZ=GMT date '+%a, %d %b %Y %H:%M:%S GMT')
SIG=$(printf 'POST\napplication/json\n%s\n%s\n' "$DATE" "$CREATE_PATH" |
	openssl dgst -sha256 -hmac "$SECRET" -binary | base64)
AUTH="GCS v1HMAC:$KEY_ID:$SIG"

cat >"$OUT/create.lua" <<EOF
wrk.method = "POST"
wrk.body = '$CREATE_BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Date"] = "$DATE"
wrk.headers["Authorization"] = "$AUTH"
EOF

start_gateway "$OUT/httpgateway"
curl -s -D - -X POST "http://$GW_ADDR$CREATE_PATH" -H 'Content-Type: application/json' -H "Date: $DATE" \
	-H "Authorization: $AUTH" --data-binary "$CREATE_BODY" >"$OUT/create.capture"
head -1 "$OUT/create.capture" | grep -q ' 200' || { echo "create failed:"; cat "$OUT/create.capture"; exit 1; }
RESP=$(sed -n '/^\r$/,$p' "$OUT/create.capture")
CSID=$(printf '%s' "$RESP" | sed -n 's/.*"clientSessionId":"\([0-9a-f]*\)".*/\1/p')
CUST=$(printf '%s' "$RESP" | sed -n 's/.*"customerId":"\([^"]*\)".*/\1/p')
PRODUCTS_PATH="/client/v1/$CUST/products?countryCode=NL&currencyCode=EUR&amount=1000"
curl -s -D - "http://$GW_ADDR$PRODUCTS_PATH" -H "Authorization: GCS v1Client:$CSID" >"$OUT/products.capture"
head -1 "$OUT/products.capture" | grep -q ' 200' || { echo "products failed:"; cat "$OUT/products.capture"; exit 1; }
cat >"$OUT/products.lua" <<EOF
wrk.headers["Authorization"] = "GCS v1Client:$CSID"
EOF

"$OUT/floor" -addr "$FLOOR_ADDR" -create "$OUT/create.capture" -products "$OUT/products.capture" 2>>"$OUT/floor.log" &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
wait_up "http://$FLOOR_ADDR/"
# The floor answers byte for byte what the gateway answered (but Date).
for what in create products; do
	if [ $what = create ]; then
		curl -s -D - -X POST "http://$FLOOR_ADDR$CREATE_PATH" --data-binary "$CREATE_BODY" >"$OUT/$what.floor"
	else
		curl -s -D - "http://$FLOOR_ADDR$PRODUCTS_PATH" >"$OUT/$what.floor"
	fi
	if ! diff <(grep -v '^Date:' "$OUT/$what.capture" | sed 's/"clientSessionId":"[0-9a-f]*"//') \
		<(grep -v '^Date:' "$OUT/$what.floor" | sed 's/"clientSessionId":"[0-9a-f]*"//') >/dev/null; then
		echo "the floor's $what answer differs from the gateway's" >&2
		exit 1
	fi
done

# ---- load ----
HZ=$(getconf CLK_TCK)
# cpu_ticks PID: the CPU time (user + system, in clock ticks) process PID has used.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# run NAME URL SCRIPT PID: one wrk run against the server PID; records
# requests/s, p99, errors and the server's CPU time per request (µs).
run() {
	local name=$1 url=$2 script=$3 pid=$4 log="$OUT/wrk-$1.txt" t0 t1
	t0=$(cpu_ticks "$pid")
	wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$script" "$url" >"$log"
	t1=$(cpu_ticks "$pid")
	if grep -q 'Non-2xx\|Socket errors' "$log"; then
		echo "$name: errors:" >&2
		grep 'Non-2xx\|Socket errors' "$log" >&2
		exit 1
	fi
	awk '/Requests\/sec/ {print $2}' "$log" >"$OUT/$name.rps"
	awk '$1 == "99%" {print $2}' "$log" >"$OUT/$name.p99"
	awk -v t=$((t1 - t0)) -v hz="$HZ" '/requests in/ {printf "%.2f\n", t * 1e6 / hz / $1}' "$log" >"$OUT/$name.cpu"
}
mean() { awk '{s += $1} END {printf "%.0f", s / NR}' "$@"; }
mean2() { awk '{s += $1} END {printf "%.1f", s / NR}' "$@"; }
# p99 in ms from wrk's "1.23ms" / "456.00us" / "1.02s"
ms() {
	sed -e 's/us$/ 0.001/' -e 's/ms$/ 1/' -e 's/s$/ 1000/' "$@" | awk '{v = $1 * $2; if (v > m) m = v} END {printf "%.2f", m}'
}

for what in products create; do
	if [ $what = create ]; then path=$CREATE_PATH; else path=$PRODUCTS_PATH; fi
	for r in $(seq "$ROUNDS"); do
		run "$what-gateway-$r-1" "http://$GW_ADDR$path" "$OUT/$what.lua" "$GW_PID"
		run "$what-floor-$r-1" "http://$FLOOR_ADDR$path" "$OUT/$what.lua" "$FLOOR_PID"
		run "$what-floor-$r-2" "http://$FLOOR_ADDR$path" "$OUT/$what.lua" "$FLOOR_PID"
		run "$what-gateway-$r-2" "http://$GW_ADDR$path" "$OUT/$what.lua" "$GW_PID"
	done
done

echo
echo "wrk -t$THREADS -c$CONNS -d${DURATION}s, loopback, $ROUNDS round(s) of gateway-floor-floor-gateway; each figure the mean of its runs; p99 the worst run"
echo "cpu_us: the server's CPU time per request (user + system); cpu_ratio = floor cpu_us / gateway cpu_us"
printf '%-10s %12s %12s %8s %6s %14s %12s %10s %14s %12s\n' phase gateway_rps floor_rps ratio goal gateway_cpu_us floor_cpu_us cpu_ratio gateway_p99_ms floor_p99_ms
for what in products create; do
	g=$(mean "$OUT/$what"-gateway-*.rps)
	f=$(mean "$OUT/$what"-floor-*.rps)
	gc=$(mean2 "$OUT/$what"-gateway-*.cpu)
	fc=$(mean2 "$OUT/$what"-floor-*.cpu)
	goal=0.80
	[ $what = create ] && goal=0.75
	printf '%-10s %12s %12s %8s %6s %14s %12s %10s %14s %12s\n' "$what" "$g" "$f" "$(awk -v g="$g" -v f="$f" 'BEGIN {printf "%.2f", g / f}')" \
		"$goal" "$gc" "$fc" "$(awk -v g="$gc" -v f="$fc" 'BEGIN {printf "%.2f", f / g}')" \
		"$(ms "$OUT/$what"-gateway-*.p99)" "$(ms "$OUT/$what"-floor-*.p99)"
done
if [ "$ROUNDS" -gt 1 ]; then
	echo
	echo "ratio gateway/floor of each round (requests/s), then median [min-max]:"
	for what in products create; do
		ratios=$(for r in $(seq "$ROUNDS"); do
			awk -v g="$(mean "$OUT/$what-gateway-$r"-*.rps)" -v f="$(mean "$OUT/$what-floor-$r"-*.rps)" 'BEGIN {printf "%.2f\n", g / f}'
		done)
		printf '%-10s %s -> %s\n' "$what" "$(echo $ratios)" \
			"$(echo "$ratios" | sort -n | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f [%.2f-%.2f]", m, v[1], v[NR]}')"
	done
fi

# ---- profile ----
stop_gateway
GATEWAY_PPROF=$PPROF_ADDR start_gateway "$OUT/httpgateway-pprof"
wait_up "http://$PPROF_ADDR/debug/pprof/"
PROFILE_SECONDS=$((DURATION > 3 ? DURATION - 2 : DURATION))
for what in products create; do
	if [ $what = create ]; then path=$CREATE_PATH; else
		# a session of this process
		RESP=$(curl -s -X POST "http://$GW_ADDR$CREATE_PATH" -H 'Content-Type: application/json' -H "Date: $DATE" \
			-H "Authorization: $AUTH" --data-binary "$CREATE_BODY")
		CSID=$(printf '%s' "$RESP" | sed -n 's/.*"clientSessionId":"\([0-9a-f]*\)".*/\1/p')
		CUST=$(printf '%s' "$RESP" | sed -n 's/.*"customerId":"\([^"]*\)".*/\1/p')
		path="/client/v1/$CUST/products?countryCode=NL&currencyCode=EUR&amount=1000"
		printf 'wrk.headers["Authorization"] = "GCS v1Client:%s"\n' "$CSID" >"$OUT/products.lua"
	fi
	wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" -s "$OUT/$what.lua" "http://$GW_ADDR$path" >"$OUT/wrk-$what-profiled.txt" &
	wrk_pid=$!
	sleep 1
	curl -s -o "$OUT/$what.cpu.pprof" "http://$PPROF_ADDR/debug/pprof/profile?seconds=$PROFILE_SECONDS"
	wait "$wrk_pid"
	go tool pprof -top -nodecount=25 "$OUT/httpgateway-pprof" "$OUT/$what.cpu.pprof" >"$OUT/$what.top.txt" 2>/dev/null
	go tool pprof -top -cum -nodecount=40 "$OUT/httpgateway-pprof" "$OUT/$what.cpu.pprof" >"$OUT/$what.cum.txt" 2>/dev/null
	echo
	echo "== gateway CPU profile under the $what load (flat, top 25; cumulative in $OUT/$what.cum.txt)"
	sed -n '1,35p' "$OUT/$what.top.txt"
done
echo
echo "outputs in $OUT"
