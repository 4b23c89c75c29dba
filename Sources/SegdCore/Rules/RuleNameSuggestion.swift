/// The known name closest to a misspelt one, for "did you mean" hints. Nothing is suggested
/// when every candidate is so different that the hint would only confuse; ties go to the
/// candidate listed first, so messages are stable. Shared with the config reader's unknown-key hints.
public func closestName(to name: String, among candidates: [String]) -> String? {
    let target = Array(name.unicodeScalars)
    let allowed = max(1, target.count / 3)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(target, Array(candidate.unicodeScalars))
        if distance <= allowed, distance < target.count, distance < best?.distance ?? .max {
            best = (candidate, distance)
        }
    }
    return best?.name
}

/// Levenshtein distance (insert, delete, substitute), one row at a time.
private func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    var previous = Array(0...b.count)
    var row = previous
    for (i, x) in a.enumerated() {
        row[0] = i + 1
        for (j, y) in b.enumerated() {
            row[j + 1] = min(previous[j] + (x == y ? 0 : 1), previous[j + 1] + 1, row[j] + 1)
        }
        swap(&previous, &row)
    }
    return previous[b.count]
}
