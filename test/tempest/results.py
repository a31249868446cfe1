"""Subunit v2 stream (stdin) -> one JSON object per test (stdout): id, status, reason.

Run with Debian's /usr/bin/python3 (it has python3-subunit, which Tempest depends on).
"""
import json
import sys

import subunit
import testtools

STATUS = {"success": "passed", "xfail": "passed", "fail": "failed", "uxsuccess": "failed", "skip": "skipped"}


def reason_of(test):
    details = test.get("details") or {}
    for key in ("reason", "traceback"):
        if key in details:
            text = "".join(part.decode("utf-8", "replace") for part in details[key].iter_bytes())
            lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
            if lines:
                return lines[-1][:300]
    return ""


def emit(test):
    status = STATUS.get(test["status"])
    if status is None:
        return
    test_id = test["id"].split("[")[0]
    print(json.dumps({"id": test_id, "status": status, "reason": reason_of(test) if status != "passed" else ""}))


stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout")
result = testtools.StreamToDict(emit)
result.startTestRun()
try:
    stream.run(result)
finally:
    result.stopTestRun()
