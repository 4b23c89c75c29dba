"""The same events give the same outbound bytes live (over PULL) and in `segd replay`."""

from conftest import click, epoch_ms, order, review, run_segd

# Historical event times (the daemon runs with idle_advance = 1h, so the wall clock never moves
# its clock): orders, carts, views and reviews over six weeks, so that enters fire from events and
# exits from windows sliding when later events move the clock, plus three bad lines.
EVENTS = [
    (b"orders", order("e-01", "ann", "2026-02-01T09:00:00Z", 30000, items=3)),
    (b"clicks", click("e-02", "bob", "2026-02-01T10:15:00.5Z", "add_to_cart", product_id="sku-1")),
    (b"orders", order("e-03", "ann", epoch_ms("2026-02-02T08:30:00Z"), 25000, category="Home & Garden")),
    (b"reviews", review("e-04", "cat", "2026-02-03T12:00:00Z", 1, product_id="sku-9")),
    (b"orders", order("e-05", "dan", "2026-02-03T13:00:00Z", 9900, currency="EUR")),
    (b"clicks", click("e-06", "dan", "2026-02-04T09:00:00Z")),
    (b"clicks", click("e-07", "dan", "2026-02-04T09:01:00Z", "search")),
    (b"clicks", click("e-08", "dan", epoch_ms("2026-02-04T09:02:00Z"), "wishlist")),
    (b"clicks", click("e-09", "dan", "2026-02-05T09:00:00Z")),
    (b"clicks", click("e-10", "dan", "2026-02-05T09:05:00Z")),
    (b"clicks", click("e-11", "dan", "2026-02-06T09:00:00Z")),
    (b"clicks", click("e-12", "dan", "2026-02-06T09:01:00Z")),
    (b"clicks", click("e-13", "dan", "2026-02-07T09:00:00Z")),
    (b"clicks", click("e-14", "dan", "2026-02-07T09:01:00Z")),
    (b"clicks", click("e-15", "dan", "2026-02-07T09:02:00Z")),
    (b"a line without a tab", None),
    (b"reviews", review("e-16", "cat", "2026-02-10T12:00:00Z", 5)),
    (b"reviews", review("e-17", "cat", "2026-02-11T12:00:00Z", 5)),
    (b"orders", b'{"event_id":"e-18","customer_id":"bob",'),
    (b"orders", order("e-19", "bob", "2026-02-12T18:00:00Z", 1000, items=6, producer_id="shop", producer_seq=7)),
    (b"clicks.mobile", click("e-20", "eve", "2026-03-10T07:00:00Z", "add_to_cart", session_id="s-1")),
    (b"orders", order("e-21", "ann", "2026-03-15T10:00:00Z", 100)),
]


def test_live_daemon_and_replay_emit_identical_messages_for_the_same_events(tmp_path, start_daemon, connect, write_config, replay):
    events = tmp_path / "events.txt"
    events.write_bytes(b"".join(topic + (b"\t" + payload if payload is not None else b"") + b"\n"
                                for topic, payload in EVENTS))
    daemon = start_daemon()
    bus = connect(daemon)
    run_segd("send", "--endpoint", daemon.endpoint("pull"), "--file", events, cwd=tmp_path)

    # The replay input is what the live daemon processed: the handshake messages, then the file.
    replay_input = tmp_path / "replay-input.txt"
    replay_input.write_bytes(b"".join(t + b"\t" + p + b"\n" for t, p in bus.handshake_inbound) + events.read_bytes())
    replayed = replay(daemon.config, replay_input).emitted.splitlines()
    causes = {line.split(b'"cause":"')[1][:5] for line in replayed if b'"cause"' in line}
    assert causes == {b"event", b"timer"}, "the file should raise alerts from events and from timers"

    while bus.last_seq < len(replayed):
        bus.receive()
    bus.expect_nothing_more()
    live = [m.line for m in bus.received[:-1]]  # all but the closing marker
    first_seq = bus.received[0].body["seq"]
    assert live == replayed[first_seq - 1:]
