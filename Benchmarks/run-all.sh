#!/usr/bin/env bash
# Runs every segd benchmark once on this machine (Benchmarks/README.md says what each measures).
# Results: the terminal, results/inprocess.txt, results/results.jsonl, results/callgrind-*.txt.
# Takes about 15 minutes on 2 cores, plus build time; run one at a time.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p results
segd=../.build/release/segd
if [ ! -x "$segd" ]; then (cd .. && swift build -c release --product segd); fi
"$segd" check-config ../deploy/segd.toml > /dev/null
swift build -c release --product segd-load
load=.build/release/segd-load
# results.jsonl keeps every run's records; the summary at the end reads this run's.
if [ -f results/results.jsonl ]; then results_before=$(wc -l < results/results.jsonl); else results_before=0; fi

echo "== 1-3: decode only, engine only, decode + engine (in process)"
swift package benchmark --scale --no-progress 2>&1 | tee results/inprocess.txt | grep -v '^\[' 
awk -f live-pace-breakdown.awk results/inprocess.txt

echo "== 4: end to end, segd beside a bare libzmq subscriber"
"$load" e2e --transport tcp --events "${E2E_EVENTS:-1000000}"
"$load" e2e --transport ipc --events "${E2E_EVENTS:-1000000}"
# The same events at a live stream's pace of event time (100,000 a second) instead of 90 days.
"$load" e2e --transport tcp --events "${E2E_EVENTS:-1000000}" --span 10s

echo "== 5: publish-to-alert latency"
# Probes (fresh-customer orders) among segd generate's mix, three times, each beside its floor:
# a bare libzmq relay in segd's place (this machine's tail moves with its neighbours' load).
for _ in 1 2 3; do
  "$load" latency --rate 100000 --seconds 10
  "$load" latency --rate 100000 --seconds 10 --target relay
done
# Then 20,000 a second, and the worst case, every event a probe.
"$load" latency --rate 20000 --seconds 10
"$load" latency --rate 100000 --seconds 10 --mix fresh-orders

echo "== 6: resident memory per customer"
# 5,000,000 customers takes about 2 minutes more: MEMORY_CUSTOMERS=100000,1000000,5000000
"$load" memory --customers "${MEMORY_CUSTOMERS:-100000,1000000}"

echo "== 7: restart from a snapshot"
"$load" restart --customers "${RESTART_CUSTOMERS:-1000000}"

echo "== 8: growth stalls, in process"
"$load" stalls --customers "${STALLS_CUSTOMERS:-600000}"

echo "== 9: decode + engine on one thread per shard of customers, in process"
"$load" shards --shards 1,2,1,2 --passes 3
"$load" shards --shards 1,2,1,2 --passes 3 --span-ms 7776000000

echo "== where the time goes (callgrind)"
callgrind/run.sh

echo "== this run beside issue 6's goals"
"$load" summary --after-line "$results_before"
