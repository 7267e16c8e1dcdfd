"""SQLite persistence: every object as JSON, keyed by (sandbox, kind, id)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    sandbox TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    body TEXT NOT NULL, created REAL NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (sandbox, kind, id));
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, sandbox TEXT NOT NULL, dataset_id TEXT NOT NULL,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

Obj = dict[str, Any]


class Store:
    """One connection shared behind a re-entrant lock (the server is threaded)."""

    def __init__(self, path: str | None) -> None:
        self.lock = threading.RLock()
        target = ":memory:"
        if path:
            parent = os.path.dirname(os.path.abspath(path))
            os.makedirs(parent, exist_ok=True)
            target = path
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self.lock:
            self._db.close()

    def _next(self, name: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        value = (row[0] if row else 0) + 1
        self._db.execute(
            "INSERT INTO counters(name, value) VALUES(?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value=excluded.value",
            (name, value),
        )
        return int(value)

    def next_counter(self, name: str) -> int:
        with self.lock:
            return self._next(name)

    def get(self, sandbox: str, kind: str, obj_id: str) -> Obj | None:
        with self.lock:
            row = self._db.execute(
                "SELECT body FROM objects WHERE sandbox=? AND kind=? AND id=?", (sandbox, kind, obj_id)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def created(self, sandbox: str, kind: str, obj_id: str) -> float | None:
        with self.lock:
            row = self._db.execute(
                "SELECT created FROM objects WHERE sandbox=? AND kind=? AND id=?", (sandbox, kind, obj_id)
            ).fetchone()
        return None if row is None else float(row[0])

    def put(self, sandbox: str, kind: str, obj_id: str, body: Obj) -> None:
        text = json.dumps(body)
        with self.lock:
            cur = self._db.execute(
                "UPDATE objects SET body=? WHERE sandbox=? AND kind=? AND id=?", (text, sandbox, kind, obj_id)
            )
            if cur.rowcount == 0:
                self._db.execute(
                    "INSERT INTO objects(sandbox, kind, id, body, created, seq) VALUES(?,?,?,?,?,?)",
                    (sandbox, kind, obj_id, text, time.time(), self._next("objects")),
                )

    def delete(self, sandbox: str, kind: str, obj_id: str) -> bool:
        with self.lock:
            cur = self._db.execute(
                "DELETE FROM objects WHERE sandbox=? AND kind=? AND id=?", (sandbox, kind, obj_id)
            )
        return cur.rowcount > 0

    def list_kind(self, sandbox: str, kind: str, created_before: float | None = None) -> list[Obj]:
        sql = "SELECT body FROM objects WHERE sandbox=? AND kind=?"
        args: list[Any] = [sandbox, kind]
        if created_before is not None:
            sql += " AND created<=?"
            args.append(created_before)
        with self.lock:
            rows = self._db.execute(sql + " ORDER BY seq", args).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    def list_all(self, kind: str) -> list[tuple[str, Obj]]:
        with self.lock:
            rows = self._db.execute(
                "SELECT sandbox, body FROM objects WHERE kind=? ORDER BY seq", (kind,)
            ).fetchall()
        return [(str(r[0]), dict(json.loads(r[1]))) for r in rows]

    def add_record(self, sandbox: str, dataset_id: str, record: Obj) -> None:
        with self.lock:
            self._db.execute(
                "INSERT INTO records(sandbox, dataset_id, body) VALUES(?,?,?)",
                (sandbox, dataset_id, json.dumps(record)),
            )

    def records(self, sandbox: str, dataset_id: str) -> list[Obj]:
        with self.lock:
            rows = self._db.execute(
                "SELECT body FROM records WHERE sandbox=? AND dataset_id=? ORDER BY seq",
                (sandbox, dataset_id),
            ).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    def delete_records(self, sandbox: str, dataset_id: str) -> None:
        with self.lock:
            self._db.execute("DELETE FROM records WHERE sandbox=? AND dataset_id=?", (sandbox, dataset_id))

    def wipe(self) -> None:
        with self.lock:
            for table in ("objects", "records", "counters"):
                self._db.execute(f"DELETE FROM {table}")

    def dump(self) -> dict[str, dict[str, list[Obj]]]:
        out: dict[str, dict[str, list[Obj]]] = {}
        with self.lock:
            rows = self._db.execute("SELECT sandbox, kind, body FROM objects ORDER BY seq").fetchall()
        for sandbox, kind, body in rows:
            out.setdefault(sandbox or "_global", {}).setdefault(kind, []).append(json.loads(body))
        return out
