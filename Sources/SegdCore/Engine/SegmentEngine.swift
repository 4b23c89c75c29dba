public import SegdDurability

/// The segmentation engine: applies accepted events to customer state, keeps the event-time clock,
/// fires timers, evaluates segment rules and produces outbound messages with a global sequence
/// number. Live ingest and file replay drive the same instance the same way, so they produce the
/// same bytes. Not thread-safe by design: one writer owns it (DESIGN.md, "one writer per shard").
public struct SegmentEngine: Sendable {
    /// Why a customer was re-evaluated; written as the alert's `cause`.
    enum Cause {
        case event(TextRange)
        case timer
        case rulesChanged
        case modelRefit
        case forget

        /// Whether an evaluation for this cause remembers the customer's P(alive) as the one a
        /// later churn alert quotes as `previous_p_alive`. A timer only marks time passing: were
        /// its wakes to refresh the value, what an alert quotes would depend on when the engine
        /// happened to wake the customer for some rule. It still does when it moves the customer
        /// into or out of risk.
        var remembersProbabilityAlive: Bool {
            if case .timer = self { false } else { true }
        }
    }

    /// The configuration in force: the one the engine was made with, with the segments of the
    /// latest ``reload(segments:)``.
    public private(set) var configuration: EngineConfiguration
    public let layout: FeatureLayout
    /// The compiled segments and what is derived from them; replaced by ``reload(segments:)``.
    public private(set) var catalog: SegmentCatalog
    public var segments: [SegmentDefinition] { catalog.segments }
    public private(set) var store: CustomerStore
    public private(set) var statistics: EngineStatistics
    /// Outbound messages produced since the caller last drained it.
    public var outbound = OutboundBuffer()
    /// The engine clock: the newest event time seen minus the allowed lateness, or later when
    /// advanced explicitly (idle wall clock, `--until`). `Int64.min` before the first event.
    public private(set) var clock: Int64 = .min
    /// The newest event time accepted so far.
    public private(set) var newestEventTime: Int64 = .min
    /// The sequence number the next outbound message gets.
    public private(set) var nextSeq: UInt64 = 1
    /// Longest dead-letter payload echo, in bytes.
    public var deadLetterPayloadBytes = 4096

    /// The churn model and its alert state machine; nil without a `[churn]` section.
    private var churn: ChurnTracker?
    /// The event time at which the churn model is next refitted, once the clock has started.
    private var nextRefit: Int64?
    private var timers = TimerQueue()
    private var duplicates: DuplicateFilter
    private var features: [Double]
    /// Scratch for one evaluation: the customer's membership words before it.
    private var previousMemberships: [UInt64]
    /// Scratch for the memberships being evaluated, the same size as ``previousMemberships``; once
    /// stored, what ``emitChanges(_:at:cause:text:)`` compares with them.
    private var evaluatedMemberships: [UInt64]
    /// Scratch for ``emitChanges(_:at:cause:text:)``: the segments whose bits differ, in evaluation
    /// order. Room for every segment is reserved, so filling it never allocates.
    private var changedSegments: [Int] = []

    public init(configuration: EngineConfiguration) throws(SegmentDefinitionError) {
        self.configuration = configuration
        layout = FeatureLayout(
            windows: configuration.windows, churnHorizons: configuration.churn?.horizons, minorUnitsPerMajor: configuration.minorUnitsPerMajor)
        churn = configuration.churn.map(ChurnTracker.init)
        catalog = try SegmentCatalog(configuration.segments, layout: layout)
        duplicates = DuplicateFilter(horizonMilliseconds: configuration.dedupHorizonMilliseconds, capacity: configuration.dedupCapacity)
        store = CustomerStore(
            layout: layout, membershipWords: catalog.membershipWords, allowedLatenessMilliseconds: configuration.allowedLatenessMilliseconds)
        statistics = EngineStatistics(segmentCount: catalog.segments.count)
        previousMemberships = Array(repeating: 0, count: catalog.membershipWords)
        evaluatedMemberships = previousMemberships
        changedSegments.reserveCapacity(catalog.segments.count)
        features = Array(repeating: 0, count: layout.count)
    }

