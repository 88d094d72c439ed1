"""CWC adapter benchmark against the fake CWC server; prints messages per second.

    .venv/bin/python bench/cwc.py [--messages 2000]

1. Build: CwcMessage.to_xml() and schema validation, one thread.
2. Post: build, validate and post each message to the fake server (which validates it
   again), with one thread and with two, as one and two outbox workers would.

The fake runs in this process on 127.0.0.1, so the figures measure the adapter and the
local HTTP round trip, not CWC. The outbox (leases, rows) is not in the loop yet: extend
post_all() to go through the delivery service once the CWC channel is wired into it.

Figures (2 cores, 2000 messages of ~3 KB, two runs): build + validate 1,450-1,600/s;
build + validate + post 305-383/s with one thread, 826-959/s with two. Two threads more
than double one: each post waits on a fresh local connection (urllib closes it), and the
second thread fills that wait.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cwc import CwcClient, CwcMessage, delivery_agent, delivery_id, validate  # noqa: E402
from tests.fakes.cwc import API_KEY, FakeCwc, cwc_settings  # noqa: E402

AGENT = delivery_agent(cwc_settings("http://unused"))
BODY = "Dear Senator,\n\n" + "Please protect the river we all drink from. " * 40 + "\n\nAna"


def build(n: int) -> CwcMessage:
    return CwcMessage(
        delivery_id=delivery_id("https://bench.chorus.test", n),
        delivery_date=date.today(),
        agent=AGENT,
        campaign_id="bench-campaign",
        member_office=("HCA11", "SCA01", "SCA03")[n % 3],
        prefix="Ms.",
        first_name="Ana",
        last_name=f"Reyes {n}",
        address="3200 24th Street",
        city="San Francisco",
        state="CA",
        zip_code="94110",
        email=f"ana{n}@example.org",
        subject="Protect the Clean Water Act",
        topics=("Environmental Protection",),
        body=BODY,
    )


def build_all(count: int) -> float:
    """Messages built and validated per second, one thread."""
    started = time.perf_counter()
    for n in range(count):
        validate(build(n).to_xml())
    return count / (time.perf_counter() - started)


def post_all(fake: FakeCwc, count: int, threads: int) -> float:
    """Messages built, validated and posted per second with this many threads."""
    client = CwcClient(fake.url, API_KEY)

    def send(n: int) -> None:
        xml = build(n).to_xml()
        validate(xml)
        client.post(xml)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(count)))
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()

    print(f"build + validate, 1 thread: {build_all(args.messages):8.0f} messages/s")
    fake = FakeCwc().start()
    try:
        for threads in (1, 2):
            rate = post_all(fake, args.messages, threads)
            print(f"build + validate + post, {threads} thread(s): {rate:8.0f} messages/s")
        accepted = len(fake.accepted())
        assert accepted == 2 * args.messages, f"the fake accepted {accepted}"
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
