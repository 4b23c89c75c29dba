/// Turns a string token that ``JSONScanner`` has already checked into the UTF-8 bytes it stands
/// for. Owns nothing: it appends to a buffer the caller owns (the decoder's `text`).
enum JSONString {
    /// Appends the value of `token` (bytes of `payload`) to `text`. The token must come from
    /// ``JSONScanner/scanString()``, which guarantees every escape is complete and well-formed.
    static func appendValue(of token: JSONStringToken, in payload: UnsafeRawBufferPointer, to text: inout [UInt8]) {
        guard token.hasEscapes else {
            text.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[token.start..<token.end]))
            return
        }
        var i = token.start
        while i < token.end {
            let byte = payload[i]
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                i += 1
                continue
            }
            let escaped = payload[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexQuad(payload, at: i)
                i += 4
                if scalar >= 0xD800, scalar <= 0xDBFF {
                    let low = hexQuad(payload, at: i + 2)
                    i += 6
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                }
                appendUTF8(scalar, to: &text)
            default:
                // '"', '\\' and '/' stand for themselves.
                text.append(escaped)
            }
        }
    }

    /// The value of one hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func hexQuad(_ payload: UnsafeRawBufferPointer, at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for j in i..<i + 4 {
            value = value << 4 | (hexValue(payload[j]) ?? 0)
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to text: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            text.append(UInt8(scalar))
        case 0x80..<0x800:
            text.append(UInt8(0xC0 | scalar >> 6))
            text.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            text.append(UInt8(0xE0 | scalar >> 12))
            text.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            text.append(UInt8(0x80 | scalar & 0x3F))
        default:
            text.append(UInt8(0xF0 | scalar >> 18))
            text.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            text.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            text.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