    /// Applies one decoded event; `text` is the decoder's text buffer its ranges point into and
    /// `receivedAt` the wall-clock time of receipt (epoch milliseconds), against which events from
    /// the future are judged. Returns the reason when the event is refused (late, future,
    /// capacity, duplicate), having changed nothing.
    public mutating func apply(_ event: DecodedEvent, text: [UInt8], receivedAt: Int64) -> Rejection? {
        if let rejection = admission(event, text: text, receivedAt: receivedAt) { return rejection }
        if event.timestamp > newestEventTime {
            newestEventTime = event.timestamp
            advanceClock(to: event.timestamp - configuration.allowedLatenessMilliseconds)
        }
        let customer = text.withUnsafeBytes { bytes in
            store.customer(for: UnsafeRawBufferPointer(rebasing: bytes[event.customerID.indices]), at: event.timestamp)
        }
        store.record(event, customer: customer, text: text)
        statistics.acceptedByKind[Int(event.kind.rawValue)] += 1
        // At the event's own time, so its alert carries the time that caused it (admission has
        // refused anything behind the clock, so this never moves a customer back in time).
        evaluate(customer, at: event.timestamp, cause: .event(event.eventID), text: text)
        return nil
    }

    /// How many events a caller with a batch of messages decodes and reads ahead for at a time
    /// (``announceAdmission(ofEventID:)``): in benchmark 2b, 16 and 32 did best, 4 and 8 gained less.
    public static let readAheadGroupSize = 16

    /// Notes that an event with this `event_id` is about to be applied. A caller with a group of
    /// decoded events (at most ``readAheadGroupSize``) announces each, then calls
    /// ``readAheadAdmissions()`` before applying them.
    public mutating func announceAdmission(ofEventID id: UnsafeRawBufferPointer) {
        duplicates.announce(id)
    }

    /// Reads, together, the memory that admitting the announced events will miss in the caches: the
    /// dedup set's slots (``DuplicateFilter/readAhead()``). Changes nothing the engine does, only how
    /// long the group takes.
    public mutating func readAheadAdmissions() {
        duplicates.readAhead()
    }

    /// Moves the clock forward to `time`, firing every timer due by then in due-time order, each
    /// evaluated at its own due time. The clock never moves backwards.
    public mutating func advanceClock(to time: Int64) {
        while let (customer, due) = timers.popDue(atOrBefore: time) {
            clock = max(clock, due)
            evaluate(customer, at: due, cause: .timer, text: [])
        }
        if clock == .min, let interval = churn?.settings.refitIntervalMilliseconds { nextRefit = time + interval }
        clock = max(clock, time)
        duplicates.expire(before: clock)
        if EventTime.day(clock) > store.quintiles.computedDay, catalog.readsRFMScores {
            store.recomputeQuintiles(at: clock)
        }
    }

    /// Lets the engine hold only `bytes` of customer ids, for tests (``CustomerIndex/limitIDBytes(to:)``).
    mutating func limitCustomerIDBytes(to bytes: Int) {
        store.limitIDBytes(to: bytes)
    }

    /// Why `event` cannot be applied, if it cannot. Records its id for duplicate detection when it can.
    private mutating func admission(_ event: DecodedEvent, text: [UInt8], receivedAt: Int64) -> Rejection? {
        if event.timestamp > receivedAt &+ configuration.maxFutureSkewMilliseconds {
            return Rejection(.future, "event time \(TimestampFormat.rfc3339(event.timestamp)) is more than \(EventTimeText.formatDuration(configuration.maxFutureSkewMilliseconds)) ahead of its receipt at \(TimestampFormat.rfc3339(receivedAt)) ([engine] max_future_skew)")
        }
        if clock != .min, event.timestamp < clock {
            return Rejection(.late, "event time \(TimestampFormat.rfc3339(event.timestamp)) is behind the engine clock \(TimestampFormat.rfc3339(clock)) (the newest event time minus [engine] allowed_lateness \(EventTimeText.formatDuration(configuration.allowedLatenessMilliseconds)))")
        }
        // Before the id is remembered: a refused event is not accepted, so its retry is no duplicate.
        let hasRoom = text.withUnsafeBytes { store.index.hasRoom(for: UnsafeRawBufferPointer(rebasing: $0[event.customerID.indices])) }
        guard hasRoom else {
            let id = text.withUnsafeBytes { String(decoding: $0[event.customerID.indices], as: UTF8.self) }
            return Rejection(.capacity, "customer_id \"\(id)\" is new, and the ids of the \(store.index.count) customers held leave no room for it in the customer index (4 GiB of ids at most): events of new customers are refused")
        }
        let fresh = text.withUnsafeBytes { duplicates.insert(UnsafeRawBufferPointer(rebasing: $0[event.eventID.indices]), at: event.timestamp) }
        guard fresh else {
            let id = text.withUnsafeBytes { String(decoding: $0[event.eventID.indices], as: UTF8.self) }
            return Rejection(.duplicate, "event_id \"\(id)\" was already accepted within the dedup horizon of \(EventTimeText.formatDuration(configuration.dedupHorizonMilliseconds)) ([engine] dedup_horizon)")
        }
        return nil
    }

