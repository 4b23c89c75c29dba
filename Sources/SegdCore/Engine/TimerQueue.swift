import SegdDurability

/// Event-time timers: at most one pending re-evaluation instant per customer, so a customer is
/// looked at again exactly when a window slides over one of their buckets, without scanning
/// everyone. Owned by the engine's single writer.
///
/// Rescheduling does not search the heap: the new entry is pushed and the customer's current due
/// time recorded; an entry whose time no longer matches is stale and skipped when it surfaces.
/// Ties are broken by customer number so firing order is deterministic.
public struct TimerQueue: Sendable {
    struct Entry: Comparable, Sendable, BitwiseCopyable {
        var due: Int64
        var customer: Int32

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.due, lhs.customer) < (rhs.due, rhs.customer)
        }
    }

    private var heap = ColumnHeap<Entry>()
    /// The pending due time per customer, `Int64.max` for none.
    private var dueTimes = GrowableColumn<Int64>()

    public init() {}

    /// The number of live timers.
    public private(set) var pendingCount = 0

    /// Sets (or with nil, cancels) customer `customer`'s timer.
    public mutating func schedule(_ customer: Int32, at due: Int64?) {
        let index = Int(customer)
        while dueTimes.count <= index { dueTimes.append(.max) }
        let newDue = due ?? .max
        let oldDue = dueTimes[index]
        guard newDue != oldDue else { return }
        dueTimes[index] = newDue
        if oldDue != .max { pendingCount -= 1 }
        if newDue != .max {
            pendingCount += 1
            heap.insert(Entry(due: newDue, customer: customer))
        }
        compactIfMostlyStale()
    }

    /// The customer's pending due time, if any.
    public func due(_ customer: Int32) -> Int64? {
        let index = Int(customer)
        guard index < dueTimes.count, dueTimes[index] != .max else { return nil }
        return dueTimes[index]
    }

    /// Removes and returns the earliest live timer due at or before `time`.
    public mutating func popDue(atOrBefore time: Int64) -> (customer: Int32, due: Int64)? {
        while let next = heap.min, next.due <= time {
            heap.removeMin()
            let index = Int(next.customer)
            if dueTimes[index] == next.due {
                dueTimes[index] = .max
                pendingCount -= 1
                return (next.customer, next.due)
            }
        }
        return nil
    }

    /// Stale entries are garbage; rebuild once they outnumber live ones, keeping the heap
    /// proportional to the number of customers with a pending timer.
    private mutating func compactIfMostlyStale() {
        guard heap.count > 1024, heap.count > 4 * pendingCount else { return }
        heap = ColumnHeap(liveEntries)
    }

    /// One entry per pending timer, in customer order.
    private var liveEntries: some Sequence<Entry> {
        dueTimes.enumerated().lazy.filter { $0.element != .max }.map { Entry(due: $0.element, customer: Int32($0.offset)) }
    }
}

extension TimerQueue {
    /// Empties the heap, which ``encode(into:)`` does not write; the due times stay, but no timer
    /// fires any more (``SegmentEngine/copyForSnapshot()``).
    mutating func dropRebuiltParts() {
        heap = ColumnHeap()
    }

    /// Each customer's due time; the heap is rebuilt from them. Its stale entries are skipped
    /// when they surface, so a heap of the live ones fires the same timers in the same order.
    func encode(into writer: inout BinaryWriter) {
        writer.write(array: Array(dueTimes))
    }

    init(decoding reader: inout BinaryReader, customers: Int) throws(DurabilityError) {
        let start = reader.position
        dueTimes = GrowableColumn(try reader.readArray(of: Int64.self))
        guard dueTimes.count <= customers else {
            throw reader.invalid("timers for \(dueTimes.count) customers, only \(customers) exist", at: start)
        }
        // A timer is evaluated at its due time, which is subtracted from and added to: far beyond
        // any instant the engine schedules (year 9999 is below 2^58), and safe to compute with.
        guard dueTimes.allSatisfy({ $0 == .max || (-(1 << 62)...(1 << 62)).contains($0) }) else {
            throw reader.invalid("a timer's due time is out of range", at: start)
        }
        heap = ColumnHeap(liveEntries)
        pendingCount = heap.count
    }
}
