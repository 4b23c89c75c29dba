/// Segments whose rules refer to each other in a loop, so no evaluation order exists. Owns the
/// segment indices around the loop in reference order: each refers to the next, the last to the
/// first. The caller, which knows the names, words the message.
public struct RuleCycleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let cycle: [Int]

    public init(cycle: [Int]) { self.cycle = cycle }

    public var description: String {
        "segments refer to each other in a cycle: " + (cycle + cycle.prefix(1)).map(String.init).joined(separator: " -> ")
    }
}

/// Orders segment evaluation so that every `segment(name)` reads a membership already computed
/// for the same customer.
public enum RuleDependencyOrder {
    /// `dependencies[i]` is ``CompiledRule/segmentDependencies`` of segment `i`. Dependencies
    /// come first; otherwise segments keep their index order, so the order is stable across
    /// reloads of the same config.
    public static func order(_ dependencies: [[Int]]) throws(RuleCycleError) -> [Int] {
        enum Mark { case unvisited, inProgress, done }
        var marks = Array(repeating: Mark.unvisited, count: dependencies.count)
        var order: [Int] = []
        order.reserveCapacity(dependencies.count)
        // Depth-first post-order with an explicit stack, so a long chain of references cannot
        // exhaust the thread's stack. Each entry is a segment and the next dependency to visit.
        var path: [(segment: Int, next: Int)] = []
        for root in dependencies.indices where marks[root] == .unvisited {
            marks[root] = .inProgress
            path.append((root, 0))
            while let (segment, next) = path.last {
                guard next < dependencies[segment].count else {
                    marks[segment] = .done
                    order.append(segment)
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let dependency = dependencies[segment][next]
                switch marks[dependency] {
                case .unvisited:
                    marks[dependency] = .inProgress
                    path.append((dependency, 0))
                case .inProgress:
                    // In progress means it is on the path, so the path from it back to here is the loop.
                    let start = path.firstIndex { $0.segment == dependency }!
                    throw RuleCycleError(cycle: path[start...].map(\.segment))
                case .done:
                    break
                }
            }
        }
        return order
    }
}