    /// Replaces the segment rules without touching customer state or the clock: customers in a
    /// segment that no longer exists leave it, then every customer is re-evaluated at the clock,
    /// and each membership that changed is published with cause `rules_changed`. Throws, changing
    /// nothing, when the new rules do not compile.
    public mutating func reload(segments configured: [EngineConfiguration.Segment]) throws(SegmentDefinitionError) {
        let replacement = try SegmentCatalog(configured, layout: layout)
        let mapping = catalog.segments.map { old in replacement.segments.firstIndex { $0.name == old.name } }
        let removed = mapping.indices.filter { mapping[$0] == nil }
        for customer in store.liveCustomers where removed.contains(where: { store.isMember(customer, segment: $0) }) {
            rememberMemberships(customer)
            for segment in removed { evaluatedMemberships[segment >> 6] &= ~(1 << UInt64(segment & 63)) }
            store.setMemberships(customer, evaluatedMemberships)
            emitChanges(customer, at: clock, cause: .rulesChanged, text: [])
        }
        store.remapMemberships(words: replacement.membershipWords, mapping: mapping)
        statistics = statistics.remapped(from: catalog.segments.map(\.name), to: replacement.segments.map(\.name))
        catalog = replacement
        configuration.segments = configured
        previousMemberships = Array(repeating: 0, count: replacement.membershipWords)
        evaluatedMemberships = previousMemberships
        changedSegments.reserveCapacity(replacement.segments.count)
        guard clock != .min else { return }
        for customer in store.liveCustomers {
            evaluate(customer, at: clock, cause: .rulesChanged, text: [])
        }
    }

    /// Remembers at most `capacity` event ids from now on, forgetting the oldest at once if more
    /// are remembered (`[engine] dedup_max_ids` changed across a restart or a reload).
    public mutating func changeDedupCapacity(to capacity: Int) {
        configuration.dedupCapacity = capacity
        duplicates.changeCapacity(to: capacity)
    }

    /// The `event_id`s remembered for duplicate detection, and those forgotten before their
    /// horizon ended to stay within ``EngineConfiguration/dedupCapacity``.
    public var dedupRemembered: Int { duplicates.count }
    public var dedupForgottenEarly: Int { duplicates.forgottenEarly }

    /// Erases the customer with this id from the engine: publishes `segment.<name>.exit` (cause "forget") for every segment they were in, then removes their profile, buckets, categories, memberships, timer and id. Returns false (changing nothing) for an unknown id.
    ///
    /// The exits are stamped with the clock and carry the features the customer leaves with, as
    /// any exit does; no churn alert is published. The id is gone from memory and from later
    /// snapshots; if it arrives again it is a new customer.
    public mutating func forget(customerID: String) -> Bool {
        guard let customer = store.index.lookup(customerID) else { return false }
        computeEvaluationFeatures(customer, store.profiles[Int(customer)], at: clock)
        rememberMemberships(customer)
        for index in evaluatedMemberships.indices { evaluatedMemberships[index] = 0 }
        store.setMemberships(customer, evaluatedMemberships)
        emitChanges(customer, at: clock, cause: .forget, text: [])
        store.forget(customer)
        timers.schedule(customer, at: nil)
        return true
    }

    /// Counts a refused message and publishes it on `deadletter`.
    public mutating func reject(_ rejection: Rejection, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, frames: Int) {
        statistics.rejectedByReason[rejection.reason, default: 0] += 1
        outbound.beginMessage(topic: DeadLetter.topic)
        DeadLetter.encode(
            seq: nextSeq, rejection: rejection, topic: topic, payload: payload, frames: frames,
            maxPayloadBytes: deadLetterPayloadBytes, into: &outbound.json)
        outbound.endMessage()
        nextSeq += 1
    }

