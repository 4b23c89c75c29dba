"""SIGHUP (sent by `segd reload`) reloads segment rules without a restart and without losing state."""

import json

from conftest import config_text, order, run_segd


def test_reload_applies_new_rules_to_existing_customers_with_cause_rules_changed(start_daemon, connect, tmp_path):
    daemon = start_daemon()
    bus = connect(daemon)
    bus.push.send_multipart([b"orders", order("o-1", "c-reload", "2026-03-01T10:00:00Z", 100)])
    assert bus.receive().topic == "segment.buyer.enter"

    daemon.config.write_text(config_text(directory=tmp_path, segments=[("buyer", "orders_total >= 2"), ("spender", "spend_total >= 1")]))
    result = run_segd("reload", "--pid", str(daemon.proc.pid))
    assert b"sent SIGHUP" in result.stderr

    changes = {bus.receive().line for _ in range(2)}
    assert {line.split(b"\t")[0] for line in changes} == {b"segment.buyer.exit", b"segment.spender.enter"}
    assert all(b'"cause":"rules_changed"' in line for line in changes)
    assert daemon.alive

    # The customer's first order was kept: a second one now makes a buyer.
    bus.push.send_multipart([b"orders", order("o-2", "c-reload", "2026-03-01T10:00:01Z", 100)])
    assert bus.receive().topic == "segment.buyer.enter"


def test_reload_with_an_invalid_config_keeps_the_running_rules(start_daemon, connect, tmp_path):
    daemon = start_daemon()
    bus = connect(daemon)
    daemon.config.write_text(config_text(directory=tmp_path, segments=[("buyer", "oders_total >= 2")]))
    run_segd("reload", "--pid", str(daemon.proc.pid))
    daemon.wait_for_stderr(r"reload refused.*oders_total")
    bus.push.send_multipart([b"orders", order("o-1", "c-keep", "2026-03-01T10:00:00Z", 100)])
    assert bus.receive().topic == "segment.buyer.enter"  # the old rule, orders_7d >= 1, still holds


def test_reload_lowers_dedup_max_ids_forgetting_the_oldest_ids_at_once(start_daemon, connect, tmp_path):
    daemon = start_daemon()
    bus = connect(daemon)
    for n in range(3):
        bus.push.send_multipart([b"orders", order(f"o-{n}", f"c-{n}", f"2026-03-01T10:00:0{n}Z", 100)])
        assert bus.receive().topic == "segment.buyer.enter"

    daemon.config.write_text(config_text(directory=tmp_path, dedup_max_ids=2))
    run_segd("reload", "--pid", str(daemon.proc.pid))
    daemon.wait_for_stderr(r"reloaded")

    # Retries stamped when resent, so none is late: o-0 was forgotten at the reload; remembering it
    # again forgets o-1, and o-2 is still remembered.
    bus.push.send_multipart([b"orders", order("o-0", "c-0", "2026-03-01T10:00:03Z", 100)])
    bus.push.send_multipart([b"orders", order("o-2", "c-2", "2026-03-01T10:00:03Z", 100)])
    letter = bus.receive()
    assert letter.topic == "deadletter"
    assert letter.body["reason"] == "duplicate" and json.loads(letter.body["payload"])["event_id"] == "o-2"
