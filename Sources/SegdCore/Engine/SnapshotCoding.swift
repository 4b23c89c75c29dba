import SegdDurability

// What every type's snapshot codec shares. Each type encodes its own state in its own file; these
// are the few shapes that recur: optional values, columns of a known length, and the error for a
// value that decoded but is not one the engine can hold.
//
// Decoding checks whatever later code would subscript or trust — lengths against the customer
// count, indices against the arrays they index, stored event times against the range events can
// carry — so that a damaged payload is refused with an error, never trapped on later. It does not
// re-derive aggregates: the snapshot file's checksum is what vouches for the values.

extension BinaryWriter {
    /// A presence byte, then the value when there is one.
    mutating func write<Value>(optional value: Value?, _ encode: (inout BinaryWriter, Value) -> Void) {
        write(value != nil)
        if let value { encode(&self, value) }
    }

    /// A `UInt32` count, then each element.
    mutating func write<Element>(list elements: [Element], _ encode: (inout BinaryWriter, Element) -> Void) {
        write(UInt32(elements.count))
        for element in elements { encode(&self, element) }
    }

    /// An `Int` as the `Int64` it is on every platform segd runs on.
    mutating func write(int value: Int) {
        write(Int64(value))
    }
}

extension BinaryReader {
    /// What ``BinaryWriter/write(optional:_:)`` wrote.
    mutating func readOptional<Value>(_ decode: (inout BinaryReader) throws(DurabilityError) -> Value) throws(DurabilityError) -> Value? {
        try readBool() ? try decode(&self) : nil
    }

    /// What ``BinaryWriter/write(list:_:)`` wrote. The count is not trusted for allocation: the
    /// elements are read one by one, so a damaged count runs into the end of the bytes.
    mutating func readList<Element>(_ decode: (inout BinaryReader) throws(DurabilityError) -> Element) throws(DurabilityError) -> [Element] {
        let count = Int(try read(UInt32.self))
        var elements: [Element] = []
        for _ in 0..<count { elements.append(try decode(&self)) }
        return elements
    }

    /// A column that must hold exactly `count` elements; `what` names it in the error.
    mutating func readColumn<T: FixedWidthInteger & BitwiseCopyable>(of _: T.Type, count: Int, _ what: String) throws(DurabilityError) -> [T] {
        let start = position
        let column = try readArray(of: T.self)
        guard column.count == count else { throw invalid("\(what) has \(column.count) entries, expected \(count)", at: start) }
        return column
    }

    mutating func readInt() throws(DurabilityError) -> Int {
        Int(try read(Int64.self))
    }

    /// A count that must not be negative, such as a number of alerts.
    mutating func readCount(_ what: String) throws(DurabilityError) -> Int {
        let start = position
        let value = try readInt()
        guard value >= 0 else { throw invalid("\(what) is \(value), a count cannot be negative", at: start) }
        return value
    }

    /// An event time, `Int64.min` standing for none when `allowingNone`.
    mutating func readInstant(_ what: String, allowingNone: Bool) throws(DurabilityError) -> Int64 {
        let start = position
        let value = try read(Int64.self)
        guard EventTime.isStorable(value, allowingNone: allowingNone) else {
            throw invalid("\(what) \(value) is not an event time in years 0001…9999", at: start)
        }
        return value
    }

    /// The error for a value that decoded but is not one the engine can hold, at `offset` in
    /// the bytes (by default where the reader is now).
    func invalid(_ what: String, at offset: Int? = nil) -> DurabilityError {
        DurabilityError(.invalidValue(what), path: path, offset: baseOffset + (offset ?? position))
    }
}

/// Same-width fields of many elements as one block, column after column: field `k` of the element
/// at `row` lies at `k * rows + row`. Encoding fills every column in one pass over the elements,
/// where a column at a time would read each element (32 to 112 bytes apart) once per field.
struct ColumnBlock<Field: FixedWidthInteger & BitwiseCopyable> {
    private let values: [Field]
    private let rows: Int

    /// The block of `columns` fields of each of `elements`; `fill` puts one element's fields in
    /// column order.
    init<Elements: RandomAccessCollection>(_ elements: Elements, columns: Int, _ fill: (Elements.Element, inout Filler) -> Void) {
        rows = elements.count
        values = [Field](unsafeUninitializedCapacity: elements.count * columns) { buffer, initialized in
            for (row, element) in elements.enumerated() {
                var filler = Filler(buffer: buffer, next: row, stride: elements.count)
                fill(element, &filler)
                precondition(filler.next == row + columns * elements.count, "ColumnBlock: \(columns) fields expected per element")
            }
            initialized = buffer.count
        }
    }

    /// Reads a block of `columns` fields of `rows` elements; `what` names it in errors.
    init(reading reader: inout BinaryReader, rows: Int, columns: Int, _ what: String) throws(DurabilityError) {
        values = try reader.readColumn(of: Field.self, count: rows * columns, what)
        self.rows = rows
    }

    func encode(into writer: inout BinaryWriter) {
        writer.write(array: values)
    }

    /// Field `column` of the element at `row`.
    subscript(row: Int, column: Int) -> Field {
        values[column * rows + row]
    }

    struct Filler {
        fileprivate let buffer: UnsafeMutableBufferPointer<Field>
        fileprivate var next: Int
        fileprivate let stride: Int

        mutating func put(_ value: Field) {
            precondition(next < buffer.count, "ColumnBlock: more fields than columns")
            buffer[next] = value
            next += stride
        }
    }
}

extension EventTime {
    /// The instants an event can carry, 0001-01-01T00:00:00.000Z through 9999-12-31T23:59:59.999Z
    /// (the decoder accepts nothing else): what a stored event time must be.
    static let storableRange: ClosedRange<Int64> = -62_135_596_800_000...EventField.maxEpochMilliseconds

    /// Whether `value` is an instant in ``storableRange``, or `Int64.min` (none) when that is allowed.
    static func isStorable(_ value: Int64, allowingNone: Bool) -> Bool {
        storableRange.contains(value) || (allowingNone && value == .min)
    }
}