    /// The current feature values of `customer` at the engine clock.
    public func features(of customer: Int32) -> [Double] {
        var values = Array(repeating: 0.0, count: layout.count)
        Self.computeFeatures(
            customer, store.profiles[Int(customer)], at: clock, selected: FeatureSelection(all: layout), store: store, churn: churn, into: &values)
        return values
    }

    /// Re-evaluates every segment of `customer` at `time`, emitting an alert per changed membership,
    /// then schedules the customer's next window expiry.
    private mutating func evaluate(_ customer: Int32, at time: Int64, cause: Cause, text: [UInt8]) {
        // Read once and handed on, so every step below sees the same profile, which
        // updateChurnState brings up to date along with the store.
        var profile = store.profiles[Int(customer)]
        computeEvaluationFeatures(customer, profile, at: time)
        let churnTransition = updateChurnState(customer, &profile, at: time, remembering: cause.remembersProbabilityAlive)
        rememberMemberships(customer)
        catalog.evaluate(features: features, memberships: &evaluatedMemberships)
        let changed = evaluatedMemberships != previousMemberships
        if changed { store.setMemberships(customer, evaluatedMemberships) }
        if let churnTransition { emitChurnAlert(customer, profile, churnTransition, at: time, cause: cause, text: text) }
        if changed { emitChanges(customer, at: time, cause: cause, text: text) }
        // The cheap instants first: the searches for the others stop at the earliest found so far.
        var next = Self.nextHistoryChange(profile, after: time, timedHistory: catalog.timedHistory)
        if catalog.readsRecencyScore {
            next = Self.earliest(next, Self.nextRecencyScoreChange(profile, after: time, recencyCuts: store.quintiles.recencyCuts))
        }
        next = Self.earliest(next, store.nextWindowExpiry(customer, after: time, before: next, watches: catalog.windowWatches, features: features))
        next = Self.earliest(next, churn?.nextChange(profile, after: time, before: next, layout: layout, comparisons: catalog.churnComparisons))
        timers.schedule(customer, at: next)
    }

    /// Computes into ``features`` what rules and alerts read of `customer`, whose profile is
    /// `profile`, at `time`.
    private mutating func computeEvaluationFeatures(_ customer: Int32, _ profile: CustomerProfile, at time: Int64) {
        Self.computeFeatures(customer, profile, at: time, selected: catalog.evaluated, store: store, churn: churn, into: &features)
    }

    /// Copies `customer`'s membership words into ``previousMemberships``, which
    /// ``emitChanges(_:at:cause:text:)`` compares the new words with, and into
    /// ``evaluatedMemberships``, where the new words start from.
    ///
    /// Element by element into the scratch arrays, from stored properties only: assigning one array
    /// to the other would share its buffer and allocate at the first write, and a closure capturing
    /// the engine while one of its arrays is borrowed makes Swift copy the whole engine.
    private mutating func rememberMemberships(_ customer: Int32) {
        let start = Int(customer) * store.membershipWords
        for index in previousMemberships.indices {
            previousMemberships[index] = store.memberships[start + index]
            evaluatedMemberships[index] = previousMemberships[index]
        }
    }

    /// The `selected` features of `customer` at `time`: the store's, then the churn model's.
    ///
    /// Static, taking what it reads as arguments, so that a caller in a mutating method passes
    /// borrowed stored properties instead of a copy of the engine.
    private static func computeFeatures(
        _ customer: Int32, _ profile: CustomerProfile, at time: Int64, selected: FeatureSelection, store: borrowing CustomerStore,
        churn: borrowing ChurnTracker?, into values: inout [Double]
    ) {
        values.withUnsafeMutableBufferPointer { buffer in
            store.computeFeatures(customer, profile, at: time, selected: selected, into: buffer)
            churn?.writeFeatures(profile, at: time, layout: store.layout, expected: selected.expectedChurn, into: buffer)
        }
    }

