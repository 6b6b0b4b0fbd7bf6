"""Resident memory of `concord serve` under a burst of sign-ups (see scripts/bench/signups).

Starts the server on a fresh SQLite database with no sign-up limit, reads its resident memory
idle (the baseline), then signs up SIGN_UPS accounts from CONCURRENT threads while sampling the
memory every 20 ms, and reads it again 10 s after the last answer. Prints each figure in MB and
as a ratio to the idle server's.
"""

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign_up(port, n):
    body = json.dumps({"handle": f"burst-{n}", "password": "a long passphrase for the bench"})
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/accounts",
        data=body.encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def main():
    binary, count, at_once = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    work = tempfile.mkdtemp()
    port = free_port()
    log = open(os.path.join(work, "server.log"), "wb")
    os.environ["CONCORD_RECORD_KEY"] = f"{work}/record.key"
    os.environ["CONCORD_RECORD_KEY_PASSWORD"] = "a benchmark's record key"
    os.environ["CONCORD_SERVER_SECRET"] = "a benchmark's server secret, long enough"
    subprocess.run([binary, "keygen"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    server = subprocess.Popen(
        [binary, "serve", "--database-url", f"sqlite://{work}/bench.db",
         "--bind", f"127.0.0.1:{port}", "--sign-ups-per-minute", "0"],
        stdout=log, stderr=log,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        # One sign-up first, so the idle figure includes a started hashing pool.
        sign_up(port, -1)
        time.sleep(2)
        idle = rss_mb(server.pid)

        peak, done = idle, threading.Event()

        def sample():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb(server.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(at_once) as pool:
            statuses = list(pool.map(lambda n: sign_up(port, n), range(count)))
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        time.sleep(10)
        after = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait()

    created = statuses.count(201)
    busy = statuses.count(503)
    other = len(statuses) - created - busy
    print(f"{count} sign-ups at {at_once} concurrent requests in {seconds:.1f} s: "
          f"{created} created, {busy} answered 503 (busy), {other} other")
    print(f"idle server (baseline):  {idle:6.1f} MB")
    print(f"peak during the burst:   {peak:6.1f} MB  ({peak / idle:.1f}x idle; target < 256 MB)")
    print(f"10 s after the burst:    {after:6.1f} MB  ({after / idle:.1f}x idle; target < 100 MB)")
    if other:
        raise SystemExit("some sign-ups failed otherwise than busy")


if __name__ == "__main__":
    main()
