import Testing
@testable import SegdDurability

@Suite struct BinaryCodingTests {
    @Test func everyScalarKindRoundTrips() throws {
        var writer = BinaryWriter()
        writer.write(UInt8(0xAB))
        writer.write(UInt16(0xBEEF))
        writer.write(UInt32(0xDEAD_BEEF))
        writer.write(UInt64.max - 1)
        writer.write(Int32.min)
        writer.write(Int64(-42))
        writer.write(-0.0 as Double)
        writer.write(Double.pi)
        writer.write(true)
        writer.write(false)
        writer.write(lengthPrefixed: [1, 2, 3] as [UInt8])
        writer.write("Zürich 🚲")
        writer.write("")

        var reader = BinaryReader(writer.bytes)
        #expect(try reader.read(UInt8.self) == 0xAB)
        #expect(try reader.read(UInt16.self) == 0xBEEF)
        #expect(try reader.read(UInt32.self) == 0xDEAD_BEEF)
        #expect(try reader.read(UInt64.self) == UInt64.max - 1)
        #expect(try reader.read(Int32.self) == Int32.min)
        #expect(try reader.read(Int64.self) == -42)
        let negativeZero = try reader.readDouble()
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        #expect(try reader.readDouble() == Double.pi)
        #expect(try reader.readBool() == true)
        #expect(try reader.readBool() == false)
        #expect(try reader.readLengthPrefixed() == [1, 2, 3])
        #expect(try reader.readString() == "Zürich 🚲")
        #expect(try reader.readString() == "")
        try reader.expectEnd()
    }

    @Test func integersAreLittleEndianAndStringsCarryAUInt32Length() {
        var writer = BinaryWriter()
        writer.write(UInt32(0x0102_0304))
        writer.write(Int16(-2))
        writer.write("ab")
        #expect(writer.bytes == [0x04, 0x03, 0x02, 0x01, 0xFE, 0xFF, 2, 0, 0, 0, 0x61, 0x62])
    }

    @Test func nanPayloadSurvivesBecauseTheBitPatternIsStored() throws {
        let nan = Double(nan: 0x1234, signaling: false)
        var writer = BinaryWriter()
        writer.write(nan)
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.readDouble().bitPattern == nan.bitPattern)
    }

    @Test func bulkArraysRoundTrip() throws {
        let ids = (0..<10_000).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let deltas: [Int32] = [Int32.min, -1, 0, 1, Int32.max]
        let amounts = [0.5, -1e300, .infinity, 3.25]
        var writer = BinaryWriter()
        writer.write(array: ids)
        writer.write(array: deltas)
        writer.write(array: amounts)
        writer.write(array: [] as [UInt16])
        #expect(writer.count == 4 + ids.count * 8 + 4 + deltas.count * 4 + 4 + amounts.count * 8 + 4)

        var reader = BinaryReader(writer.bytes)
        #expect(try reader.readArray(of: UInt64.self) == ids)
        #expect(try reader.readArray(of: Int32.self) == deltas)
        #expect(try reader.readArray(of: Double.self) == amounts)
        #expect(try reader.readArray(of: UInt16.self) == [])
        try reader.expectEnd()
    }

    @Test func bulkArrayBytesMatchElementwiseEncoding() {
        var bulk = BinaryWriter()
        bulk.write(array: [UInt32(1), 0x0A0B_0C0D])
        var single = BinaryWriter()
        single.write(UInt32(2))
        single.write(UInt32(1))
        single.write(UInt32(0x0A0B_0C0D))
        #expect(bulk.bytes == single.bytes)
    }

    /// Every proper prefix of a valid encoding must throw — never trap, never return garbage.
    @Test func everyTruncationThrowsWithPathAndFileOffset() throws {
        var writer = BinaryWriter()
        writer.write(UInt64(7))
        writer.write("customer-1")
        writer.write(array: [Int64(1), 2, 3])
        writer.write(true)
        let full = writer.bytes
        for length in 0..<full.count {
            var reader = BinaryReader(Array(full[..<length]), path: "/data/snapshot-x.snap", baseOffset: 44)
            let error = #expect(throws: DurabilityError.self) {
                _ = try reader.read(UInt64.self)
                _ = try reader.readString()
                _ = try reader.readArray(of: Int64.self)
                _ = try reader.readBool()
            }
            let thrown = try #require(error)
            guard case .truncated = thrown.problem else {
                Issue.record("length \(length): \(thrown)")
                continue
            }
            #expect(thrown.path == "/data/snapshot-x.snap")
            #expect(try #require(thrown.offset) >= 44 && thrown.offset! <= 44 + length)
            #expect(thrown.description.hasPrefix("/data/snapshot-x.snap at offset "))
        }
    }

    @Test func hugeDeclaredCountIsRejectedBeforeAllocating() throws {
        var reader = BinaryReader([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3], path: "p")
        let error = try #require(#expect(throws: DurabilityError.self) { _ = try reader.readArray(of: UInt64.self) })
        #expect(error.problem == .truncated(needed: Int(UInt32.max) * 8, available: 3))
        #expect(error.offset == 4)
    }

    @Test func invalidBoolAndInvalidUTF8AreErrorsNotTraps() throws {
        var boolReader = BinaryReader([2], path: "p")
        let boolError = try #require(#expect(throws: DurabilityError.self) { _ = try boolReader.readBool() })
        #expect(boolError.problem == .invalidValue("Bool byte 2, expected 0 or 1"))
        #expect(boolError.offset == 0)

        var stringReader = BinaryReader([2, 0, 0, 0, 0xC3, 0x28], path: "p")
        let stringError = try #require(#expect(throws: DurabilityError.self) { _ = try stringReader.readString() })
        #expect(stringError.problem == .invalidValue("string is not valid UTF-8"))
    }

    @Test func trailingBytesAreReportedByExpectEnd() throws {
        var reader = BinaryReader([1, 2, 3], path: "p")
        _ = try reader.read(UInt16.self)
        #expect(throws: DurabilityError(.sizeMismatch(expected: 2, actual: 3), path: "p", offset: 2)) {
            try reader.expectEnd()
        }
    }
}