    /// Moves the customer into or out of the churn-risk state when due at `time`, updating the
    /// `churn_risk` feature the rules are about to read. Remembers this P(alive) as the next
    /// alert's previous value when `remembering` or when the risk state changes, in the store and
    /// in `profile`, the caller's copy of the customer's. Returns the change, with P(alive)
    /// before it, for the alert.
    private mutating func updateChurnState(
        _ customer: Int32, _ profile: inout CustomerProfile, at time: Int64, remembering: Bool
    ) -> (transition: ChurnTracker.Transition, previous: Double)? {
        // Read through `churn?.`: binding it (`guard let churn`) copies the tracker.
        guard churn != nil else { return nil }
        let pAlive = features[layout.slot(.pAlive)]
        let transition = churn?.transition(profile, probabilityAlive: pAlive, at: time)
        // A timer wake that moves no risk state leaves both stored values as they are.
        guard remembering || transition != nil else { return nil }
        let previous = Double(profile.lastProbabilityAlive)
        profile.churnRisk = transition.map { $0 != .recovered } ?? profile.churnRisk
        profile.lastProbabilityAlive = Float(pAlive)
        store.updateChurnState(customer, risk: profile.churnRisk, lastProbabilityAlive: profile.lastProbabilityAlive)
        guard let transition else { return nil }
        features[layout.slot(.churnRisk)] = transition == .recovered ? 0 : 1
        return (transition, previous)
    }

    /// Whether the churn model is due to be refitted: the clock has passed the refit time and no
    /// refit is under way. Taking the job (``takeChurnRefit()``) starts the next interval.
    public var churnRefitDue: Bool {
        guard let nextRefit else { return false }
        return clock >= nextRefit
    }

    /// The work of refitting the churn model on every customer's purchases as of the clock's
    /// UTC day, to run on any thread; nil when no refit is due. The engine goes on meanwhile and
    /// installs the result with ``installChurnModel(_:)``.
    public mutating func takeChurnRefit() -> ChurnRefit? {
        guard churnRefitDue, let churn, let interval = churn.settings.refitIntervalMilliseconds else { return nil }
        nextRefit = clock + interval
        return ChurnRefit(
            summaries: store.liveCustomers.map { store.profiles[Int($0)].purchaseSummary }, onDay: EventTime.day(clock),
            unit: churn.model?.unit ?? .days, gaps: store.interpurchaseGaps, settings: churn.settings)
    }

    /// Takes a due refit and runs it on this thread, installing the model it produced: replay's
    /// way, so a replay refits at the same event time every run. Returns why the fit failed, if
    /// it did (the model in force is then kept).
    public mutating func refitChurnModelIfDue() -> ChurnFitError? {
        guard let refit = takeChurnRefit() else { return nil }
        do {
            installChurnModel(try refit.run().model)
            return nil
        } catch {
            noteChurnRefitFailure()
            return error
        }
    }

    /// Counts a refit whose fit failed; the model in force stays.
    public mutating func noteChurnRefitFailure() {
        statistics.churnRefitFailures += 1
    }

    /// Puts `model` in force and brings every buyer up to it at the clock: their churn features,
    /// risk state and timers follow the new parameters, and changes are published with cause
    /// `model_refit`.
    ///
    /// When no rule reads a churn feature that falls with time, the model can change a buyer's
    /// memberships only by moving them into or out of the risk state, so only those buyers are
    /// re-evaluated in full; the others get their new P(alive) and, if it comes sooner, their new
    /// churn timer. A refit of a million buyers then costs one P(alive) each, not an evaluation.
    public mutating func installChurnModel(_ model: ChurnModel) {
        guard churn != nil else { return }
        churn?.install(model)
        statistics.churnRefits += 1
        guard clock != .min else { return }
        for customer in store.liveCustomers where store.profiles[Int(customer)].firstOrder != .min {
            guard !catalog.churnComparisons.isEmpty || !refreshChurnWithoutTransition(customer, at: clock) else { continue }
            evaluate(customer, at: clock, cause: .modelRefit, text: [])
        }
    }

    /// Computes `customer`'s P(alive) under the model in force at `time`; unless that moves them
    /// into or out of the risk state, records it as their latest and brings their timer forward to
    /// the model's next change if that is sooner, and returns true. Returns false, changing
    /// nothing, when a full evaluation is due.
    private mutating func refreshChurnWithoutTransition(_ customer: Int32, at time: Int64) -> Bool {
        guard let churn else { return false }
        let profile = store.profiles[Int(customer)]
        let layout = self.layout
        features.withUnsafeMutableBufferPointer { churn.writeFeatures(profile, at: time, layout: layout, expected: false, into: $0) }
        guard churn.transition(profile, probabilityAlive: features[layout.slot(.pAlive)], at: time) == nil else { return false }
        store.updateChurnState(customer, risk: profile.churnRisk, lastProbabilityAlive: Float(features[layout.slot(.pAlive)]))
        let scheduled = timers.due(customer)
        if let change = churn.nextChange(profile, after: time, before: scheduled, layout: layout, comparisons: catalog.churnComparisons) {
            timers.schedule(customer, at: change)
        }
        return true
    }

