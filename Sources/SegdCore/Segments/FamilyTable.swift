/// The decision of a family whose rules read only features with a few possible values (RFM
/// scores 1–5, 0/1 flags): which member wins for every combination of those values, worked out
/// when the catalog is built by running the members' rules, so that an evaluation looks the family
/// up instead of running up to one rule per member (the 11 RFM segments took about 40 % of the
/// rule interpreter's steps).
struct FamilyTable: Sendable {
    let family: Int
    /// The family's segments in evaluation order, the order in which the first match wins.
    let members: [Int]
    /// The slots the members read, each with its possible values; in the table a slot's index 0
    /// stands for NaN (no value, such as the scores of a customer who never ordered) and index
    /// `k` for `values[k - 1]`.
    private let inputs: [(slot: Int, values: [Double], stride: Int)]
    /// Per combination of inputs, the position in ``members`` of the winner, or -1 for none.
    private let winners: [Int8]

    /// Most combinations a table may have; larger families run their rules.
    static let maximumCombinations = 4096

    /// The table for `members` of `family`, or nil when a member refers to another segment, reads
    /// a feature without a short list of values (``FeatureLayout/discreteValues(ofSlot:)``), or
    /// the combinations are too many.
    init?(family: Int, members: [Int], segments: [SegmentDefinition], layout: FeatureLayout) {
        guard members.count > 1, members.count <= Int(Int8.max),
              members.allSatisfy({ segments[$0].rule.segmentDependencies.isEmpty }) else { return nil }
        var slots: [Int] = []
        for member in members {
            for slot in segments[member].rule.featureSlots where !slots.contains(slot) { slots.append(slot) }
        }
        var inputs: [(slot: Int, values: [Double], stride: Int)] = []
        var combinations = 1
        for slot in slots {
            guard let values = layout.discreteValues(ofSlot: slot) else { return nil }
            inputs.append((slot, values, combinations))
            combinations *= values.count + 1
            guard combinations <= Self.maximumCombinations else { return nil }
        }
        var features = [Double](repeating: 0, count: layout.count)
        var winners: [Int8] = []
        winners.reserveCapacity(combinations)
        for combination in 0..<combinations {
            for input in inputs {
                let index = combination / input.stride % (input.values.count + 1)
                features[input.slot] = index == 0 ? .nan : input.values[index - 1]
            }
            let winner = features.withUnsafeBufferPointer { values in
                members.firstIndex { segments[$0].rule.evaluate(features: values, memberships: UnsafeBufferPointer(start: nil, count: 0)) }
            }
            winners.append(Int8(winner ?? -1))
        }
        self.family = family
        self.members = members
        self.inputs = inputs
        self.winners = winners
    }

    /// The position in ``members`` of the member that wins with `features`, -1 for none; nil when
    /// some input holds a value outside its list, so the members' rules must run.
    @inline(__always)
    func winner(_ features: UnsafeBufferPointer<Double>) -> Int? {
        var combination = 0
        for input in inputs {
            let value = features[input.slot]
            if value.isNaN { continue }
            guard let index = input.values.firstIndex(of: value) else { return nil }
            combination += (index + 1) * input.stride
        }
        return Int(winners[combination])
    }
}
