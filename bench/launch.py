#!/usr/bin/env python3
"""Starts a server and measures its time to ready without a shell in between: spawns the
command, polls URL every millisecond until it answers 200, prints "PID MILLISECONDS" and
leaves the server running. Usage: launch.py URL LOG COMMAND..."""
import http.client
import subprocess
import sys
import time
import urllib.parse

url, log, command = sys.argv[1], sys.argv[2], sys.argv[3:]
target = urllib.parse.urlsplit(url)
started = time.monotonic_ns()
with open(log, "w") as out:
    server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    if server.poll() is not None:
        sys.exit(f"{command[0]} exited with {server.returncode} before it was ready")
    try:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=1)
        connection.request("GET", target.path or "/")
        if connection.getresponse().status == 200:
            print(server.pid, (time.monotonic_ns() - started) // 1_000_000)
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.001)
sys.exit("not ready within 60 s")
