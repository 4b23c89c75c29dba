#!/usr/bin/env bash
# Where the time goes: callgrind over `segd replay` of 200,000 generated events (100,000 customers,
# seed 1) with the default config and the release binary; prints the top functions by inclusive
# instructions, demangled. Instruction counts do not depend on machine load.
#
# Two work-arounds for Debian 12's valgrind 3.19, neither of which changes what segd executes:
#  - it cannot read the DWARF 5 debug info Swift 6.3 emits ("unhandled dwarf2 abbrev form code 0x25",
#    then it gives up), so it runs a copy with the debug sections removed (`objcopy --strip-debug`;
#    the symbol table stays, so functions keep their names);
#  - it crashes itself (SIGSEGV inside valgrind) when libdispatch's signal thread calls sigsuspend
#    with a mask in read-only memory, so sigsuspend_copy.so is preloaded to pass a stack copy.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
segd="${SEGD:-$here/../../.build/release/segd}"
work="${SEGD_BENCH_DIR:-${TMPDIR:-/tmp}/segd-bench}"
events="${EVENTS:-200000}"
results="$here/../results"
mkdir -p "$work" "$results"
input="$work/events-$events.tsv"
[ -f "$input" ] || "$segd" generate --events "$events" --customers 100000 --seed 1 -o "$input"
objcopy --strip-debug "$segd" "$work/segd-nodebug"
gcc -O2 -shared -fPIC -o "$work/sigsuspend_copy.so" "$here/sigsuspend_copy.c"
out="$work/callgrind.out"
LD_PRELOAD="$work/sigsuspend_copy.so" valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$work/segd-nodebug" replay --config "$here/../../deploy/segd.toml" --input "$input" > "$work/callgrind-replay-summary.json"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | swift demangle --simplified > "$results/callgrind-inclusive.txt"
callgrind_annotate "$out" 2>/dev/null | swift demangle --simplified > "$results/callgrind-self.txt"
echo "callgrind: $events events; top functions by inclusive instructions ($results/callgrind-inclusive.txt):"
head -45 "$results/callgrind-inclusive.txt"
