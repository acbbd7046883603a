# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the pip bootstrap script that ``ansible-test --venv`` downloads.

ansible-test fetches get-pip.py from a CI host that is not reachable everywhere, and tells the
user to save the script to ~/.ansible/test/cache/get_pip_X_Y.py instead. The sanity tier puts
this file there: it bootstraps pip with the standard library's ensurepip, then lets pip install
exactly the packages ansible-test asked for (the pinned pip among them) from the package index.
"""

from __future__ import annotations

import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")  # options of get-pip.py that pip install does not know

# In a child process: ensurepip sets PIP_CONFIG_FILE=/dev/null in the environment of the process it
# runs in, which would hide the pip configuration (index, CA bundle) from the install below.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
