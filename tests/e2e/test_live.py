"""A running daemon turns events from PUSH and PUB producers into segment alerts."""

import shlex
import time

from conftest import click, epoch_ms, free_tcp_ports, order, run_segd


def assert_enter(message, segment, customer, event_id, ts, features):
    assert message.topic == f"segment.{segment}.enter", message
    body = dict(message.body)
    del body["seq"]
    assert body == {"type": "enter", "segment": segment, "customer_id": customer, "ts": ts,
                    "cause": "event", "event_id": event_id, "features": features}, message


def test_orders_pushed_and_clicks_published_raise_enter_alerts_with_gapless_seq(start_daemon, connect):
    daemon = start_daemon()
    bus = connect(daemon)
    publisher = bus.connect_producer()

    # First order: 200 dollars, ts as an RFC 3339 string.
    bus.push.send_multipart([b"orders", order("o-1", "c-live", "2026-03-01T10:00:00Z", 20000, items=2)])
    assert_enter(bus.receive(), "buyer", "c-live", "o-1", "2026-03-01T10:00:00.000Z", {"orders_7d": 1})

    # Second order on a suffixed topic, ts as epoch ms: 600 dollars in 90 days makes a big spender,
    # and a big spender with two orders is a vip (evaluated after the segment it refers to).
    bus.push.send_multipart([b"orders.eu", order("o-2", "c-live", epoch_ms("2026-03-01T11:00:00.250Z"), 40000)])
    big, vip = bus.receive_n(2)
    assert_enter(big, "big_spender", "c-live", "o-2", "2026-03-01T11:00:00.250Z", {"spend_90d": 600})
    assert_enter(vip, "vip", "c-live", "o-2", "2026-03-01T11:00:00.250Z", {"orders_total": 2})

    # Three views published by a PUB producer make a browser on the third.
    for n, ts in enumerate(["2026-03-01T12:00:00Z", "2026-03-01T12:01:00Z", "2026-03-01T12:02:00.123456789Z"], 1):
        publisher.send_multipart([b"clicks", click(f"k-{n}", "c-pub", ts)])
    assert_enter(bus.receive(), "browser", "c-pub", "k-3", "2026-03-01T12:02:00.123Z", {"clicks_24h": 3})

    bus.expect_nothing_more()
    seqs = [m.body["seq"] for m in bus.received]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    publisher.close(linger=0)


def test_daemon_serves_over_tcp_on_loopback(start_daemon, connect):
    sub_port, pull_port, pub_port = free_tcp_ports(3)
    daemon = start_daemon(sub_bind=[f"tcp://127.0.0.1:{sub_port}"], pull_bind=[f"tcp://127.0.0.1:{pull_port}"],
                          publish_bind=[f"tcp://127.0.0.1:{pub_port}"])
    banner = daemon.wait_for_stdout(r"^stop with")
    for port in (sub_port, pull_port, pub_port):
        assert f"tcp://127.0.0.1:{port}" in banner, banner
    bus = connect(daemon, pub=f"tcp://127.0.0.1:{pub_port}", pull=f"tcp://127.0.0.1:{pull_port}",
                  sub=f"tcp://127.0.0.1:{sub_port}")
    publisher = bus.connect_producer()

    bus.push.send_multipart([b"orders", order("t-1", "c-tcp", 1772359200000, 99)])
    assert_enter(bus.receive(), "buyer", "c-tcp", "t-1", "2026-03-01T10:00:00.000Z", {"orders_7d": 1})
    publisher.send_multipart([b"orders", order("t-2", "c-tcp-pub", 1772359200000, 99)])
    assert_enter(bus.receive(), "buyer", "c-tcp-pub", "t-2", "2026-03-01T10:00:00.000Z", {"orders_7d": 1})
    bus.expect_nothing_more()
    publisher.close(linger=0)


def test_the_banners_send_example_is_stamped_when_sent_and_raises_alerts(start_daemon, connect):
    # The daemon's clock follows the wall clock (idle_advance), and it refuses an event older than
    # its clock as late: the example stamps the event when it is sent (--now) instead of carrying
    # the start-up time, which would be stale seconds later.
    daemon = start_daemon()
    bus = connect(daemon)
    banner = daemon.wait_for_stdout(r"^stop with")
    example = next(line for line in banner.splitlines() if line.strip().startswith("segd send"))
    command = shlex.split(example)
    assert "--now" in command and '"ts"' not in example, example
    before = int(time.time() * 1000)
    run_segd(*command[1:])
    after = int(time.time() * 1000)
    buyer, big_spender = bus.receive_n(2)
    assert (buyer.topic, buyer.body["customer_id"]) == ("segment.buyer.enter", "c-1"), buyer
    assert (big_spender.topic, big_spender.body["customer_id"]) == ("segment.big_spender.enter", "c-1"), big_spender
    assert before <= epoch_ms(buyer.body["ts"]) <= after, (before, buyer.body["ts"], after)
    bus.expect_nothing_more()


def test_send_now_refuses_an_event_that_has_its_own_time():
    result = run_segd("send", "--now", "orders", '{"event_id":"o-1","customer_id":"c-1","ts":1,"amount":1,"currency":"USD"}',
                      check=False)
    assert result.returncode == 64, result
    assert b"--now sets ts itself: leave it out of the event" in result.stderr, result.stderr


def test_idle_daemon_advances_its_clock_with_the_wall_clock_and_fires_timer_exits(start_daemon, connect):
    # The order must arrive before the daemon has been idle for idle_advance (its clock would have
    # jumped to the wall clock, long after March 2026): it is pushed right after the handshake,
    # whose messages count as traffic, so the margin is the whole 3 s.
    daemon = start_daemon(idle_advance="3s")
    bus = connect(daemon)
    bus.push.send_multipart([b"orders", order("o-old", "c-idle", "2026-03-01T10:00:00Z", 100)])
    assert_enter(bus.receive(), "buyer", "c-idle", "o-old", "2026-03-01T10:00:00.000Z", {"orders_7d": 1})

    # No further traffic: the wall clock (long after March 2026) slides the 7-day window past the order.
    exit_ = bus.receive()
    assert exit_.topic == "segment.buyer.exit", exit_
    body = dict(exit_.body)
    del body["seq"]
    assert body == {"type": "exit", "segment": "buyer", "customer_id": "c-idle", "ts": "2026-03-08T00:00:00.000Z",
                    "cause": "timer", "features": {"orders_7d": 0}}
