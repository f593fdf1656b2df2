#!/usr/bin/env python3
"""Seeds the mixed workload: TENANTS tenants of PARTNERS partners each, every tenant through
its own development token (`rapd token --tenant`), twenty partners per `$batch`. Writes one
"token partner-id" line per tenant (a random one of its partners) to OUT, or with `every`, one
line per partner.

Usage: mix_seed.py RAPD DATA_DIR ORIGIN TENANTS PARTNERS OUT [every]"""
import json
import random
import subprocess
import sys
import urllib.request
import uuid

rapd, data_dir, origin, tenants, partners, out = sys.argv[1:7]
every = sys.argv[7:8] == ["every"]
lines = []
for _ in range(int(tenants)):
    tenant = str(uuid.uuid4())
    token = subprocess.run(
        [rapd, "token", "--data-dir", data_dir, "--tenant", tenant, "--ttl", "86400"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    ids = []
    count = int(partners)
    for start in range(0, count, 20):
        items = [
            {
                "id": str(i),
                "method": "POST",
                "url": "/deviceManagement/remoteAssistancePartners",
                "headers": {"Content-Type": "application/json"},
                "body": {"displayName": f"Partner {i}"},
            }
            for i in range(start + 1, min(count, start + 20) + 1)
        ]
        request = urllib.request.Request(
            f"{origin}/v1.0/$batch",
            json.dumps({"requests": items}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            for answer in json.load(response)["responses"]:
                if answer["status"] != 201:
                    sys.exit(f"seeding failed: {answer}")
                ids.append(answer["body"]["id"])
    lines += [f"{token} {i}" for i in ids] if every else [f"{token} {random.choice(ids)}"]
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
