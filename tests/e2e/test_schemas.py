"""Every outbound message, replayed or live, is valid against schemas/*.schema.json."""

import json
from collections import Counter

from conftest import order, parse_message_lines, run_segd

# Bad lines appended to a generated file so the replay emits dead letters of every kind too.
BAD_LINES = [
    b"a line without a tab",
    b"refunds\t{}",
    b"orders\t{\"event_id\":",
    b"orders\t" + order("bad-1", "c-bad", "2026-04-01T00:00:00Z", 100, currency="EUR"),
    b"orders\t{\"event_id\":\"bad-2\",\"customer_id\":\"c-\xff\"}",
    b"orders\t{\"event_id\":\"bad-3\"}",
    b"orders\t" + order("bad-4", "c-bad", "2026-04-01T00:00:00Z", 1.5),
    b"orders\t" + order("bad-5", "c-bad", "2026-04-01T00:00:00Z", 100, coupon="X"),
    b"clicks\t{\"category\":\"" + b"x" * 70_000 + b"\"}",
]


def test_generated_events_match_the_inbound_schemas(generated_20k, schemas):
    lines = generated_20k.read_bytes().splitlines()
    assert len(lines) == 20_000
    for line in lines[::10]:
        topic, _, payload = line.partition(b"\t")
        schemas.check_inbound(topic.decode(), json.loads(payload))


def test_every_replayed_outbound_message_matches_its_schema(tmp_path, generated_20k, write_config, replay, schemas):
    events = tmp_path / "events.txt"
    events.write_bytes(generated_20k.read_bytes() + b"\n".join(BAD_LINES) + b"\n")

    result = replay(write_config(), events, until="2026-05-01T00:00:00Z")

    messages = result.messages
    assert len(messages) == result.summary["alerts"]["total"] == result.summary["last_seq"]
    assert [body["seq"] for _, _, body in messages] == list(range(1, len(messages) + 1))
    for topic, _, body in messages:
        schemas.check_outbound(topic, body)
    # The run really exercised every kind of outbound message.
    kinds = Counter(body.get("cause") or body["reason"] for _, _, body in messages)
    assert kinds["event"] > 0 and kinds["timer"] > 0, kinds
    assert {"frame_count", "unknown_topic", "malformed_json", "currency", "invalid_utf8", "missing_field",
            "invalid_field", "unknown_field", "oversized"} <= set(kinds), kinds
    assert any(value is None for _, _, body in messages for value in body.get("features", {}).values())


def test_every_live_outbound_message_matches_its_schema(tmp_path, generated_20k, start_daemon, connect, write_config, replay):
    """Bus.receive validates every live message against its schema and checks its seq."""
    daemon = start_daemon()
    bus = connect(daemon)
    lines = generated_20k.read_bytes().splitlines()[:3000] + BAD_LINES
    for line in lines:
        topic, tab, payload = line.partition(b"\t")
        bus.push.send_multipart([topic, payload] if tab else [topic])

    # The replay of the same inbound messages says how many outbound messages to expect.
    replay_input = tmp_path / "replay-input.txt"
    replay_input.write_bytes(b"".join(t + b"\t" + p + b"\n" for t, p in bus.handshake_inbound) + b"\n".join(lines) + b"\n")
    expected = replay(write_config("replay.toml"), replay_input).summary["last_seq"]
    assert expected > len(bus.handshake_inbound) + len(BAD_LINES)

    while bus.last_seq < expected:
        bus.receive()
    bus.expect_nothing_more()
    causes = Counter(m.body.get("cause", "deadletter") for m in bus.received)
    assert causes["event"] > 0 and causes["timer"] > 0 and causes["deadletter"] > len(BAD_LINES), causes
