"""`segd replay` is deterministic, fires timers up to --until, and exports consistent profiles."""

import json
import subprocess

from conftest import (epoch_ms, event_time, order, parse_message_lines, popen_segd, rfc3339_ms,
                      run_segd)

DAY = 86_400_000


def test_replaying_the_same_file_twice_gives_identical_summary_and_bytes(tmp_path, write_config):
    config = write_config()
    # Two generations with the same seed, then two replays, each pair in parallel.
    files = [tmp_path / "events-a.txt", tmp_path / "events-b.txt"]
    gens = [popen_segd(["generate", "--events", 100_000, "--customers", 3000, "--seed", 42, "-o", f]) for f in files]
    assert [g.wait(60) for g in gens] == [0, 0]
    assert files[0].read_bytes() == files[1].read_bytes(), "generate with the same seed must write the same file"
    assert len(files[0].read_bytes().splitlines()) == 100_000

    emits = [tmp_path / "emitted-a.txt", tmp_path / "emitted-b.txt"]
    runs = [popen_segd(["replay", "--config", config, "--input", files[0], "--emit", e],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE) for e in emits]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], [err.decode() for _, err in outputs]

    assert outputs[0][0] == outputs[1][0], "summaries differ"
    assert emits[0].read_bytes() == emits[1].read_bytes(), "emitted bytes differ"
    summary = json.loads(outputs[0][0])
    assert summary["events"]["accepted"] == 100_000
    assert summary["last_seq"] == len(emits[0].read_bytes().splitlines()) > 1000


def test_until_fires_timer_exits_after_the_last_event_and_profiles_match_final_membership(
        tmp_path, generated_20k, write_config, replay):
    config = write_config()
    last_event = max(event_time(json.loads(line.partition(b"\t")[2])["ts"])
                     for line in generated_20k.read_bytes().splitlines())
    until = rfc3339_ms(last_event + 10 * DAY)
    profiles = tmp_path / "profiles.jsonl"

    plain = replay(config, generated_20k)
    advanced = replay(config, generated_20k, until=until, profiles=profiles)

    assert plain.summary["clock"] == rfc3339_ms(last_event)
    assert advanced.summary["clock"] == until
    # --until only adds what falls due after the last event: the same bytes, then timer alerts.
    assert advanced.emitted.startswith(plain.emitted)
    extra = parse_message_lines(advanced.emitted[len(plain.emitted):])
    assert any(body["type"] == "exit" for _, _, body in extra), "expected timer exits after the last event"
    assert [body["seq"] for _, _, body in extra] == list(range(plain.summary["last_seq"] + 1, advanced.summary["last_seq"] + 1))
    times = [epoch_ms(body["ts"]) for _, _, body in extra]
    assert all(body["cause"] == "timer" and "event_id" not in body for _, _, body in extra)
    assert times == sorted(times) and last_event < times[0] and times[-1] <= epoch_ms(until)

    # Final membership implied by the enter/exit stream, which must alternate per customer and segment.
    members: dict[str, set[str]] = {}
    for topic, _, body in advanced.messages:
        if topic == "deadletter":
            continue
        current = members.setdefault(body["customer_id"], set())
        if body["type"] == "enter":
            assert body["segment"] not in current, f"enter while already a member: {body}"
            current.add(body["segment"])
        else:
            assert body["segment"] in current, f"exit while not a member: {body}"
            current.remove(body["segment"])

    lines = profiles.read_bytes().splitlines()
    exported = [json.loads(line) for line in lines]
    ids = [p["customer_id"] for p in exported]
    customers = {json.loads(line.partition(b"\t")[2])["customer_id"] for line in generated_20k.read_bytes().splitlines()}
    assert len(ids) == len(set(ids)) == advanced.summary["customers"] == len(customers)
    assert set(ids) == customers
    assert {p["customer_id"]: set(p["segments"]) for p in exported} == {c: members.get(c, set()) for c in ids}
    assert any(p["segments"] for p in exported), "the --until point should leave some memberships"
    counts = {name: sum(name in p["segments"] for p in exported) for name in advanced.summary["segments"]}
    assert counts == advanced.summary["segments"]


def test_event_alert_ts_is_the_causing_event_time_even_with_allowed_lateness(tmp_path, write_config, replay):
    """segment.schema.json: ts is "the causing event's time (cause event)", with features at ts."""
    events = tmp_path / "events.txt"
    # The second order is older than the first but within the allowed lateness of it.
    events.write_bytes(b"orders\t" + order("o-1", "c-1", "2026-03-02T00:00:02Z", 100) + b"\n"
                       + b"orders\t" + order("o-2", "c-2", "2026-03-02T00:00:01Z", 100) + b"\n")
    result = replay(write_config(allowed_lateness="5s"), events)
    assert [(topic, body["customer_id"], body["event_id"], body["ts"], body["features"]) for topic, _, body in result.messages] == [
        ("segment.buyer.enter", "c-1", "o-1", "2026-03-02T00:00:02.000Z", {"orders_7d": 1}),
        ("segment.buyer.enter", "c-2", "o-2", "2026-03-02T00:00:01.000Z", {"orders_7d": 1}),
    ]
