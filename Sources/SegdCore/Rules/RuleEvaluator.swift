/// Runs a compiled rule. This file is the one place that defines what a rule means at run time:
///
/// - Arithmetic is IEEE 754 double precision, except that `x / 0` is `0`. An average such as
///   `spend_90d / orders_90d` then reads 0 for a customer with no orders instead of NaN, so
///   `not (a > b)` and `a <= b` agree as analysts expect. Nothing in a rule can trap.
/// - With finite features only overflow (`1e300 * 1e300`) leaves the finite numbers; a NaN
///   that follows (`inf - inf`) compares false under every operator but `!=`, and `between`
///   and `in` are false for it, as IEEE 754 defines.
/// - `x between a and b` is `a <= x and x <= b`; `x in [...]` is exact `==` with any element.
/// - `and` and `or` evaluate their right operand only when the left does not decide.
extension RuleProgram {
    /// Evaluation allocates nothing: the stack is a temporary allocation sized at compile time
    /// (at most a few hundred bytes, because the parser bounds nesting), which Swift places on the
    /// thread's stack. The caller guarantees every slot and segment word the program reads exists.
    ///
    /// A single rule's program only reads `memberships` and never touches `claimed`; a linked
    /// catalog program sets the bits it decides and one flag per family in `claimed` (all false
    /// at the start).
    func run(features: UnsafeBufferPointer<Double>, memberships: UnsafeMutableBufferPointer<UInt64>, claimed: UnsafeMutableBufferPointer<Bool>) -> Bool {
        instructions.withUnsafeBufferPointer { code in
            constants.withUnsafeBufferPointer { table in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: maximumStackDepth) { stack in
                    /// Sets segment `segment`'s bit to `value`; a member decided true claims its family, whose
                    /// later members are then cleared without running their rules (the first match wins).
                    @inline(__always)
                    func decide(_ segment: Int, _ family: Int, _ value: Bool) {
                        if value, family >= 0 { claimed[family] = true }
                        let bit: UInt64 = 1 << UInt64(segment & 63)
                        if value { memberships[segment >> 6] |= bit } else { memberships[segment >> 6] &= ~bit }
                    }
                    var pc = 0
                    var top = 0  // number of values on the stack
                    while true {
                        switch code[pc] {
                        case .pushConstant(let value):
                            stack[top] = value
                            top += 1
                            pc += 1
                        case .pushFeature(let slot):
                            stack[top] = features[slot]
                            top += 1
                            pc += 1
                        case .negate:
                            stack[top - 1] = -stack[top - 1]
                            pc += 1
                        case .add:
                            top -= 1
                            stack[top - 1] += stack[top]
                            pc += 1
                        case .subtract:
                            top -= 1
                            stack[top - 1] -= stack[top]
                            pc += 1
                        case .multiply:
                            top -= 1
                            stack[top - 1] *= stack[top]
                            pc += 1
                        case .divide:
                            top -= 1
                            let divisor = stack[top]
                            stack[top - 1] = divisor == 0 ? 0 : stack[top - 1] / divisor
                            pc += 1
                        case .jumpIfComparison(let table, let target):
                            top -= 2
                            pc = table.matches(stack[top], stack[top + 1]) ? target : pc + 1
                        case .jumpIfFeatureComparison(let slot, let constant, let target, let table):
                            pc = table.matches(features[slot], constant) ? target : pc + 1
                        case .jumpIfBetween(let when, let target):
                            top -= 3
                            let value = stack[top]
                            let inside = stack[top + 1] <= value && value <= stack[top + 2]
                            pc = inside == when ? target : pc + 1
                        case .jumpIfMember(let first, let count, let when, let target):
                            top -= 1
                            let value = stack[top]
                            var found = false
                            for i in first..<(first + count) where table[i] == value {
                                found = true
                                break
                            }
                            pc = found == when ? target : pc + 1
                        case .jumpIfSegment(let word, let mask, let when, let target):
                            pc = (memberships[word] & mask != 0) == when ? target : pc + 1
                        case .jump(let target):
                            pc = target
                        case .result(let value):
                            return value
                        case .skipIfClaimed(let family, let segment, let next):
                            if claimed[family] {
                                decide(segment, family, false)
                                pc = next
                            } else {
                                pc += 1
                            }
                        case .decideFamilyByTable(let index, let next):
                            let table = tables[index]
                            guard let winner = table.winner(features) else {
                                pc += 1
                                continue
                            }
                            for member in table.members { decide(member, table.family, false) }
                            if winner >= 0 { decide(table.members[winner], table.family, true) }
                            pc = next
                        case .decideIfFeatureComparison(let slot, let constant, let table, let value, let segment, let family, let next):
                            if family >= 0, claimed[family] {
                                decide(segment, family, false)
                                pc = next
                            } else if table.matches(features[slot], constant) {
                                decide(segment, family, value)
                                pc = next
                            } else {
                                pc += 1
                            }
                        case .decide(let segment, let family, let value, let next):
                            decide(segment, family, value)
                            pc = next
                        }
                    }
                }
            }
        }
    }
}
