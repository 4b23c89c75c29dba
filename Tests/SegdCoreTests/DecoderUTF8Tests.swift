import Testing
@testable import SegdCore

@Suite struct DecoderUTF8Tests {
    private func failure(_ bytes: [UInt8]) -> UTF8Validation.Failure? {
        bytes.withUnsafeBytes { UTF8Validation.firstFailure(in: $0) }
    }

    @Test func wellFormedTextOfEveryLengthPasses() {
        #expect(failure([]) == nil)
        #expect(failure(Array("plain ASCII text longer than eight bytes".utf8)) == nil)
        #expect(failure(Array("é€😀\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}\u{D7FF}\u{E000}".utf8)) == nil)
        #expect(Array("é€😀".utf8).withUnsafeBytes { UTF8Validation.isValid($0) })
        #expect(![UInt8(0xC3)].withUnsafeBytes { UTF8Validation.isValid($0) })
    }

    @Test(arguments: [
        ([0x80], UTF8Validation.Problem.unexpectedContinuationByte), ([0xBF], .unexpectedContinuationByte),
        ([0xC0, 0x80], .overlongEncoding), ([0xC1, 0xBF], .overlongEncoding),
        ([0xE0, 0x80, 0x80], .overlongEncoding), ([0xE0, 0x9F, 0xBF], .overlongEncoding),
        ([0xF0, 0x80, 0x80, 0x80], .overlongEncoding), ([0xF0, 0x8F, 0xBF, 0xBF], .overlongEncoding),
        ([0xED, 0xA0, 0x80], .surrogateCodePoint), ([0xED, 0xBF, 0xBF], .surrogateCodePoint),
        ([0xF4, 0x90, 0x80, 0x80], .aboveMaximumCodePoint), ([0xF5, 0x80, 0x80, 0x80], .aboveMaximumCodePoint),
        ([0xF8, 0x88, 0x80, 0x80, 0x80], .invalidLeadByte), ([0xFE], .invalidLeadByte), ([0xFF], .invalidLeadByte),
        ([0xC2], .truncatedSequence), ([0xE2, 0x82], .truncatedSequence), ([0xF0, 0x9F, 0x98], .truncatedSequence),
        ([0xC3, 0x28], .truncatedSequence), ([0xE2, 0x28, 0xA1], .truncatedSequence), ([0xE2, 0x82, 0x28], .truncatedSequence),
    ])
    func illFormedSequenceIsFoundWithItsProblem(sequence: [UInt8], problem: UTF8Validation.Problem) {
        #expect(failure(sequence) == .init(offset: 0, problem: problem))
    }

    @Test func offsetIsThatOfTheBadSequenceWhereverItFallsInTheEightByteSteps() {
        for prefixLength in 0..<20 {
            let bytes = Array(repeating: UInt8(ascii: "a"), count: prefixLength) + [0xC3, 0xA9, 0xFF] + Array("tail".utf8)
            #expect(failure(bytes) == .init(offset: prefixLength + 2, problem: .invalidLeadByte))
        }
    }
}
