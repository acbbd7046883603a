"""Fail unless every host of an ansible-playbook log's PLAY RECAPs shows changed=0 and failed=0 (idempotence)."""
import re
import sys

RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def main(path):
    with open(path) as handle:
        rows = RECAP.findall(handle.read())
    if not rows:
        sys.exit("%s: no PLAY RECAP found" % path)
    bad = ["%s changed=%s unreachable=%s failed=%s" % row for row in rows if row[1:] != ("0", "0", "0")]
    if bad:
        sys.exit("not idempotent: " + "; ".join(bad))
    print("idempotent: %d recap rows, changed=0 everywhere (%s)" % (len(rows), ", ".join(sorted({r[0] for r in rows}))))


if __name__ == "__main__":
    main(sys.argv[1])
