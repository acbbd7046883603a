# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Installed by nestedcloud.openstack (role overcloud, with a python3 shebang) as /usr/local/sbin/ebtables-compat,
# the "ebtables" alternative on Neutron linuxbridge hosts
# whose kernel has no legacy ebtables and whose ebtables-nft cannot delete an among rule by its text.
#
# iptables 1.8.9 (Debian 12) lists `-i tap1 --among-src fa:16:3e:0:0:1 -j RETURN` but answers `-D CHAIN` with that
# same rule "RULE_DELETE failed (Invalid argument)"; iptables 1.8.10 fixed it. The linuxbridge agent deletes a
# port's old MAC rule exactly that way on every update of a wired port, fails, and retries for good: every VM later
# scheduled to the host waits 300 s and fails to get its network. This runs ebtables-nft unchanged, except for such a
# delete, which it turns into the delete of the same rule by its number in the chain's listing.
import os
import subprocess
import sys

REAL = "/usr/sbin/ebtables-nft"
AMONG = ("--among-src", "--among-dst")


def _mac(text):
    """fa:16:3E:00:00:01 and fa:16:3e:0:0:1 are one address (the listing drops leading zeros)."""
    parts = text.split(":")
    if len(parts) != 6:
        return text.lower()
    try:
        return ":".join("%x" % int(part, 16) for part in parts)
    except ValueError:
        return text.lower()


def _among(value):
    items = []
    for item in value.split(","):
        if not item:
            continue
        mac, sep, ip = item.partition("=")
        items.append(_mac(mac) + sep + ip)
    return ",".join(sorted(items))


def normalize(tokens):
    """A rule as a comparable tuple: among lists in one order and spelling."""
    out = []
    among = False
    for token in tokens:
        out.append(_among(token) if among else token)
        among = token in AMONG
    return tuple(out)


def split_delete(argv):
    """(options before -D, chain, rule tokens) for a delete of a rule given by its text with an among match."""
    if "-D" not in argv:
        return None
    at = argv.index("-D")
    if at + 2 >= len(argv):
        return None
    chain, rule = argv[at + 1], argv[at + 2:]
    if not any(token in AMONG for token in rule):
        return None
    return argv[:at], chain, rule


def rule_number(listing, rule):
    """The 1-based number of the rule in `ebtables -L CHAIN` output, or None."""
    want = normalize(rule)
    number = 0
    for line in listing.splitlines():
        line = line.strip()
        if not line or line.startswith("Bridge table:") or line.startswith("Bridge chain:"):
            continue
        number += 1
        if normalize(line.split()) == want:
            return number
    return None


def command(argv, lister):
    """The ebtables-nft arguments to run for argv; lister(options, chain) returns that chain's listing."""
    found = split_delete(argv)
    if found is None:
        return argv
    options, chain, rule = found
    number = rule_number(lister(options, chain), rule)
    if number is None:
        return argv  # ebtables-nft says what is wrong
    return options + ["-D", chain, str(number)]


def _list(options, chain):
    done = subprocess.run([REAL] + options + ["-L", chain], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""


def main():
    args = command(sys.argv[1:], _list)
    os.execv(REAL, [REAL] + args)


if __name__ == "__main__":
    main()
