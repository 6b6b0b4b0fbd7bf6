#!/usr/bin/env python3
"""Crash drill: while participants cast and change positions (recording every acknowledged
one), the server is killed with SIGKILL at random moments and restarted. Afterwards every
acknowledged position must be there with its latest value (or a later one whose answer the
crash swallowed), every acknowledged receipt in the history, the counts equal to a recount,
SQLite's integrity check `ok` and the audit chain intact. Exits non-zero on any failure.

Usage: crash.py CONCORD_BINARY [--casts N] [--kills K] [--database-url URL]
(with a PostgreSQL URL the same drill runs against it; the database must be empty).
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

CLAUSES = [
    "protect-individuals", "protect-internet", "electoral-processes", "intellectual-property",
    "non-proliferation", "lifecycle-security", "cyber-hygiene", "no-private-hack-back",
    "international-norms",
]
STANCES = ["endorse", "endorse_with_reservation", "oppose", "abstain"]
BASE = "/api/v1/consultations/paris-call"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record_key(binary):
    """A record-signing key for the drill's server (made once per run), its password and the
    server secret in the environment the server inherits."""
    os.environ.setdefault("CONCORD_RECORD_KEY_PASSWORD", "a drill's record key passphrase")
    os.environ.setdefault("CONCORD_SERVER_SECRET", "a drill's server secret, 32 characters or more")
    path = os.path.join(KEY_DIR, "record.key")
    if not os.path.exists(path):
        subprocess.run([binary, "keygen", "--record-key", path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


KEY_DIR = tempfile.mkdtemp(prefix="concord-drill-key-")


class Server:
    def __init__(self, binary, url, port, log):
        self.binary, self.url, self.port, self.log = binary, url, port, log
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "serve", "--database-url", self.url, "--bind", f"127.0.0.1:{self.port}",
             "--sign-ups-per-minute", "0", "--record-key", record_key(self.binary)],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                status, _, _ = request(self.port, "GET", "/readyz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("the server did not become ready")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def sqlite_query(url):
    db = sqlite3.connect(url[len("sqlite://"):])
    return lambda sql: db.execute(sql).fetchall()


def postgres_query(url):
    def run(sql):
        out = subprocess.run(["psql", url, "-AtF", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    return run


def request(port, method, path, body=None, cookie=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"content-type": "application/json"}
    if cookie:
        headers["cookie"] = cookie
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    set_cookie = response.getheader("set-cookie")
    connection.close()
    return response.status, (json.loads(data) if data else None), set_cookie


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--casts", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--voters", type=int, default=24)
    parser.add_argument("--database-url")
    parser.add_argument("--database-stop", help="shell command that stops the database (once, mid-load)")
    parser.add_argument("--database-start", help="shell command that starts it again")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="concord-crash-")
    url = args.database_url or f"sqlite://{work}/drill.db"
    log = open(os.path.join(work, "server.log"), "ab")
    subprocess.run([args.binary, "demo", "--database-url", url], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(args.binary, url, free_port(), log)
    server.start()

    voters = []
    for i in range(args.voters):
        status, _, cookie = request(server.port, "POST", "/api/v1/accounts",
                                    {"handle": f"drill-{i}", "password": "a long drill passphrase"})
        assert status == 201, status
        cookie = cookie.split(";")[0]
        status, _, _ = request(server.port, "PUT", f"{BASE}/participation",
                               {"stakeholder_group": "civil_society"}, cookie)
        assert status == 200, status
        voters.append((f"drill-{i}", cookie))

    lock = threading.Lock()
    acked = {}        # (voter, clause) -> (sequence, stance)
    attempts = {}     # (voter, clause) -> [(sequence, stance)] not (yet) acknowledged
    receipts = []     # every acknowledged receipt
    counters = {"acked": 0, "failed": 0, "sequence": 0}
    stop = threading.Event()

    def cast_forever(voter, cookie):
        rng = random.Random(voter)
        while not stop.is_set():
            clause, stance = rng.choice(CLAUSES), rng.choice(STANCES)
            body = {"stance": stance}
            if stance in ("oppose", "endorse_with_reservation"):
                body["reason"] = "Drill reason."
            with lock:
                counters["sequence"] += 1
                sequence = counters["sequence"]
                attempts.setdefault((voter, clause), []).append((sequence, stance))
            try:
                status, answer, _ = request(server.port, "PUT",
                                            f"{BASE}/rounds/2019/clauses/{clause}/position",
                                            body, cookie)
            except OSError:
                status, answer = None, None
            with lock:
                if status == 200:
                    acked[(voter, clause)] = (sequence, stance)
                    receipts.append(answer["position"]["receipt"])
                    counters["acked"] += 1
                    if counters["acked"] >= args.casts:
                        stop.set()
                else:
                    counters["failed"] += 1
            if status != 200:
                time.sleep(0.05)

    threads = [threading.Thread(target=cast_forever, args=v) for v in voters]
    for t in threads:
        t.start()
    kills = 0
    outage = None
    rng = random.Random(7)
    while not stop.is_set():
        time.sleep(rng.uniform(0.3, 1.5))
        if stop.is_set():
            break
        if kills < args.kills:
            server.kill()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()
        elif args.database_stop and outage is None:
            # The database goes away under load: Concord says 503 and recovers by itself.
            subprocess.run(args.database_stop, shell=True, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            outage = []
            for _ in range(5):
                try:
                    outage.append(request(server.port, "GET", f"{BASE}/rounds/2019")[0])
                except OSError:
                    outage.append(None)
                time.sleep(0.2)
            subprocess.run(args.database_start, shell=True, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for t in threads:
        t.join()
    server.stop()

    failures = []
    if outage is not None and not any(status == 503 for status in outage):
        failures.append(f"while the database was away Concord answered {sorted(set(outage))}, not 503")
    query = sqlite_query(url) if url.startswith("sqlite://") else postgres_query(url)
    if url.startswith("sqlite://"):
        integrity = query("PRAGMA integrity_check")[0][0]
        if integrity != "ok":
            failures.append(f"integrity_check: {integrity}")
    rows = query(
        "SELECT a.handle, k.key, p.stance FROM positions p JOIN accounts a ON a.id = p.account_id "
        "JOIN clauses k ON k.id = p.clause_id WHERE a.handle LIKE 'drill-%'")
    stored = {(h, k): s for h, k, s in rows}
    history = {r for (r,) in query("SELECT receipt FROM position_changes")}
    wrong = query(
        "SELECT COUNT(*) FROM (SELECT clause_id, stance, stakeholder_group, region, COUNT(*) AS n "
        "FROM positions GROUP BY clause_id, stance, stakeholder_group, region) r "
        "LEFT JOIN tally_counts t ON t.clause_id = r.clause_id AND t.stance = r.stance "
        "AND t.stakeholder_group = r.stakeholder_group AND t.region = r.region "
        "WHERE COALESCE(t.n, -1) <> r.n")[0][0]
    extra = query(
        "SELECT COUNT(*) FROM tally_counts t WHERE t.n > 0 AND NOT EXISTS (SELECT 1 FROM positions p "
        "WHERE p.clause_id = t.clause_id AND p.stance = t.stance AND "
        "p.stakeholder_group = t.stakeholder_group AND p.region = t.region)")[0][0]
    if int(wrong) or int(extra):
        failures.append(f"counts differ from a recount ({wrong} missing or wrong, {extra} extra)")
    checked = 0
    for key, (sequence, stance) in acked.items():
        checked += 1
        allowed = {stance} | {s for q, s in attempts.get(key, []) if q > sequence}
        if stored.get(key) not in allowed:
            failures.append(f"{key}: acknowledged {stance}, stored {stored.get(key)}")
    missing = [r for r in receipts if r not in history]
    if missing:
        failures.append(f"{len(missing)} acknowledged receipts missing from the history")
    verify = subprocess.run([args.binary, "verify", "--database-url", url],
                            capture_output=True, text=True)
    if verify.returncode != 0:
        failures.append(f"audit chain: {verify.stdout.strip()}")

    print(f"crash drill ({url.split(':')[0]}): {counters['acked']} acknowledged casts by "
          f"{len(voters)} voters, {counters['failed']} refused or cut off, {kills} kills (SIGKILL) "
          f"and restarts; {checked} voter-clause pairs checked; {verify.stdout.strip()}")
    if outage is not None:
        print(f"crash drill: with the database stopped Concord answered {outage}, then recovered")
    if failures:
        for f in failures[:20]:
            print("FAIL:", f)
        sys.exit(1)
    print("crash drill: every acknowledged position survived; counts match a recount"
          + ("; integrity_check ok" if url.startswith("sqlite://") else ""))


if __name__ == "__main__":
    main()
