"""SQLite (the zero-setup default behind `make run`): concurrent writers queue, never "database is locked".

The settings are loaded in a subprocess pointed at a file-based SQLite database, whatever database
this test run uses, so the OPTIONS that engager/settings.py gives SQLite are the ones exercised.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

# Each thread repeatedly reads a counter and writes it back in one transaction: the shape of most
# services (get_or_create, then save). With SQLite's default deferred transactions two such
# transactions both take a read lock and then cannot upgrade it, so one fails at once with
# "database is locked" (the busy timeout does not help a deadlock); BEGIN IMMEDIATE queues them.
SCRIPT = r"""
import json, threading, time
import django
django.setup()
from django.db import connection, transaction

THREADS, ROUNDS = 8, 20
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    cursor.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
connection.close()
barrier = threading.Barrier(THREADS)
errors = []

def worker():
    try:
        barrier.wait(timeout=30)
        for _ in range(ROUNDS):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter WHERE id = 1")
                (n,) = cursor.fetchone()
                time.sleep(0.002)  # let the other threads read too before this one writes
                cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()

threads = [threading.Thread(target=worker) for _ in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter WHERE id = 1")
    (n,) = cursor.fetchone()
print(json.dumps({"options": connection.settings_dict["OPTIONS"], "errors": errors, "count": n}))
"""


def test_concurrent_writers_on_a_sqlite_file_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'engager.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "engager.settings",
        "DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == [], outcome
    assert outcome["count"] == 8 * 20  # every increment landed: the writers really were serialised
    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"