    /// Publishes a churn alert for `customer`, whose memberships are already updated.
    private mutating func emitChurnAlert(
        _ customer: Int32, _ profile: CustomerProfile, _ change: (transition: ChurnTracker.Transition, previous: Double), at time: Int64, cause: Cause, text: [UInt8]
    ) {
        guard let churn, let model = churn.model else { return }
        let summary = profile.purchaseSummary
        let age = summary.ageDays(at: time)
        let prediction = model.prediction(for: summary, ageDays: age, horizon: churn.valueHorizon)
        var oneTimeBuyerDays: Double?
        if case .risk(.oneTimeBuyerInactive) = change.transition { oneTimeBuyerDays = model.oneTimeBuyerDays }
        let alert = ChurnAlert(
            transition: change.transition, threshold: churn.settings.threshold,
            probabilityAlive: features[layout.slot(.pAlive)], previousProbabilityAlive: change.previous,
            summary: summary, ageDays: age, unit: model.unit, valueAtRisk: prediction?.valueAtRisk,
            daysSinceLastOrder: Double(time - profile.lastOrder) / Double(EventTime.millisecondsPerDay),
            oneTimeBuyerDays: oneTimeBuyerDays)
        if case .risk = change.transition { statistics.churnRiskAlerts += 1 } else { statistics.churnRecoveredAlerts += 1 }
        outbound.beginMessage(topic: alert.topic)
        outbound.json.beginObject()
        outbound.json.key("seq")
        outbound.json.integer(Int64(nextSeq))
        outbound.json.key("type")
        outbound.json.string(literal: change.transition == .recovered ? "recovered" : "risk")
        writeSubject(customer, at: time, cause: cause, text: text)
        alert.encodeBody(into: &outbound.json) { writer in
            for segment in catalog.segments.indices where store.isMember(customer, segment: segment) {
                writer.string(encoded: catalog.segments[segment].encodedName)
            }
        }
        outbound.json.endObject()
        outbound.endMessage()
        nextSeq += 1
    }

    /// The instant after `time` at which the days since the customer's last order pass the next
    /// recency cut point, so `r_score` drops although no event arrives.
    ///
    /// This and ``nextHistoryChange(_:after:timedHistory:)`` are static, taking what they read:
    /// an engine method called from a mutating one was passed a copy of the whole engine (1,192
    /// bytes, twice per evaluation).
    private static func nextRecencyScoreChange(_ profile: CustomerProfile, after time: Int64, recencyCuts: [Double]) -> Int64? {
        guard profile.orders > 0 else { return nil }
        let days = Double(EventTime.floorDivide(time - profile.lastOrder, EventTime.millisecondsPerDay))
        // The score falls when the whole days exceed a cut point: at floor(cut) + 1 days.
        guard let cut = recencyCuts.first(where: { $0 >= days }) else { return nil }
        return profile.lastOrder + (Int64(cut.rounded(.down)) + 1) * EventTime.millisecondsPerDay
    }

    /// The earliest instant after `time` at which a time-growing history feature reaches a value
    /// where some rule's comparison can flip. A whole-step feature compared with `c` can only change
    /// a comparison's answer when it reaches ceil(c) or floor(c) + 1, so a customer is woken at those
    /// steps only, not at every one.
    private static func nextHistoryChange(
        _ profile: CustomerProfile, after time: Int64, timedHistory: [(feature: FeatureLayout.HistoryFeature, changePoints: [Int64]?)]
    ) -> Int64? {
        var earliest: Int64?
        for (feature, changePoints) in timedHistory {
            guard let anchor = CustomerStore.anchor(feature, of: profile), let step = feature.growthStep else { continue }
            let value = EventTime.floorDivide(time - anchor, step)
            let next = changePoints.map { points in points.first { $0 > value } } ?? value + 1
            if let next {
                let due = anchor + next * step
                earliest = min(earliest ?? due, due)
            }
        }
        return earliest
    }

