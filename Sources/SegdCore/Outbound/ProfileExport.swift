/// One customer as JSON — id, first and last seen, every feature by name at the engine clock, and
/// segment memberships by name. `segd replay --profiles` writes one line per customer; the admin
/// lookup by id uses the same form.
public enum ProfileExport {
    public static func encode(_ customer: Int32, of engine: SegmentEngine, into writer: inout JSONWriter) {
        let profile = engine.store.profiles[Int(customer)]
        let features = engine.features(of: customer)
        writer.reset()
        writer.beginObject()
        writer.key("customer_id")
        engine.store.index.withID(customer) { writer.string(utf8: $0) }
        writer.key("first_seen")
        writer.timestamp(profile.firstSeen)
        writer.key("last_seen")
        writer.timestamp(profile.lastSeen)
        writer.key("last_order")
        if profile.lastOrder == .min { writer.null() } else { writer.timestamp(profile.lastOrder) }
        writer.key("features")
        writer.beginObject()
        for (slot, name) in engine.layout.names.enumerated() {
            writer.key(escaping: name)
            writer.number(features[slot])
        }
        writer.endObject()
        writer.key("top_categories")
        writer.beginArray()
        for category in engine.store.topCategories.top(customer) { writer.string(category) }
        writer.endArray()
        writer.key("segments")
        writer.beginArray()
        for (index, segment) in engine.segments.enumerated() where engine.store.isMember(customer, segment: index) {
            writer.string(segment.name)
        }
        writer.endArray()
        writer.endObject()
    }
}
