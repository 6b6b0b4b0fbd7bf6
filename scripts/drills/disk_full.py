#!/usr/bin/env python3
"""Disk-full drill: the SQLite database lives on a small filesystem that fills up while
participants comment and cast positions. Writes must then fail with a 503 JSON error (code
`unavailable`), reads keep working, nothing acknowledged is lost and nothing is half-written
(integrity check, audit chain), and writes resume once space is freed. Exits non-zero on any
failure. Needs root (it mounts a tmpfs).

Usage: disk_full.py CONCORD_BINARY
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from crash import BASE, CLAUSES, Server, free_port, request, sqlite_query  # noqa: E402

SIZE_MB = 6


def main():
    binary = sys.argv[1]
    mount = tempfile.mkdtemp(prefix="concord-full-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", mount], check=True)
    try:
        run(binary, mount)
    finally:
        subprocess.run(["umount", "-l", mount], check=False)


def run(binary, mount):
    url = f"sqlite://{mount}/drill.db"
    log = open(os.path.join(tempfile.gettempdir(), "concord-full-server.log"), "ab")
    subprocess.run([binary, "demo", "--database-url", url], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(binary, url, free_port(), log)
    server.start()
    port = server.port
    status, _, cookie = request(port, "POST", "/api/v1/accounts",
                                {"handle": "drill-writer", "password": "a long drill passphrase"})
    assert status == 201, status
    cookie = cookie.split(";")[0]
    status, _, _ = request(port, "PUT", f"{BASE}/participation",
                           {"stakeholder_group": "civil_society"}, cookie)
    assert status == 200, status
    # Ballast to free later, so the drill can show writes resuming.
    ballast = os.path.join(mount, "ballast")
    with open(ballast, "wb") as f:
        f.write(b"\0" * (1024 * 1024))

    failures = []
    acknowledged = []
    refusals = {}
    body = "A long comment to fill the disk. " * 120
    n = 0
    full = False
    while n < 20_000 and not full:
        n += 1
        clause = CLAUSES[n % len(CLAUSES)]
        try:
            status, answer, _ = request(
                port, "POST", f"{BASE}/rounds/2019/clauses/{clause}/comments",
                {"body": f"#{n} {body}"}, cookie)
        except OSError as e:
            failures.append(f"comment {n}: no answer ({e})")
            break
        if status == 201:
            acknowledged.append(answer["id"])
        else:
            refusals[status] = refusals.get(status, 0) + 1
            if status != 503 or (answer or {}).get("code") != "unavailable":
                failures.append(f"comment {n}: {status} {answer}")
            full = True
    if not full:
        failures.append("the disk never filled")
    # Positions go through the group-commit writer: the same answer.
    status, answer, _ = request(port, "PUT", f"{BASE}/rounds/2019/clauses/{CLAUSES[0]}/position",
                                {"stance": "endorse"}, cookie)
    position_while_full = status
    if status not in (200, 503):
        failures.append(f"a position with the disk full: {status} {answer}")
    # Reads keep working.
    for path in [f"{BASE}/rounds/2019", f"{BASE}/rounds/2019/clauses/{CLAUSES[1]}/comments",
                 "/readyz"]:
        status, _, _ = request(port, "GET", path)
        if status != 200:
            failures.append(f"read {path} with the disk full: {status}")
    # Space comes back: writes resume without a restart.
    os.remove(ballast)
    resumed = False
    for _ in range(50):
        status, answer, _ = request(port, "POST", f"{BASE}/rounds/2019/clauses/{CLAUSES[2]}/comments",
                                    {"body": "Space again."}, cookie)
        if status == 201:
            acknowledged.append(answer["id"])
            resumed = True
            break
        time.sleep(0.1)
    if not resumed:
        failures.append(f"writes did not resume once space was freed: {status} {answer}")
    status, _, _ = request(port, "PUT", f"{BASE}/rounds/2019/clauses/{CLAUSES[0]}/position",
                           {"stance": "abstain"}, cookie)
    if status != 200:
        failures.append(f"a position after space came back: {status}")
    server.stop()

    query = sqlite_query(url)
    integrity = query("PRAGMA integrity_check")[0][0]
    if integrity != "ok":
        failures.append(f"integrity_check: {integrity}")
    stored = {row[0] for row in query("SELECT id FROM comments")}
    lost = [i for i in acknowledged if i not in stored]
    if lost:
        failures.append(f"{len(lost)} acknowledged comments lost")
    verify = subprocess.run([binary, "verify", "--database-url", url], capture_output=True, text=True)
    if verify.returncode != 0:
        failures.append(f"audit chain: {verify.stdout.strip()}")
    print(f"disk-full drill: {len(acknowledged)} comments acknowledged on a {SIZE_MB} MB filesystem, "
          f"then refused with {refusals}; a position while full: {position_while_full}; reads "
          f"answered; writes resumed: {resumed}; integrity_check {integrity}; {verify.stdout.strip()}")
    if failures:
        for f in failures[:20]:
            print("FAIL:", f)
        sys.exit(1)
    print("disk-full drill: refused cleanly with 503, nothing acknowledged lost, writes resumed")


if __name__ == "__main__":
    main()