    /// Publishes every membership in which ``evaluatedMemberships`` (the customer's words, as the
    /// caller has just stored them) differs from ``previousMemberships``: exits first, then
    /// enters, each in evaluation order, so a family move reads "left A, entered B".
    private mutating func emitChanges(_ customer: Int32, at time: Int64, cause: Cause, text: [UInt8]) {
        // The few segments that changed, not every segment twice: a change touches two or three.
        catalog.changedSegments(from: previousMemberships, to: evaluatedMemberships, into: &changedSegments)
        for entering in Self.exitsThenEnters {
            for segment in changedSegments where (evaluatedMemberships[segment >> 6] & 1 << UInt64(segment & 63) != 0) == entering {
                if entering {
                    statistics.enteredBySegment[segment] += 1
                    statistics.membersBySegment[segment] += 1
                } else {
                    statistics.exitedBySegment[segment] += 1
                    statistics.membersBySegment[segment] -= 1
                }
                emitChange(customer, segment: segment, entered: entering, at: time, cause: cause, text: text)
            }
        }
    }

    /// What only the rules decide is written from pieces encoded when they were loaded
    /// (``SegmentCatalog/alertHeads``); a segment is read in place (`catalog.segments[segment].…`),
    /// never copied out with all its fields.
    private mutating func emitChange(_ customer: Int32, segment: Int, entered: Bool, at time: Int64, cause: Cause, text: [UInt8]) {
        outbound.beginMessage(topic: entered ? catalog.segments[segment].enterTopic : catalog.segments[segment].exitTopic)
        outbound.json.fragment("{\"seq\":")
        outbound.json.integer(Int64(nextSeq))
        outbound.json.fragment(entered ? catalog.alertHeads[segment].enter : catalog.alertHeads[segment].exit)
        if let family = catalog.familyOfSegment[segment] {
            writeSegmentName(catalog.member(of: family, in: previousMemberships))
            outbound.json.key("current")
            writeSegmentName(catalog.member(of: family, in: evaluatedMemberships))
        }
        writeSubject(customer, at: time, cause: cause, text: text)
        outbound.json.fragment("\"features\":{")
        for slot in catalog.segments[segment].rule.featureSlots {
            outbound.json.key(encoded: layout.encodedNames[slot])
            outbound.json.number(features[slot])
        }
        outbound.json.endObject()
        outbound.json.endObject()
        outbound.endMessage()
        nextSeq += 1
    }

    /// Writes `segment`'s name, or null for none.
    private mutating func writeSegmentName(_ segment: Int?) {
        if let segment { outbound.json.string(encoded: catalog.segments[segment].encodedName) } else { outbound.json.null() }
    }

    /// Writes who and what an alert is about: the customer, the event time and the cause, with
    /// the causing event's id for cause `event`.
    private mutating func writeSubject(_ customer: Int32, at time: Int64, cause: Cause, text: [UInt8]) {
        outbound.json.key("customer_id")
        store.index.writeID(customer, into: &outbound.json)
        outbound.json.key("ts")
        outbound.json.timestamp(time)
        switch cause {
        case .event(let eventID):
            outbound.json.fragment("\"cause\":\"event\",\"event_id\":")
            text.withUnsafeBytes { outbound.json.string(utf8: UnsafeRawBufferPointer(rebasing: $0[eventID.indices])) }
        case .timer:
            outbound.json.fragment("\"cause\":\"timer\"")
        case .rulesChanged:
            outbound.json.fragment("\"cause\":\"rules_changed\"")
        case .modelRefit:
            outbound.json.fragment("\"cause\":\"model_refit\"")
        case .forget:
            outbound.json.fragment("\"cause\":\"forget\"")
        }
    }

    /// The order `emitChanges` publishes in, kept as a constant so publishing allocates no array.
    private static let exitsThenEnters = [false, true]

    /// The earlier of two optional instants; nil only when both are.
    private static func earliest(_ first: Int64?, _ second: Int64?) -> Int64? {
        guard let first else { return second }
        guard let second else { return first }
        return min(first, second)
    }
}

extension SegmentEngine {
    /// The first bytes of an engine snapshot payload, then ``snapshotFormatVersion``.
    static let snapshotMagic = Array("SEGDENGN".utf8)
    /// The layout of the state below; a change to it needs a new version. Format 2 added the
    /// dedup capacity and the count of ids forgotten early; format 1 is still read.
    public static let snapshotFormatVersion: UInt32 = 2
    static let readableFormatVersions: ClosedRange<UInt32> = 1...snapshotFormatVersion

