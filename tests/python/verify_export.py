#!/usr/bin/env python3
"""Verify a Countersign audit export with independent implementations.

Usage: verify_export.py EXPORT_DIR

Checks, without any Countersign code: the detached manifest signature and every decision
JWS with PyJWT (EdDSA, the public keys as exported JWKs); that each JWS payload is the
RFC 8785 form of its record and that args_digest is SHA-256 over the RFC 8785 form of the
final args (the `rfc8785` package); the ledger hash chain; and that decisions.csv reads as
a table with a standard CSV reader, row for row with decisions.jsonl, no cell starting as a
formula. Prints a JSON summary; exits 1 naming the first problem.
"""

import base64
import csv
import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path

import jwt
import rfc8785

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fail(msg):
    print(f"verify_export.py: {msg}", file=sys.stderr)
    sys.exit(1)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(root: Path):
    manifest_bytes = (root / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    keys = {kid: jwt.PyJWK(jwk).key for kid, jwk in manifest["public_keys"].items()}
    jws = jwt.PyJWS()

    header_b64, empty, sig_b64 = (root / "manifest.jws").read_text().strip().split(".")
    if empty != "":
        fail("manifest.jws is not detached")
    compact = f"{header_b64}.{b64url(manifest_bytes)}.{sig_b64}"
    signer = jwt.get_unverified_header(compact)["kid"]
    try:
        jws.decode_complete(compact, key=keys[signer], algorithms=["EdDSA"])
    except Exception as e:  # noqa: BLE001 - any failure is a verification failure
        fail(f"manifest.jws does not verify: {e}")

    rows = [json.loads(line) for line in (root / "decisions.jsonl").read_text().splitlines()]
    for row in rows:
        where = f"row {row['row']} ({row['decision_id']})"
        token = row["jws"]
        kid = jwt.get_unverified_header(token)["kid"]
        if kid not in keys:
            fail(f"{where}: key {kid} not exported")
        try:
            payload = jws.decode_complete(token, key=keys[kid], algorithms=["EdDSA"])["payload"]
        except Exception as e:  # noqa: BLE001
            fail(f"{where}: JWS does not verify: {e}")
        record = json.loads(payload)
        if rfc8785.dumps(record) != payload:
            fail(f"{where}: JWS payload is not RFC 8785 canonical JSON")
        if record["decision_id"] != row["decision_id"] or record["outcome"] != row["outcome"]:
            fail(f"{where}: row differs from its signed record")
        if record["reviewer"]["display_name"] != row["signer_name"] or record["meaning"] != row["meaning"]:
            fail(f"{where}: signer or meaning differs from the signed record")
        final_args = record.get("final_args")
        if final_args is not None:
            digest = sha256_hex(rfc8785.dumps(final_args))
            if digest != record["args_digest"] or digest != row["args_digest"]:
                fail(f"{where}: args_digest does not match final_args")
        if not manifest["digests_only"]:
            if row["final_args"] != final_args:
                fail(f"{where}: exported final_args differ from the signed ones")
            if sha256_hex(rfc8785.dumps(row["proposed_args"])) != row["proposed_args_digest"]:
                fail(f"{where}: proposed_args_digest does not match proposed_args")

    prev = manifest["ledger"]["first_prev_hash"]
    entries = 0
    for line in (root / "ledger.jsonl").read_text().splitlines():
        e = json.loads(line)
        at = datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
        at_ms = int(at.timestamp()) * 1000 + at.microsecond // 1000
        body = {"seq": e["seq"], "at": at_ms, "kind": e["kind"], "subject": e["subject"], "payload": e["payload"]}
        digest = sha256_hex(prev.encode() + b"\n" + rfc8785.dumps(body))
        if e["prev_hash"] != prev or digest != e["hash"]:
            fail(f"ledger entry {e['seq']}: chain broken")
        prev = e["hash"]
        entries += 1
    if prev != manifest["ledger"]["head_hash"]:
        fail("ledger does not end at the manifest's chain head")

    with open(root / "decisions.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    if len(body) != len(rows) or any(len(r) != len(header) for r in body):
        fail("decisions.csv is not a table with one row per decision")
    col = {name: i for i, name in enumerate(header)}
    for row, cells in zip(rows, body):
        if cells[col["decision_id"]] != row["decision_id"]:
            fail(f"csv row {row['row']}: not the same decision as decisions.jsonl")
        if any(c.startswith(FORMULA_STARTS) for c in cells):
            fail(f"csv row {row['row']}: a cell starts like a formula")

    print(json.dumps({"rows": len(rows), "signatures": len(rows), "ledger_entries": entries,
                      "csv_rows": len(body), "signer": signer}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: verify_export.py EXPORT_DIR")
    main(Path(sys.argv[1]))
