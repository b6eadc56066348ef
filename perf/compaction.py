#!/usr/bin/env python3
"""The longest the world's lock is held while a snapshot is written, by perf/compaction.sh.

  compaction.py HOST:PORT STATE DELETES.txt

A probe thread sends `GET /_emulator/clock` (it takes the world's lock, and nothing else) over
one keep-alive connection, back to back, and records each answer's latency. Meanwhile the main
thread, over another connection:
  1. sends the signed deletes one after the other until a compaction has started and ended
     (the temporary snapshot `.STATE.tmp` appeared and is gone): the compaction's window;
  2. sends `POST /_emulator/reset`, whose snapshot is written under the world's lock (as a
     compaction was before the journal had two segments): the reset's window.
For each window it prints the probes answered in it and the longest probe latency, and the
deletes answered during the compaction with their longest latency. Standard library only.
"""

import http.client
import os
import sys
import threading
import time


def main() -> None:
    address, state, deletes_file = sys.argv[1:4]
    host, port = address.rsplit(":", 1)
    temporary = os.path.join(os.path.dirname(state) or ".", "." + os.path.basename(state) + ".tmp")
    with open(deletes_file) as f:
        deletes = [line.strip() for line in f if line.strip()]

    probes = []  # (sent, latency)
    stop = threading.Event()

    def probe() -> None:
        conn = http.client.HTTPConnection(host, int(port))
        while not stop.is_set():
            sent = time.monotonic()
            conn.request("GET", "/_emulator/clock")
            conn.getresponse().read()
            probes.append((sent, time.monotonic() - sent))

    prober = threading.Thread(target=probe)
    prober.start()
    conn = http.client.HTTPConnection(host, int(port))
    seen_at = gone_at = None
    answered = []  # (sent, latency)
    for target in deletes:
        sent = time.monotonic()
        conn.request("POST", target)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"delete answered {response.status}: {body[:200]!r}")
        answered.append((sent, time.monotonic() - sent))
        exists = os.path.exists(temporary)
        if exists and seen_at is None:
            seen_at = time.monotonic()
        if seen_at is not None and not exists:
            gone_at = time.monotonic()
            break
    if gone_at is None:
        # The deletes ran out first: wait for the compaction to end.
        while seen_at is None or os.path.exists(temporary):
            if seen_at is None and os.path.exists(temporary):
                seen_at = time.monotonic()
            if seen_at is None and answered and time.monotonic() - answered[-1][0] > 60:
                raise SystemExit("no compaction started: lower ECS_EMULATOR_COMPACT_ABOVE")
            time.sleep(0.001)
        gone_at = time.monotonic()
    time.sleep(0.2)
    reset_start = time.monotonic()
    conn.request("POST", "/_emulator/reset")
    conn.getresponse().read()
    reset_end = time.monotonic()
    time.sleep(0.2)
    stop.set()
    prober.join()

    def window(rows, start, end):
        inside = [lat for sent, lat in rows if sent + lat >= start and sent <= end]
        return len(inside), max(inside, default=0.0)

    baseline = [lat for sent, lat in probes if sent + lat < (seen_at or 0)]
    n, longest = window(probes, seen_at, gone_at)
    dn, dlongest = window(answered, seen_at, gone_at)
    rn, rlongest = window(probes, reset_start, reset_end)
    print(f"deletes sent: {len(answered)}")
    print(f"probe before the compaction: {len(baseline)} answers, longest {max(baseline, default=0) * 1e3:.1f} ms")
    print(f"compaction (at least): {gone_at - seen_at:.2f} s")
    print(f"  probes answered in it: {n}, longest {longest * 1e3:.1f} ms")
    print(f"  deletes answered in it: {dn}, longest {dlongest * 1e3:.1f} ms")
    print(f"reset (snapshot under the world's lock): {reset_end - reset_start:.2f} s")
    print(f"  probes answered in it: {rn}, longest {rlongest * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
