"""SIGHUP (sent by `segd reload`) reloads segment rules without a restart and without losing state."""

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