    /// The engine's configuration and complete state, so that a restored engine continues exactly as this one would.
    public func encodeSnapshot(into writer: inout BinaryWriter) {
        writer.writeRaw(Self.snapshotMagic)
        writer.write(Self.snapshotFormatVersion)
        configuration.encode(into: &writer)
        writer.write(clock)
        writer.write(newestEventTime)
        writer.write(nextSeq)
        writer.write(optional: nextRefit) { writer, time in writer.write(time) }
        statistics.encode(into: &writer)
        store.encode(into: &writer)
        churn?.encode(into: &writer)
        timers.encode(into: &writer)
        duplicates.encode(into: &writer)
    }

    /// A copy for ``encodeSnapshot(into:)`` alone: without the parts a snapshot does not store,
    /// which decoding rebuilds (the dedup set, the customer index's hash table, the timer heap).
    /// A structure shared with a copy is copied whole by the next write to it, and the engine
    /// writes these at once: after each periodic snapshot the loop thread copied them all (the
    /// dedup table alone is 32 MiB at a million remembered ids). Left out of the copy, they stay
    /// unshared. Only encoding works on the copy: its duplicate checks, id lookups and timers do not.
    public func copyForSnapshot() -> SegmentEngine {
        var copy = self
        copy.store.dropRebuiltParts()
        copy.timers.dropRebuiltParts()
        copy.duplicates.dropRebuiltParts()
        return copy
    }

    /// Restores an engine from `encodeSnapshot`'s bytes; the configuration comes from the snapshot itself.
    ///
    /// The segment rules are compiled again (a snapshot whose rules no longer compile is refused).
    /// Leaves `reader` after the engine's bytes: a caller with nothing after them checks `expectEnd()`.
    public init(restoringSnapshot reader: inout BinaryReader) throws(DurabilityError) {
        let magicAt = reader.position
        guard try reader.readRaw(count: Self.snapshotMagic.count) == Self.snapshotMagic else {
            throw DurabilityError(.badMagic(expected: "engine snapshot"), path: reader.path, offset: reader.baseOffset + magicAt)
        }
        let versionAt = reader.position
        let version = try reader.read(UInt32.self)
        guard Self.readableFormatVersions.contains(version) else {
            throw DurabilityError(
                .unsupportedVersion(found: version, supported: Self.snapshotFormatVersion), path: reader.path, offset: reader.baseOffset + versionAt)
        }
        let configurationAt = reader.position
        let configuration = try EngineConfiguration(decoding: &reader, formatVersion: version)
        do {
            try self.init(configuration: configuration)
        } catch {
            throw reader.invalid("the snapshot's segment rules do not compile: \(error.message)", at: configurationAt)
        }
        let clockAt = reader.position
        clock = try reader.read(Int64.self)
        // The clock trails the newest event time by the lateness, or was advanced past it;
        // refits are scheduled by adding to it.
        let clockFloor = EventTime.storableRange.lowerBound - configuration.allowedLatenessMilliseconds
        guard clock == .min || (clockFloor...EventTime.storableRange.upperBound).contains(clock) else {
            throw reader.invalid("engine clock \(clock) is not an event time in years 0001…9999", at: clockAt)
        }
        newestEventTime = try reader.readInstant("newest event time", allowingNone: true)
        nextSeq = try reader.read(UInt64.self)
        nextRefit = try reader.readOptional { reader throws(DurabilityError) in try reader.read(Int64.self) }
        statistics = try EngineStatistics(decoding: &reader, segmentCount: catalog.segments.count)
        store = try CustomerStore(
            decoding: &reader, layout: layout, membershipWords: catalog.membershipWords,
            allowedLatenessMilliseconds: configuration.allowedLatenessMilliseconds)
        if let settings = configuration.churn { churn = try ChurnTracker(settings: settings, decoding: &reader) }
        timers = try TimerQueue(decoding: &reader, customers: store.count)
        duplicates = try DuplicateFilter(
            decoding: &reader, horizonMilliseconds: configuration.dedupHorizonMilliseconds, capacity: configuration.dedupCapacity,
            formatVersion: version)
    }
}
