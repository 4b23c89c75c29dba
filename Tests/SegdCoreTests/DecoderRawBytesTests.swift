import Testing
@testable import SegdCore

/// The eight-bytes-at-a-time paths must find a byte wherever it falls relative to a word.
@Suite struct DecoderRawBytesTests {
    @Test func stringEndsAtTheFirstQuoteWhereverItFalls() throws {
        for length in 0..<24 {
            let literal = Array("\"".utf8) + Array(repeating: UInt8(ascii: "a"), count: length) + Array("\"bcdefghijk\"".utf8)
            let token = try literal.withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes)
                return try scanner.scanString()
            }
            #expect(token == JSONStringToken(start: 1, end: 1 + length, hasEscapes: false))
        }
    }

    @Test func escapesAndControlCharactersAreFoundWhereverTheyFall() throws {
        for offset in 0..<20 {
            let prefix = Array(repeating: UInt8(ascii: "a"), count: offset)
            let escaped = Array("\"".utf8) + prefix + Array(#"\n"#.utf8) + Array(repeating: UInt8(ascii: "b"), count: 10) + Array("\"".utf8)
            let token = try escaped.withUnsafeBytes { bytes in
                var scanner = JSONScanner(bytes)
                return try scanner.scanString()
            }
            #expect(token.hasEscapes)
            #expect(token.end == escaped.count - 1)

            let control = Array("\"".utf8) + prefix + [0x1F] + Array(repeating: UInt8(ascii: "b"), count: 10) + Array("\"".utf8)
            let error = control.withUnsafeBytes { bytes -> JSONSyntaxError? in
                var scanner = JSONScanner(bytes)
                do throws(JSONSyntaxError) { _ = try scanner.scanString() } catch { return error }
                return nil
            }
            #expect(error == JSONSyntaxError(offset: 1 + offset, problem: .controlCharacterInString))
        }
    }

    @Test func byteRangeCheckFindsAnOutsiderAtEveryPosition() {
        for length in 1..<20 {
            for position in 0..<length {
                for outsider: UInt8 in [0x00, 0x20, 0x7F, 0x80, 0xC3, 0xFF] {
                    var bytes = Array(repeating: UInt8(ascii: "~"), count: length)
                    bytes[position] = outsider
                    #expect(!bytes.withUnsafeBytes { $0.allBytes(in: 0x21, 0x7E) }, "length \(length), byte \(outsider) at \(position)")
                }
                let inside = (0..<length).map { UInt8(0x21 + ($0 * 7) % 94) }
                #expect(inside.withUnsafeBytes { $0.allBytes(in: 0x21, 0x7E) })
            }
        }
    }

    @Test func sameBytesComparesLengthAndEveryByte() {
        let name = Array("producer_seq".utf8)
        name.withUnsafeBytes { a in
            #expect(a.hasSameBytes(as: "producer_seq"))
            #expect(!a.hasSameBytes(as: "producer_sex"))
            #expect(!a.hasSameBytes(as: "producer_se"))
            #expect(!a.hasSameBytes(as: "Producer_seq"))
        }
    }
}
