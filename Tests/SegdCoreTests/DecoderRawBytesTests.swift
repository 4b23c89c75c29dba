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

    /// The ranges the decoder checks: ids, categories and currency codes.
    static let byteRanges: [(lowest: UInt8, highest: UInt8, outsiders: [UInt8])] = [
        (0x21, 0x7E, [0x00, 0x20, 0x7F, 0x80, 0xC3, 0xFF]), (0x20, 0x7E, [0x00, 0x1F, 0x7F, 0x80, 0xFF]), (0x41, 0x5A, [0x40, 0x5B]),
    ]

    @Test func byteRangeCheckFindsAnOutsiderAtEveryPosition() {
        for (lowest, highest, outsiders) in Self.byteRanges {
            checkByteRange(lowest: lowest, highest: highest, outsiders: outsiders)
        }
    }

    private func checkByteRange(lowest: UInt8, highest: UInt8, outsiders: [UInt8]) {
        for length in 1..<20 {
            for position in 0..<length {
                for outsider in outsiders {
                    var bytes = Array(repeating: highest, count: length)
                    bytes[position] = outsider
                    #expect(!bytes.withUnsafeBytes { $0.allBytes(in: lowest, highest) }, "length \(length), byte \(outsider) at \(position)")
                }
            }
            let inside = (0..<length).map { lowest + UInt8(($0 * 7) % Int(highest - lowest + 1)) }
            #expect(inside.withUnsafeBytes { $0.allBytes(in: lowest, highest) }, "length \(length)")
            #expect(Array(repeating: lowest, count: length).withUnsafeBytes { $0.allBytes(in: lowest, highest) })
        }
    }

    @Test func plainJSONStringContentIsPrintableASCIIWithoutQuoteOrBackslash() {
        let outsiders: [UInt8] = [0x00, 0x1F, UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x7F, 0x80, 0xC3, 0xFF]
        for length in 1..<20 {
            for position in 0..<length {
                for outsider in outsiders {
                    var bytes = Array(repeating: UInt8(ascii: "~"), count: length)
                    bytes[position] = outsider
                    #expect(!bytes.withUnsafeBytes { $0.isPlainJSONStringContent() }, "length \(length), byte \(outsider) at \(position)")
                }
            }
            // Every printable byte but the two, the neighbours of the outsiders included.
            let plain = (0x20...0x7E).map(UInt8.init).filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
            let inside = (0..<length).map { plain[($0 * 7 + length) % plain.count] }
            #expect(inside.withUnsafeBytes { $0.isPlainJSONStringContent() }, "length \(length)")
        }
        #expect([UInt8]().withUnsafeBytes { $0.isPlainJSONStringContent() })
    }

    @Test func aKeyIsReadInPlaceOnlyWhenItIsAFieldsWholeUnescapedName() {
        for field in EventField.allCases {
            let name = "\(field.wireName)"
            let escapedFirstLetter = #"\u00"# + String(name.utf8.first!, radix: 16) + name.dropFirst()
            let keys: [(json: String, field: EventField?)] = [
                ("\"\(name)\":1", field),
                ("\"\(name)\"", field),
                ("\"\(name)x\":1", nil),
                ("\"\(name.dropLast())\":1", nil),
                ("\"\(name)", nil),
                ("\"\(escapedFirstLetter)\":1", nil),
                ("\"\(name.uppercased())\":1", nil),
            ]
            for key in keys {
                let found = Array(key.json.utf8).withUnsafeBytes { EventField.named(quotedAt: 0, in: $0) }
                #expect(found?.field == key.field, "\(key.json)")
                #expect(found.map { $0.end == 1 + name.utf8.count } ?? true)
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
        // Every length up to three words, a difference at every position.
        let bytes = (0..<24).map { UInt8(0x41 + $0) }
        for count in 0...bytes.count {
            let a = Array(bytes[0..<count])
            #expect(a.withUnsafeBytes { a in bytes.withUnsafeBytes { a.hasSameBytes(as: UnsafeRawBufferPointer(rebasing: $0[0..<count])) } })
            for position in 0..<count {
                var b = a
                b[position] ^= 0x20
                #expect(!a.withUnsafeBytes { a in b.withUnsafeBytes { a.hasSameBytes(as: $0) } }, "count \(count), position \(position)")
            }
        }
    }
}
