"""Where the `rapd` executable is: the one this wheel installed, or `$RAPD_BIN`."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

_EXE = "rapd.exe" if os.name == "nt" else "rapd"


def find_rapd_bin() -> Path:
    """The `rapd` executable: `$RAPD_BIN` if set, else the one this wheel installed.

    pip puts a wheel's binary in the scripts directory of the environment it installs into
    (a venv's `bin/`, or the user scheme's with `--user`); `PATH` is the last resort.
    """
    configured = os.environ.get("RAPD_BIN")
    if configured:
        path = Path(configured).absolute()
        if not path.is_file():
            raise FileNotFoundError(f"RAPD_BIN names {path}, which is not a file")
        return path
    schemes = [sysconfig.get_path("scripts")]
    user_scheme = sysconfig.get_preferred_scheme("user")
    schemes.append(sysconfig.get_path("scripts", user_scheme))
    schemes.append(str(Path(sys.executable).parent))
    for directory in schemes:
        candidate = Path(directory) / _EXE
        if candidate.is_file():
            return candidate
    found = shutil.which("rapd")
    if found:
        return Path(found)
    raise FileNotFoundError(
        "no rapd executable: install the rapd wheel into this environment, or set RAPD_BIN"
    )
