"""Local stand-ins for outside services, speaking their real protocols over real sockets."""

from tests.fakes.sendgrid import FakeSendGrid, Received, Reply, rate_limited

__all__ = ["FakeSendGrid", "Received", "Reply", "rate_limited"]
