# Where an event's time goes at live pace, from the mean events/s lines that benchmarks 1, 2b, 2c
# and 3b-3e print (results/inprocess.txt): ns an event = 10^9 / events/s, and each part the
# difference between two benchmarks that differ in that part alone (Benchmarks/README.md, 3c-3e).
match($0, /^[^:]+: [0-9]+ events\/s/) {
    name = substr($0, 1, index($0, ":") - 1)
    split(substr($0, index($0, ":") + 2), fields, " ")
    ns[name] = 1e9 / fields[1]
}
END {
    live = "decode + engine, live pace (Pipeline.ingest)"
    full = "decode + engine, live pace, dedup full (Pipeline.ingest)"
    bare = "decode + engine, live pace, no dedup (Pipeline.ingest)"
    cached = "decode + engine, live pace, no dedup, 1,000 customers (Pipeline.ingest)"
    decode = "decode only"
    if (!(live in ns) || !(full in ns) || !(bare in ns) || !(cached in ns) || !(decode in ns)) {
        print "live-pace breakdown: not shown, benchmarks 1 and 3b-3e did not all report"
        exit
    }
    printf "live pace, ns an event on one core (4 M events/s would be 250):\n"
    printf "  decoding                                   %6.0f\n", ns[decode]
    printf "  engine instructions (state in cache)       %6.0f\n", ns[cached] - ns[decode]
    printf "  customer state from memory                 %6.0f\n", ns[bare] - ns[cached]
    printf "  deduplication, set growing (3b)            %6.0f   total %6.0f\n", ns[live] - ns[bare], ns[live]
    printf "  deduplication, set full at 10 M ids (3e)   %6.0f   total %6.0f\n", ns[full] - ns[bare], ns[full]
    ahead = "engine only, live pace, dedup full"
    alone = "engine only, live pace, dedup full, no read-ahead"
    if ((ahead in ns) && (alone in ns)) {
        printf "the loop thread's engine work, set full: %.0f ns an event (2b), %.0f without the dedup read-ahead (2c)\n", ns[ahead], ns[alone]
    }
}
