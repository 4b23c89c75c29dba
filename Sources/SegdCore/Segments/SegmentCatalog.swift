/// Everything the engine derives from the config's `[[segment]]` list, built once per load or
/// reload: the compiled segments, the order to evaluate them in, their families, and what a rule
/// reads that can change with time alone (windows that slide, history features that grow).
public struct SegmentCatalog: Sendable {
    public let segments: [SegmentDefinition]
    /// Segments in an order where every segment comes after the segments its rule reads and, in
    /// a family, after the members listed before it.
    let evaluationOrder: [Int]
    /// Each segment's position in ``evaluationOrder``.
    private let evaluationRank: [Int]
    /// Every segment's rule linked into one program in ``evaluationOrder``, deciding each
    /// membership bit in turn (see ``evaluate(features:memberships:)``).
    let program: RuleProgram
    /// What an evaluation computes: the features some rule reads, and the window sums the
    /// watches start from.
    let evaluated: FeatureSelection
    /// What of those windows can change a rule's answer as buckets leave them, one per window.
    let windowWatches: [WindowWatch]
    /// The history features that grow with time and some rule reads, each with the values (in
    /// whole steps, ascending) at which some rule's comparison can change its answer — ceil(c) and
    /// floor(c) + 1 for each constant c the feature is compared with — or nil when a rule uses the
    /// feature in arithmetic, so that every step matters.
    let timedHistory: [(feature: FeatureLayout.HistoryFeature, changePoints: [Int64]?)]
    /// The churn features that fall with time (P(alive), expected orders and value) some rule
    /// reads, each with the constants rules compare it with, or nil when a rule does arithmetic
    /// with it.
    let churnComparisons: [(slot: Int, constants: [Double]?)]
    /// Family number of each segment (nil when free-standing), and the family names.
    let familyOfSegment: [Int?]
    let families: [String]
    /// What each segment's alerts say that only the rules decide, written in one piece: for an
    /// exit and an enter, `"type":"exit"` or `"enter"`, `"segment":NAME` and, for a family member,
    /// `"family":FAMILY,"previous":` awaiting the member left.
    let alertHeads: [(exit: [UInt8], enter: [UInt8])]
    /// Per family, its members' bits in membership words, to find a member in one pass per word.
    private let familyMasks: [[UInt64]]
    /// Whether some rule reads an RFM score (the quintiles are then kept current), and `r_score`
    /// in particular (which falls with time and needs a timer).
    let readsRFMScores: Bool
    let readsRecencyScore: Bool

    public init(_ configured: [EngineConfiguration.Segment], layout: FeatureLayout) throws(SegmentDefinitionError) {
        segments = try SegmentDefinition.compileAll(configured, layout: layout)
        evaluationOrder = try SegmentDefinition.evaluationOrder(segments)
        var rank = [Int](repeating: 0, count: segments.count)
        for (position, segment) in evaluationOrder.enumerated() { rank[segment] = position }
        evaluationRank = rank
        let compiled = segments
        let slotsRead = Set(segments.flatMap(\.rule.featureSlots))
        let windowedSlots = slotsRead.filter { layout.window(ofSlot: $0) != nil }.sorted()
        let watches = WindowWatch.watches(
            reading: windowedSlots.map { slot in (slot, Self.comparisonConstants(ofSlot: slot, segments: compiled) ?? nil) }, layout: layout)
        windowWatches = watches
        let slotsWatched = watches.flatMap { watch in watch.counters.map { layout.slot($0.counter.measure, window: watch.window) } }
        evaluated = FeatureSelection(slots: slotsRead.union(slotsWatched), layout: layout)
        timedHistory = Self.timedHistory(segments: segments, layout: layout)
        churnComparisons = (0..<layout.count).filter(layout.isDecayingChurnSlot).compactMap { slot in
            Self.comparisonConstants(ofSlot: slot, segments: compiled).map { (slot, $0) }
        }
        var families: [String] = []
        for case let family? in segments.map(\.family) where !families.contains(family) { families.append(family) }
        self.families = families
        familyOfSegment = segments.map { segment in segment.family.flatMap { families.firstIndex(of: $0) } }
        let familyNumbers = familyOfSegment
        let familyNames = families.map(JSONWriter.encoded)
        alertHeads = segments.indices.map { segment in
            (Self.alertHead(compiled[segment], family: familyNumbers[segment].map { familyNames[$0] }, entered: false),
             Self.alertHead(compiled[segment], family: familyNumbers[segment].map { familyNames[$0] }, entered: true))
        }
        let words = Self.membershipWords(segmentCount: segments.count)
        familyMasks = families.indices.map { family in
            var mask = [UInt64](repeating: 0, count: words)
            for segment in familyNumbers.indices where familyNumbers[segment] == family { mask[segment >> 6] |= 1 << UInt64(segment & 63) }
            return mask
        }
        let order = evaluationOrder
        let tables = families.indices.compactMap { family in
            FamilyTable(family: family, members: order.filter { familyNumbers[$0] == family }, segments: compiled, layout: layout)
        }
        program = RuleProgram.linking(
            evaluationOrder.map { [compiled] in (segment: $0, family: familyNumbers[$0] ?? -1, program: compiled[$0].rule.program) }, tables: tables)
        let scoreSlots: [FeatureLayout.HistoryFeature] = [.rScore, .fScore, .mScore, .fmScore]
        readsRFMScores = scoreSlots.contains { slotsRead.contains(layout.slot($0)) }
        readsRecencyScore = slotsRead.contains(layout.slot(.rScore))
    }

