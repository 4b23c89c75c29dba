/// The doubled table that a growing open-addressing table (``IDHashSet``, ``CustomerIndex``) will
/// move into, made ready first: its pages are written one per insert while the inserts still go
/// to the current table, which meanwhile fills a little past half (by 1/128 of its slots at most).
///
/// A fresh table from `calloc` is mapped by the kernel page by page on first touch, and a page
/// first read (a lookup) and then written (an insert) faults twice, the second time flushing the
/// TLB of every CPU the process runs on. Moving into the table touched its pages in random order,
/// so nearly all of them faulted within the first inserts after the growth began: probe timelines
/// of the 100k events/s latency run showed ingest stalled for 10–50 ms at each doubling of the
/// dedup set and of the customer index. A page written first is mapped by one fault, and one
/// page per insert spreads them out.
struct TablePreparation<Element: BitwiseCopyable> {
    /// The table being prepared, between the insert that found growth due and the one that
    /// finished it.
    private var table: ZeroedTable<Element>?
    /// How far from the table's start its pages are written.
    private var preparedBytes = 0

    private static var pageSize: Int { 4096 }

    /// The owner's step at each insert into its table of `capacity` slots: starts preparing a
    /// table of twice that when `growthDue` holds, writes the next page of one being prepared, and
    /// returns it, for the owner to move into, once every page is written.
    mutating func advance(growthDue: @autoclosure () -> Bool, capacity: Int) -> ZeroedTable<Element>? {
        guard table != nil else {
            if growthDue() {
                table = ZeroedTable(capacity: capacity * 2)
                preparedBytes = 0
            }
            return nil
        }
        // A copy of the owner (an engine being snapshotted) may share the table. It holds nothing
        // yet, so a new one does as well as a copy, without copying.
        if !isKnownUniquelyReferenced(&table!) {
            table = ZeroedTable(capacity: table!.capacity)
            preparedBytes = 0
        }
        let prepared = table!
        let bytes = prepared.capacity * MemoryLayout<Element>.stride
        let start = UnsafeMutableRawPointer(prepared.slots)
        if preparedBytes < bytes {
            // A zero into zeroed memory changes nothing but makes the kernel map the page now.
            start.storeBytes(of: 0, toByteOffset: preparedBytes, as: UInt8.self)
            preparedBytes += Self.pageSize
            return nil
        }
        // The writes a page apart touched every page but perhaps the last, when the table does not
        // start at a page boundary.
        start.storeBytes(of: 0, toByteOffset: bytes - 1, as: UInt8.self)
        table = nil
        return prepared
    }
}
