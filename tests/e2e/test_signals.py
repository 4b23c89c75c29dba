"""SIGTERM and SIGINT stop the daemon gracefully: exit status 0, promptly."""

import signal
import time

import pytest

from conftest import order


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_daemon_with_status_0_within_5_seconds(start_daemon, connect, sig):
    daemon = start_daemon()
    bus = connect(daemon)
    bus.push.send_multipart([b"orders", order("o-1", "c-sig", "2026-03-01T10:00:00Z", 100)])
    assert bus.receive().topic == "segment.buyer.enter"  # it is really serving

    started = time.monotonic()
    status = daemon.stop(sig, timeout=5.0)
    assert status == 0, f"exit status {status} after {sig.name}; stderr:\n{daemon.stderr}"
    assert time.monotonic() - started < 5.0
    assert any(" stopped " in line for line in daemon.stderr_lines), daemon.stderr