    /// Decides every segment for a customer with `features` (one value per slot of the layout),
    /// in evaluation order: a segment's rule sees the new bits of the segments it depends on, and
    /// in a family the first member (in config order) whose rule holds wins. `memberships` holds
    /// ``membershipWords`` words; bits of no segment are left as they are.
    func evaluate(features: [Double], memberships: inout [UInt64]) {
        precondition(memberships.count == membershipWords, "membership words \(memberships.count), the catalog has \(membershipWords)")
        features.withUnsafeBufferPointer { values in
            memberships.withUnsafeMutableBufferPointer { bits in
                withUnsafeTemporaryAllocation(of: Bool.self, capacity: families.count) { claimed in
                    claimed.initialize(repeating: false)
                    _ = program.run(features: values, memberships: bits, claimed: claimed)
                }
            }
        }
    }

    /// Fills `changes` (emptied first) with the segments whose bits differ between the membership
    /// words `old` and `new`, in evaluation order.
    func changedSegments(from old: [UInt64], to new: [UInt64], into changes: inout [Int]) {
        changes.removeAll(keepingCapacity: true)
        for word in old.indices {
            var differing = old[word] ^ new[word]
            while differing != 0 {
                let segment = word << 6 | differing.trailingZeroBitCount
                differing &= differing - 1
                // Inserted in place by rank: there are only a few.
                var position = changes.count
                changes.append(segment)
                while position > 0, evaluationRank[changes[position - 1]] > evaluationRank[segment] {
                    changes[position] = changes[position - 1]
                    position -= 1
                }
                changes[position] = segment
            }
        }
    }

    /// The member of `family` whose bit is set in `words` (the first in config order, should a
    /// reload have left two), if any.
    func member(of family: Int, in words: [UInt64]) -> Int? {
        let mask = familyMasks[family]
        for index in mask.indices where words[index] & mask[index] != 0 {
            return index << 6 | (words[index] & mask[index]).trailingZeroBitCount
        }
        return nil
    }

    private static func alertHead(_ segment: SegmentDefinition, family: [UInt8]?, entered: Bool) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.key("type")
        writer.string(literal: entered ? "enter" : "exit")
        writer.key("segment")
        writer.string(encoded: segment.encodedName)
        if let family {
            writer.key("family")
            writer.string(encoded: family)
            writer.key("previous")
        }
        return writer.bytes
    }

    /// The families decided by a table lookup (``FamilyTable``) rather than by their rules.
    var tabledFamilies: [Int] { program.tables.map(\.family) }

    /// Membership words per customer this catalog needs.
    var membershipWords: Int { Self.membershipWords(segmentCount: segments.count) }

    private static func membershipWords(segmentCount: Int) -> Int { max(1, (segmentCount + 63) / 64) }

    private static func timedHistory(segments: [SegmentDefinition], layout: FeatureLayout) -> [(feature: FeatureLayout.HistoryFeature, changePoints: [Int64]?)] {
        var result: [(feature: FeatureLayout.HistoryFeature, changePoints: [Int64]?)] = []
        for feature in FeatureLayout.HistoryFeature.allCases where feature.growthStep != nil {
            guard let thresholds = comparisonConstants(ofSlot: layout.slot(feature), segments: segments) else { continue }
            let points = thresholds.map { constants in
                Set(constants.filter { abs($0) < 1e15 }.flatMap { [Int64($0.rounded(.up)), Int64($0.rounded(.down)) + 1] }).sorted()
            }
            result.append((feature, points))
        }
        return result
    }

    /// Whether some rule reads `slot` (nil when none does) and then the finite constants the
    /// rules compare it with, or an inner nil when a rule does arithmetic with it.
    private static func comparisonConstants(ofSlot slot: Int, segments: [SegmentDefinition]) -> [Double]?? {
        let readers = segments.filter { $0.rule.featureSlots.contains(slot) }
        guard !readers.isEmpty else { return nil }
        var thresholds: [Double] = []
        for segment in readers {
            guard let constants = segment.rule.comparisonConstants(ofSlot: slot) else { return .some(nil) }
            thresholds.append(contentsOf: constants.filter(\.isFinite))
        }
        return .some(thresholds)
    }
}
