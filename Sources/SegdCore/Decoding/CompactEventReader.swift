/// Reads the form nearly every producer sends, in one pass over the payload: an object of schema
/// fields without escapes, each value plain (ids and categories as printable ASCII, numbers as
/// integers without fraction or exponent), with no whitespace but for one space after a
/// colon or a comma (compact JSON, and Python's `json.dumps` with its default separators). It
/// either reads such an event whole or gives up, and ``EventDecoder`` then decodes the payload in
/// full.
///
/// So it decides nothing on its own: it accepts only payloads the full decoder accepts, with the
/// same event (`DecoderCompactReaderTests` checks that on generated and damaged payloads), and
/// every rejection, with its reason and detail, comes from the full decoder. Every byte it
/// accepts is ASCII, so an event it reads needs no UTF-8 validation either.
enum CompactEventReader {
    /// Reads `payload` as an event of `kind` into `event` (text ranges are offsets in `payload`);
    /// false when the payload is not in that form or not a valid event, leaving `event`
    /// unspecified.
    static func read(_ kind: EventKind, _ payload: UnsafeRawBufferPointer, into event: inout DecodedEvent) -> Bool {
        let count = payload.count
        guard count >= 2, payload[0] == UInt8(ascii: "{") else { return false }
        event = .blank(kind)
        let allowed = EventField.allowed(in: kind)
        var seen: UInt16 = 0
        var i = 1
        while true {
            // A key: a schema field's name, closed by its quote and a colon.
            guard i < count, payload[i] == UInt8(ascii: "\""), let (field, end) = EventField.named(quotedAt: i, in: payload),
                  end + 1 < count, payload[end + 1] == UInt8(ascii: ":"),
                  allowed & field.bit != 0, seen & field.bit == 0
            else { return false }
            seen |= field.bit
            guard let next = readValue(of: field, at: afterSpace(end + 2, in: payload), in: payload, into: &event), next < count
            else { return false }
            if payload[next] == UInt8(ascii: ",") {
                i = afterSpace(next + 1, in: payload)
                continue
            }
            guard payload[next] == UInt8(ascii: "}"), next + 1 == count else { return false }
            break
        }
        let required = EventField.required(in: kind)
        return seen & required == required && EventField.missingPartners(given: seen) == 0
    }

    /// `offset`, or the offset after it when a space stands there.
    @inline(__always)
    private static func afterSpace(_ offset: Int, in payload: UnsafeRawBufferPointer) -> Int {
        offset < payload.count && payload[offset] == UInt8(ascii: " ") ? offset + 1 : offset
    }

    /// Reads the value of `field` at `start` into `event` and returns the offset just past it, or
    /// nil when it is not plain or not valid.
    @inline(__always)
    private static func readValue(
        of field: EventField, at start: Int, in payload: UnsafeRawBufferPointer, into event: inout DecodedEvent
    ) -> Int? {
        switch field {
        case .eventID, .customerID, .producerID, .productID, .sessionID:
            guard let value = plainString(at: start, in: payload, lowest: 0x21, maxCount: EventField.maxIDBytes) else { return nil }
            event.setText(TextRange(start: Int32(start + 1), count: Int32(value.count)), of: field)
            return start + value.count + 2
        case .category:
            guard let value = plainString(at: start, in: payload, lowest: 0x20, maxCount: EventField.maxCategoryBytes) else { return nil }
            event.category = TextRange(start: Int32(start + 1), count: Int32(value.count))
            return start + value.count + 2
        case .action:
            guard let value = plainString(at: start, in: payload, lowest: 0x20, maxCount: 16),
                  let action = EventDecoder.clickAction(named: value) else { return nil }
            event.action = action
            return start + value.count + 2
        case .currency:
            guard let value = plainString(at: start, in: payload, lowest: 0x20, maxCount: 3),
                  let currency = EventDecoder.currencyCode(value) else { return nil }
            event.currency = currency
            return start + value.count + 2
        case .ts where start < payload.count && payload[start] == UInt8(ascii: "\""):
            guard let value = plainString(at: start, in: payload, lowest: 0x20, maxCount: 30),
                  let milliseconds = RFC3339Timestamp.epochMilliseconds(value) else { return nil }
            event.timestamp = milliseconds
            return start + value.count + 2
        case .ts, .producerSeq, .amount, .items, .rating:
            // The number scanner's own fast path, and the full decoder's ranges.
            guard let (end, value) = JSONNumber.scanPlainInteger(payload, from: start),
                  EventDecoder.acceptNumber(value, for: field, into: &event) else { return nil }
            return end
        }
    }

    /// The bytes of the string whose opening quote is at `quote`, when it has 1…`maxCount` bytes,
    /// each in `lowest`…0x7E and none a backslash; nil otherwise. Eight bytes at a time: the first
    /// byte outside that set must be the closing quote.
    @inline(__always)
    private static func plainString(
        at quote: Int, in payload: UnsafeRawBufferPointer, lowest: UInt8, maxCount: Int
    ) -> UnsafeRawBufferPointer? {
        let count = payload.count
        guard quote < count, payload[quote] == UInt8(ascii: "\"") else { return nil }
        let start = quote + 1
        var i = start
        scan: do {
            while i + 8 <= count {
                let mask = stopMask(UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: i, as: UInt64.self)), lowest: lowest)
                if mask != 0 {
                    i += mask.trailingZeroBitCount >> 3
                    break scan
                }
                i += 8
                guard i - start <= maxCount else { return nil }
            }
            while i < count {
                let byte = payload[i]
                guard byte >= lowest, byte <= 0x7E, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
                i += 1
            }
        }
        guard i < count, payload[i] == UInt8(ascii: "\""), i > start, i - start <= maxCount else { return nil }
        return UnsafeRawBufferPointer(rebasing: payload[start..<i])
    }

    /// The high bit of every byte of `word` (read little-endian) that is a quote, a backslash,
    /// below `lowest` or above 0x7E: the scanner's marks, and the bytes that adding one carries
    /// into the high bit or that have it already. Each trick marks extra bytes only above a marked
    /// one, so the lowest mark is always exact.
    @inline(__always)
    private static func stopMask(_ word: UInt64, lowest: UInt8) -> UInt64 {
        let above = ((word &+ 0x0101_0101_0101_0101) | word) & 0x8080_8080_8080_8080
        return JSONScanner.attentionMask(word, below: lowest) | above
    }
}
