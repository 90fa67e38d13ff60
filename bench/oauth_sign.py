#!/usr/bin/python3
"""Pre-signs a pool of OAuth 1.0a Authorization headers for bench/oauth.sh.

Each header is signed by oauthlib (oauth1.Client, HMAC-SHA256 by default) for one GET of --url, with
the current timestamp and a fresh nonce (oauthlib's: 64 random bits from the OS plus the timestamp).
The pool is split into --slices files, PREFIX.1 .. PREFIX.N, one per wrk thread, one header value
(the part after "Authorization: ") per line; bench/oauth.lua sends each line once. The slices are
signed in parallel, one process each. Nonces are checked to be unique over the whole pool.

The credentials come from a file holding the JSON that `storegate integration:activate --json`
prints (consumer_key, consumer_secret, access_token, access_token_secret), so no secret appears on a
command line. Prints one JSON line: count, seconds, headers per second, oldest timestamp.
"""
import argparse
import json
import multiprocessing
import os
import sys
import time

from oauthlib import oauth1
from oauthlib.common import generate_nonce

METHODS = {"HMAC-SHA256": oauth1.SIGNATURE_HMAC_SHA256, "HMAC-SHA1": oauth1.SIGNATURE_HMAC_SHA1}


def sign_slice(job):
    """Signs `count` headers into `path`; returns (path, count, nonces, oldest timestamp)."""
    path, count, url, creds, method = job
    client = oauth1.Client(
        creds["consumer_key"],
        client_secret=creds["consumer_secret"],
        resource_owner_key=creds["access_token"],
        resource_owner_secret=creds["access_token_secret"],
        signature_method=METHODS[method],
        signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER,
    )
    nonces = set()
    oldest = int(time.time())  # oauthlib stamps each header with the time it signs it
    with open(path, "w", encoding="ascii", buffering=1 << 20) as out:
        written = 0
        while written < count:
            nonce = generate_nonce()
            if nonce in nonces:  # oauthlib's nonces do not repeat in practice; never send one twice
                continue
            nonces.add(nonce)
            client.nonce = nonce  # what Client.sign would draw itself; kept to check uniqueness
            _, headers, _ = client.sign(url, http_method="GET")
            value = headers["Authorization"]
            if not value.startswith("OAuth ") or "\r" in value or "\n" in value:
                raise SystemExit("oauth_sign: unexpected header %r" % value)
            out.write(value)
            out.write("\n")
            written += 1
    return path, count, nonces, oldest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="the URL as the server sees it, port included")
    ap.add_argument("--credentials", required=True, help="JSON file from integration:activate --json")
    ap.add_argument("--count", type=int, required=True, help="headers in the whole pool")
    ap.add_argument("--slices", type=int, default=2, help="files (wrk threads), signed in parallel")
    ap.add_argument("--out", required=True, help="file prefix: writes PREFIX.1 .. PREFIX.N")
    ap.add_argument("--method", default="HMAC-SHA256", choices=sorted(METHODS))
    args = ap.parse_args()
    if args.count < args.slices or args.slices < 1:
        ap.error("--count must be at least --slices, and --slices at least 1")

    with open(args.credentials, encoding="utf-8") as f:
        creds = json.load(f)
    jobs = []
    for i in range(args.slices):
        n = args.count // args.slices + (1 if i < args.count % args.slices else 0)
        jobs.append(("%s.%d" % (args.out, i + 1), n, args.url, creds, args.method))

    start = time.monotonic()
    if args.slices == 1:
        results = [sign_slice(jobs[0])]
    else:
        with multiprocessing.Pool(min(args.slices, os.cpu_count() or 1)) as pool:
            results = pool.map(sign_slice, jobs)
    seconds = time.monotonic() - start

    seen = set()
    for _, _, nonces, _ in results:
        if not seen.isdisjoint(nonces):
            raise SystemExit("oauth_sign: a nonce repeats across slices; sign again")
        seen |= nonces
    oldest = min(r[3] for r in results)
    json.dump(
        {
            "count": sum(r[1] for r in results),
            "seconds": round(seconds, 3),
            "per_second": round(args.count / seconds if seconds > 0 else 0.0, 1),
            "oldest_timestamp": oldest,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
