"""rapd: a local Microsoft Graph for Intune's remoteAssistancePartners API.

The wheel carries the `rapd` binary (installed beside the interpreter, as a script) and this
package: `RapdServer` starts it on a free loopback port with a fresh data directory, mints
development tokens and builds Graph SDK clients against it. The pytest plugin
(`rapd.pytest_plugin`) offers it as the `rapd` and `rapd_session` fixtures.
"""

from rapd.binary import find_rapd_bin
from rapd.server import GRAPH_SCOPES, RapdServer, StaticTokenCredential

__all__ = ["GRAPH_SCOPES", "RapdServer", "StaticTokenCredential", "find_rapd_bin"]
