/// Appends JSON to a byte buffer without Foundation. Outbound messages are small, flat objects,
/// so the writer tracks only whether a comma is due; the caller writes keys and values in order.
/// Reuse one writer (``reset()``) so steady-state encoding does not allocate.
public struct JSONWriter: Sendable {
    private var buffer: ByteAppender
    private var needsComma = false
    private var timestamps = TimestampWriter()

    public init(capacity: Int = 1024) {
        buffer = ByteAppender(capacity: capacity)
    }

    /// A copy of what was written.
    public var bytes: [UInt8] { buffer.array }

    /// What was written, without a copy, valid during `body`.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withBytes(body)
    }

    /// Bytes written so far.
    var count: Int { buffer.count }

    /// Starts a new JSON text after what was written so far, behind `prefix` (bytes that are not
    /// part of the text, such as the topic of a message packed into the same buffer).
    mutating func beginText(after prefix: [UInt8]) {
        prefix.withUnsafeBytes { buffer.append($0) }
        needsComma = false
    }

    public mutating func reset() {
        buffer.removeAll()
        needsComma = false
    }

    public mutating func beginObject() {
        separate()
        buffer.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        buffer.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        buffer.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        buffer.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"name":` for a literal key that needs no escape, as it is, and leaves the writer
    /// ready for the value.
    public mutating func key(_ name: StaticString) {
        name.withUTF8Buffer { put(UnsafeRawBufferPointer($0), quoted: true, colon: true) }
        needsComma = false
    }

    /// Writes a key that is not known at compile time (a feature or segment name), escaped.
    /// Labelled, so that a literal key (`key("seq")`) takes the unscanned `StaticString` path.
    public mutating func key(escaping name: String) {
        string(name)
        buffer.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        var copy = value
        copy.withUTF8 { string(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Writes a string literal that needs no escape (plain ASCII letters, digits, `_` and the like)
    /// as it is, without scanning it.
    public mutating func string(literal value: StaticString) {
        value.withUTF8Buffer { put(UnsafeRawBufferPointer($0), quoted: true, colon: false) }
        needsComma = true
    }

    /// Writes a string encoded ahead of time by ``encoded(_:)``: a name written into many messages.
    public mutating func string(encoded value: [UInt8]) {
        value.withUnsafeBytes { put($0, quoted: false, colon: false) }
        needsComma = true
    }

    /// Writes `"name":` for a name encoded ahead of time by ``encoded(_:)``.
    public mutating func key(encoded name: [UInt8]) {
        name.withUnsafeBytes { put($0, quoted: false, colon: true) }
        needsComma = false
    }

    /// Writes `text`, object members encoded ahead of time (keys and values, or a key awaiting
    /// its value), preceded by the comma due: several calls' worth of output in one copy, for the
    /// parts of an alert that only depend on the rules. A comma is due after it unless it ends
    /// where a value or first member follows (`:` or `{`).
    mutating func fragment(_ text: [UInt8]) {
        text.withUnsafeBytes { fragment($0) }
    }

    /// ``fragment(_:)`` for a literal, such as `"cause":"timer"`.
    mutating func fragment(_ text: StaticString) {
        text.withUTF8Buffer { fragment(UnsafeRawBufferPointer($0)) }
    }

    private mutating func fragment(_ text: UnsafeRawBufferPointer) {
        put(text, quoted: false, colon: false)
        let last = text.isEmpty ? 0 : text[text.count - 1]
        needsComma = last != UInt8(ascii: ":") && last != UInt8(ascii: "{")
    }

    /// Writes the comma due, then `text` (in quotes when `quoted`, followed by a colon when
    /// `colon`), in one piece: one capacity check for the whole, not one per character.
    private mutating func put(_ text: UnsafeRawBufferPointer, quoted: Bool, colon: Bool) {
        let quote = quoted ? 1 : 0
        Self.appendAfterComma(needsComma, 2 * quote + text.count + (colon ? 1 : 0), to: &buffer) { out in
            if quoted { out[0] = UInt8(ascii: "\"") }
            if let source = text.baseAddress {
                UnsafeMutableRawPointer(out.baseAddress! + quote).copyMemory(from: source, byteCount: text.count)
            }
            if quoted { out[quote + text.count] = UInt8(ascii: "\"") }
            if colon { out[out.count - 1] = UInt8(ascii: ":") }
        }
    }

    /// Appends the comma due (when `comma`), then `length` bytes that `body` writes in place: one
    /// capacity check for the whole piece, not one per part. Static, so that `body` may use the
    /// writer's other stored properties while `buffer` is being appended to.
    @inline(__always)
    private static func appendAfterComma(
        _ comma: Bool, _ length: Int, to buffer: inout ByteAppender, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void
    ) {
        let skip = comma ? 1 : 0
        buffer.append(length: skip + length) { out in
            if comma { out[0] = UInt8(ascii: ",") }
            body(UnsafeMutableBufferPointer(start: out.baseAddress! + skip, count: length))
        }
    }

    /// `value` as a quoted, escaped JSON string, for ``string(encoded:)`` and ``key(encoded:)``.
    public static func encoded(_ value: String) -> [UInt8] {
        var writer = JSONWriter(capacity: value.utf8.count + 2)
        writer.string(value)
        return writer.bytes
    }

    /// Writes `value` (which must be valid UTF-8) as a JSON string, escaping what RFC 8259 requires.
    public mutating func string(utf8 value: UnsafeRawBufferPointer) {
        // Ids almost never need an escape: then quotes and bytes go out in one piece.
        if value.isPlainJSONStringContent() {
            put(value, quoted: true, colon: false)
            needsComma = true
            return
        }
        separate()
        buffer.append(UInt8(ascii: "\""))
        // Runs of bytes that need no escape (all of a typical id) are copied whole.
        var runStart = 0
        for (offset, byte) in value.enumerated() {
            guard Self.needsEscape(byte) else { continue }
            buffer.append(UnsafeRawBufferPointer(rebasing: value[runStart..<offset]))
            runStart = offset + 1
            buffer.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer.append(byte)
            case 0x0A: buffer.append(UInt8(ascii: "n"))
            case 0x0D: buffer.append(UInt8(ascii: "r"))
            case 0x09: buffer.append(UInt8(ascii: "t"))
            default:
                buffer.append(UInt8(ascii: "u"))
                buffer.append(UInt8(ascii: "0"))
                buffer.append(UInt8(ascii: "0"))
                buffer.append(Self.hexDigit(byte >> 4))
                buffer.append(Self.hexDigit(byte & 0xF))
            }
        }
        buffer.append(UnsafeRawBufferPointer(rebasing: value[runStart...]))
        buffer.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func integer(_ value: Int64) {
        let sign = value < 0 ? 1 : 0
        var magnitude = value.magnitude
        // The sign and the digits in one piece, the digits written from the last.
        Self.appendAfterComma(needsComma, sign + Self.decimalDigits(magnitude), to: &buffer) { out in
            if sign == 1 { out[0] = UInt8(ascii: "-") }
            var position = out.count
            repeat {
                position -= 1
                out[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
        }
        needsComma = true
    }

    private static func decimalDigits(_ value: UInt64) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    public mutating func integer(_ value: Int) { integer(Int64(value)) }

    /// Writes a feature value: integers without a fraction, others in the shortest form that
    /// reads back to the same Double, and NaN or infinity (no value) as `null`.
    public mutating func number(_ value: Double) {
        if !value.isFinite {
            null()
        } else if value == value.rounded(), abs(value) < 9.0e15 {
            integer(Int64(value))
        } else {
            separate()
            // Double.description's text, which `write(to:)` hands to the buffer as bytes
            // (``ByteAppender/_writeASCII(_:)``) instead of a String allocated for each value
            // longer than 15 bytes, such as 4.666666666666667.
            value.write(to: &buffer)
            needsComma = true
        }
    }

    /// Writes an event time as an RFC 3339 string (``TimestampFormat``).
    public mutating func timestamp(_ milliseconds: Int64) {
        Self.appendAfterComma(needsComma, TimestampFormat.length + 2, to: &buffer) { out in
            out[0] = UInt8(ascii: "\"")
            timestamps.write(milliseconds, into: UnsafeMutableBufferPointer(start: out.baseAddress! + 1, count: TimestampFormat.length))
            out[out.count - 1] = UInt8(ascii: "\"")
        }
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        literal(value ? "true" : "false")
    }

    public mutating func null() {
        literal("null")
    }

    private mutating func literal(_ text: StaticString) {
        separate()
        text.withUTF8Buffer { buffer.append(UnsafeRawBufferPointer($0)) }
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { buffer.append(UInt8(ascii: ",")) }
    }

    /// Whether `byte` cannot stand as it is inside a JSON string: a control character (DEL too,
    /// escaped for readability), a quote or a backslash.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
