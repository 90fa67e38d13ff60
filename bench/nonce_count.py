#!/usr/bin/python3
"""Counts the nonces a SQLite store's server recorded: the valid 40-byte slots of its nonce journal
(DB-nonces.NNNNNN beside the database file; see src/oauth/nonce_journal.h: a 512-byte header
block, then 512-byte blocks of 12 slots; segments of earlier versions hold slots from the first
byte) that are not leases (a lease's timestamp field is negative), plus the rows of oauth_nonce
(written by earlier versions). Read-only; safe while the server runs."""
import glob
import hashlib
import re
import sqlite3
import sys

SLOT = 40
BLOCK = 512
HEADER = b"storegate nonce journal, 512-byte blocks of 12 slots\n"


def slot_offsets(size, blocked):
    if not blocked:
        return range(0, size - SLOT + 1, SLOT)
    return (block + k * SLOT for block in range(BLOCK, size - BLOCK + 1, BLOCK)
            for k in range(BLOCK // SLOT))


def journal_count(db_path):
    n = 0
    for seg in glob.glob(glob.escape(db_path) + "-nonces.*"):
        if not re.fullmatch(r"\d{6}", seg.rsplit(".", 1)[1]):
            continue
        with open(seg, "rb") as f:
            data = f.read()
        for at in slot_offsets(len(data), data.startswith(HEADER)):
            slot = data[at:at + SLOT]
            if (hashlib.blake2b(slot[:32], digest_size=16).digest()[:8] == slot[32:]
                    and int.from_bytes(slot[24:32], "little", signed=True) >= 0):
                n += 1
    return n


def table_count(db_path):
    db = sqlite3.connect("file:" + db_path + "?mode=ro", uri=True, timeout=10)
    return db.execute("SELECT count(*) FROM oauth_nonce").fetchone()[0]


if __name__ == "__main__":
    path = sys.argv[1]
    print(journal_count(path) + table_count(path))
