/// Renders untrusted bytes into the human sentence of a ``Rejection``: short, one line, and safe to
/// print in a log. Owns nothing; runs only on the rejection path, where allocating is allowed.
enum RejectionDetail {
    /// How much of a topic, key or value a detail repeats; enough to recognise it, never a whole payload.
    static let maxShownBytes = 64

    /// `bytes` between double quotes, with `"` and `\` backslash-escaped and every byte outside
    /// printable ASCII written as `\xNN`, so any byte sequence (even invalid UTF-8) prints safely.
    static func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
        var result = "\""
        for byte in bytes.prefix(maxShownBytes) {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                result += "\\" + String(UnicodeScalar(byte))
            case 0x20...0x7E:
                result.unicodeScalars.append(UnicodeScalar(byte))
            default:
                result += "\\x" + hexByte(byte)
            }
        }
        result += bytes.count > maxShownBytes ? "\"…" : "\""
        return result
    }

    /// A JSON value as it appears in a payload that is valid UTF-8: cut at a character boundary
    /// and with line breaks and tabs (possible inside arrays and objects) turned into spaces.
    static func excerpt(_ bytes: UnsafeRawBufferPointer) -> String {
        var end = min(bytes.count, maxShownBytes)
        while end < bytes.count, end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        let shown = bytes[0..<end].map { $0 < 0x20 ? UInt8(ascii: " ") : $0 }
        return String(decoding: shown, as: UTF8.self) + (end < bytes.count ? "…" : "")
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
