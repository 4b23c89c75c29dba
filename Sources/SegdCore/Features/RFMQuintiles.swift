import SegdDurability

/// Population quintiles for RFM scoring: the cut points that split buyers (customers with at least
/// one order) into five equal groups by recency (days since the last order), frequency (purchase
/// days) and monetary value (lifetime spend).
///
/// Recomputed exactly — a selection over every buyer's three values — when the engine clock enters a new
/// UTC day, not per event, so the hot path only compares a value with four numbers. Scores use the
/// cut points of the latest recomputation and are re-scored lazily, at each customer's next
/// evaluation (an event or a timer): moving cut points never trigger a sweep of everyone and
/// so never an alert storm.
///
/// Ties go to the lower score: a value equal to a cut point stays below it. With many customers
/// on one purchase day, F's lower cut points coincide and all of them score 1, the usual behaviour
/// of quintile RFM on retail data.
public struct RFMQuintiles: Sendable, Equatable {
    /// Cut points (20th, 40th, 60th and 80th percentile, nearest rank) of each measure; empty
    /// before the first recomputation or while there is no buyer.
    public private(set) var recencyCuts: [Double] = []
    public private(set) var frequencyCuts: [Double] = []
    public private(set) var monetaryCuts: [Double] = []
    /// The UTC day of the latest recomputation.
    public private(set) var computedDay: Int64 = .min
    public private(set) var buyers = 0

    public init() {}

    /// Recomputes the cut points from every buyer's values at `time` (profiles without an order,
    /// forgotten customers' among them, are skipped). The three value arrays are made once per
    /// recomputation at the size of the last one, and freed after it: keeping them would hold 24
    /// bytes per buyer all day for a few milliseconds of work at midnight.
    mutating func recompute(_ profiles: some Sequence<CustomerProfile>, at time: Int64, minorUnitsPerMajor: Double) {
        var recency: [Double] = []
        var frequency: [Double] = []
        var monetary: [Double] = []
        recency.reserveCapacity(buyers + buyers / 8)
        frequency.reserveCapacity(buyers + buyers / 8)
        monetary.reserveCapacity(buyers + buyers / 8)
        for profile in profiles where profile.orders > 0 {
            recency.append(Double(EventTime.floorDivide(time - profile.lastOrder, EventTime.millisecondsPerDay)))
            frequency.append(Double(profile.purchaseDays))
            monetary.append(Double(profile.spendMinor) / minorUnitsPerMajor)
        }
        buyers = recency.count
        Self.cuts(&recency, into: &recencyCuts)
        Self.cuts(&frequency, into: &frequencyCuts)
        Self.cuts(&monetary, into: &monetaryCuts)
        computedDay = EventTime.day(time)
    }

    /// Score 1…5 where larger values score higher (frequency, monetary); NaN without cut points.
    static func score(_ value: Double, above cuts: [Double]) -> Double {
        guard cuts.count == 4, !value.isNaN else { return .nan }
        return Double(1 + cuts.count { value > $0 })
    }

    /// Score 1…5 where smaller values score higher (recency: fewer days since the last order).
    static func score(_ value: Double, below cuts: [Double]) -> Double {
        guard cuts.count == 4, !value.isNaN else { return .nan }
        return Double(5 - cuts.count { value > $0 })
    }

    /// Sets `cuts` to the nearest-rank 20th, 40th, 60th and 80th percentiles of `values`
    /// (reordering them), or to none when there are no values: the values at 1-based ranks
    /// ceil(q·n/5). Found by selection, not by sorting: the recomputation runs on every buyer at
    /// each new UTC day, and four order statistics need a few passes over the values where a sort
    /// needs log n. `cuts` is overwritten in place when it already holds four.
    static func cuts(_ values: inout [Double], into cuts: inout [Double]) {
        guard !values.isEmpty else {
            cuts.removeAll(keepingCapacity: true)
            return
        }
        if cuts.count != 4 { cuts = [0, 0, 0, 0] }
        let count = values.count
        values.withUnsafeMutableBufferPointer { buffer in
            // Largest rank first: everything before a selected position is no larger than it, so
            // the next selection only needs the part before it.
            var end = buffer.count
            for quintile in stride(from: 4, through: 1, by: -1) {
                let position = max((quintile * count + 4) / 5, 1) - 1
                if position < end {
                    select(position, in: UnsafeMutableBufferPointer(rebasing: buffer[..<end]))
                    end = position
                }
                cuts[quintile - 1] = buffer[position]
            }
        }
    }

    /// Reorders `buffer` so that `buffer[k]` holds what a sort would put there, with nothing larger
    /// before it and nothing smaller after it: quickselect with a median-of-three pivot and Hoare
    /// partitioning, which splits runs of equal values evenly. Falls back to sorting the part
    /// left after a number of rounds no reasonable input needs, so no input makes it quadratic.
    private static func select(_ k: Int, in buffer: UnsafeMutableBufferPointer<Double>) {
        var low = 0
        var high = buffer.count - 1
        var rounds = 0
        while low < high {
            rounds += 1
            if rounds > 64 {
                var rest = UnsafeMutableBufferPointer(rebasing: buffer[low...high])
                rest.sort()
                return
            }
            let middle = low + (high - low) / 2
            if buffer[middle] < buffer[low] { buffer.swapAt(middle, low) }
            if buffer[high] < buffer[low] { buffer.swapAt(high, low) }
            if buffer[high] < buffer[middle] { buffer.swapAt(high, middle) }
            let pivot = buffer[middle]
            var i = low
            var j = high
            while i <= j {
                while buffer[i] < pivot { i += 1 }
                while buffer[j] > pivot { j -= 1 }
                if i <= j {
                    buffer.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now low...j holds values ≤ pivot, i...high values ≥ pivot, and j+1..<i the pivot.
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return
            }
        }
    }
}

extension RFMQuintiles {
    func encode(into writer: inout BinaryWriter) {
        writer.write(array: recencyCuts)
        writer.write(array: frequencyCuts)
        writer.write(array: monetaryCuts)
        writer.write(computedDay)
        writer.write(int: buyers)
    }

    /// Cut points come four or none; recency cuts are whole days between event times, which
    /// the recency timer turns into an instant.
    init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let start = reader.position
        recencyCuts = try reader.readArray(of: Double.self)
        frequencyCuts = try reader.readArray(of: Double.self)
        monetaryCuts = try reader.readArray(of: Double.self)
        let dayLimit = Double(EventTime.day(EventTime.storableRange.upperBound) - EventTime.day(EventTime.storableRange.lowerBound))
        guard [recencyCuts, frequencyCuts, monetaryCuts].allSatisfy({ $0.isEmpty || $0.count == 4 }),
              recencyCuts.allSatisfy({ abs($0) <= dayLimit }) else {
            throw reader.invalid("RFM cut points \(recencyCuts), \(frequencyCuts), \(monetaryCuts) are not four per measure within range", at: start)
        }
        computedDay = try reader.read(Int64.self)
        buyers = try reader.readCount("RFM buyers")
    }
}
