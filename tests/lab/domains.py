"""Print {uc- host: {domain: id}} of the lab's running uc- test hosts as JSON: which VMs libvirt defines where (the
id is "-" for a domain that is off, and changes when it restarts). For scripts/lab.sh grow and tests/lab/test_grown.py.
"""
import json
import re
import subprocess
import sys

LIST = ("command -v virsh >/dev/null || exit 0; for d in $(virsh -c qemu:///system list --all --name); do "
        "echo \"$d $(virsh -c qemu:///system domid $d)\"; done")


def domains(lab):
    names = subprocess.run(["podman", "ps", "--format", "{{.Names}}"], capture_output=True, text=True,
                           check=True).stdout.split()
    found = {}
    for name in sorted(names):
        match = re.match(r"^%s-(uc-[0-9]+)$" % re.escape(lab), name)
        if not match:
            continue
        out = subprocess.run(["podman", "exec", name, "sh", "-c", LIST], capture_output=True, text=True, check=True)
        found[match.group(1)] = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    return found


if __name__ == "__main__":
    json.dump(domains(sys.argv[1]), sys.stdout, sort_keys=True)
    print()
