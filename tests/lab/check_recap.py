"""Fail unless every host of an ansible-playbook log's PLAY RECAPs shows changed=0 and failed=0 (idempotence).

With --failed-only, only failed=0 and unreachable=0 (the run converged).
"""
import re
import sys

RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def main(path, failed_only=False):
    with open(path) as handle:
        rows = RECAP.findall(handle.read())
    if not rows:
        sys.exit("%s: no PLAY RECAP found" % path)
    hosts = ", ".join(sorted({r[0] for r in rows}))
    if failed_only:
        bad = ["%s unreachable=%s failed=%s" % (r[0], r[2], r[3]) for r in rows if r[2:] != ("0", "0")]
        if bad:
            sys.exit("did not converge: " + "; ".join(bad))
        print("converged: %d recap rows, failed=0 everywhere (%s)" % (len(rows), hosts))
        return
    bad = ["%s changed=%s unreachable=%s failed=%s" % row for row in rows if row[1:] != ("0", "0", "0")]
    if bad:
        sys.exit("not idempotent: " + "; ".join(bad))
    print("idempotent: %d recap rows, changed=0 everywhere (%s)" % (len(rows), hosts))


if __name__ == "__main__":
    main(sys.argv[-1], failed_only="--failed-only" in sys.argv)
