"""tousu intake: channel readers, the nightly Prefect flow, the demo inbox and the CLI."""

import os

# A night on a machine without internet access must log no error it did not have: Prefect's
# anonymous usage telemetry cannot be sent from such a machine and logs ERROR for it every run.
# (Set before Prefect reads its settings; an operator's own value wins.)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
