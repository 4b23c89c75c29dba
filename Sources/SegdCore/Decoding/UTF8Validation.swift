/// Full UTF-8 well-formedness check (Unicode, table 3-7 "Well-Formed UTF-8 Byte Sequences"):
/// rejects overlong forms, UTF-16 surrogates, code points above U+10FFFF and truncated sequences.
/// Owns nothing; the decoder runs it once over a payload before scanning JSON, so the scanner can
/// pass non-ASCII bytes through without looking at them.
enum UTF8Validation {
    /// Why a byte sequence is not UTF-8, worded for a rejection detail.
    enum Problem: Sendable, Equatable {
        case unexpectedContinuationByte
        case invalidLeadByte
        case overlongEncoding
        case surrogateCodePoint
        case aboveMaximumCodePoint
        case truncatedSequence

        var explanation: String {
            switch self {
            case .unexpectedContinuationByte: "continuation byte without a lead byte"
            case .invalidLeadByte: "byte that never occurs in UTF-8"
            case .overlongEncoding: "overlong encoding"
            case .surrogateCodePoint: "encoded UTF-16 surrogate (U+D800…U+DFFF)"
            case .aboveMaximumCodePoint: "code point above U+10FFFF"
            case .truncatedSequence: "multi-byte sequence cut short"
            }
        }
    }

    /// The first ill-formed sequence: the offset of its lead byte and what is wrong with it.
    struct Failure: Sendable, Equatable {
        var offset: Int
        var problem: Problem
    }

    /// Whether `bytes` is well-formed UTF-8.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        firstFailure(in: bytes) == nil
    }

    /// Returns nil when `bytes` is well-formed UTF-8, else the first problem.
    static func firstFailure(in bytes: UnsafeRawBufferPointer) -> Failure? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        // Events are almost always pure ASCII, which one pass of eight-byte words settles.
        if bytes.allBytes(in: 0x00, 0x7F) { return nil }
        var i = 0
        while i < count {
            // ASCII runs between multi-byte sequences: eight bytes per step.
            while i + 8 <= count,
                  base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < count else { break }
            let lead = base.load(fromByteOffset: i, as: UInt8.self)
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            // The range the second byte must fall in is where overlongs, surrogates and
            // > U+10FFFF are excluded (table 3-7); later bytes are always 80…BF.
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            var secondProblem = Problem.truncatedSequence
            switch lead {
            case 0x80...0xBF:
                return Failure(offset: i, problem: .unexpectedContinuationByte)
            case 0xC0, 0xC1:
                return Failure(offset: i, problem: .overlongEncoding)
            case 0xC2...0xDF:
                length = 2
            case 0xE0:
                length = 3
                secondLow = 0xA0
                secondProblem = .overlongEncoding
            case 0xED:
                length = 3
                secondHigh = 0x9F
                secondProblem = .surrogateCodePoint
            case 0xE1...0xEF:
                length = 3
            case 0xF0:
                length = 4
                secondLow = 0x90
                secondProblem = .overlongEncoding
            case 0xF1...0xF3:
                length = 4
            case 0xF4:
                length = 4
                secondHigh = 0x8F
                secondProblem = .aboveMaximumCodePoint
            case 0xF5...0xF7:
                return Failure(offset: i, problem: .aboveMaximumCodePoint)
            default:
                return Failure(offset: i, problem: .invalidLeadByte)
            }
            guard i + 1 < count else { return Failure(offset: i, problem: .truncatedSequence) }
            let second = base.load(fromByteOffset: i + 1, as: UInt8.self)
            if second < 0x80 || second > 0xBF {
                return Failure(offset: i, problem: .truncatedSequence)
            }
            if second < secondLow || second > secondHigh {
                return Failure(offset: i, problem: secondProblem)
            }
            var k = 2
            while k < length {
                guard i + k < count else { return Failure(offset: i, problem: .truncatedSequence) }
                let next = base.load(fromByteOffset: i + k, as: UInt8.self)
                if next & 0xC0 != 0x80 { return Failure(offset: i, problem: .truncatedSequence) }
                k += 1
            }
            i += length
        }
        return nil
    }
}
