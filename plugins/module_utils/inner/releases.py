# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which OpenStack release the packaged inner cloud runs and where its packages come from.

The releases are data (the overcloud role's ``overcloud_releases``): each release names its network backend and its
sources, one per distribution version, either the distribution's own packages, a pocket of the Ubuntu Cloud
Archive, or pinned Python packages from PyPI (a lock file of ``roles/overcloud/files/pypi/``, installed in a
virtualenv: the upgrade rehearsal's target release), each marked proven (run in CI) or not. This module only reads
that data.
"""

from __future__ import annotations

import re

FROM = ("distribution", "cloud-archive", "pypi")
# a lock file of roles/overcloud/files/pypi/: RELEASE-cpXY.txt
LOCK = re.compile(r"^[0-9]{4}\.[12]-cp3[0-9]+\.txt$")
NETWORKS = ("ovn",)


class ReleaseError(ValueError):
    """The releases data or the wanted release is wrong; ``field`` names the variable or the entry."""

    def __init__(self, field, message):
        self.field = field
        super().__init__("%s: %s" % (field, message))


def _matches(source, distribution, version):
    """Does ``source`` serve this distribution and version ("13" serves 13 and 13.2; "24.04" serves 24.04)?"""
    wanted = str(source["version"])
    return source["distribution"] == distribution and (version == wanted or version.startswith(wanted + "."))


def check(releases, field="overcloud_releases"):
    """Fail naming the first bad entry of ``releases``; return it unchanged."""
    if not isinstance(releases, dict) or not releases:
        raise ReleaseError(field, "expected a mapping of release name to its network and sources, got %r" % (releases,))
    for name, release in releases.items():
        where = "%s['%s']" % (field, name)
        if not isinstance(release, dict):
            raise ReleaseError(where, "expected a mapping with codename, network and sources")
        if release.get("network") not in NETWORKS:
            raise ReleaseError(where + ".network", "%r is not one of %s" % (release.get("network"), ", ".join(NETWORKS)))
        sources = release.get("sources")
        if not isinstance(sources, list) or not sources:
            raise ReleaseError(where + ".sources", "expected a non-empty list of sources")
        for index, source in enumerate(sources):
            at = "%s.sources[%d]" % (where, index)
            if not isinstance(source, dict) or not source.get("distribution") or not source.get("version"):
                raise ReleaseError(at, "needs distribution and version")
            if source.get("from") not in FROM:
                raise ReleaseError(at + ".from", "%r is not one of %s" % (source.get("from"), ", ".join(FROM)))
            if source["from"] == "cloud-archive" and not source.get("pocket"):
                raise ReleaseError(at + ".pocket", "a cloud-archive source names its pocket (for example epoxy)")
            if source["from"] == "pypi" and not LOCK.match(str(source.get("lock", ""))):
                raise ReleaseError(at + ".lock", "a pypi source names its lock file of roles/overcloud/files/pypi/ "
                                                 "(RELEASE-cpXY.txt, as scripts/release-lock.sh writes it), got %r"
                                   % (source.get("lock"),))
    return releases


def _describe(release):
    parts = []
    for source in release["sources"]:
        pocket = " " + (source.get("pocket") or source.get("lock") or "") if source["from"] != "distribution" else ""
        parts.append("%s %s (%s%s)" % (source["distribution"], source["version"], source["from"], pocket))
    return ", ".join(parts)


def resolve(releases, wanted, distribution, version, field="overcloud_release", upgrade=False):
    """The release to install on a host of ``distribution`` ``version``: ``wanted`` by name, or for ``auto`` the one
    this distribution version ships itself (else the only one it has a source for); a pypi source only when
    ``upgrade`` (the rehearsal's target). Returns the release name, codename, network, where its packages come
    from (``from``, ``pocket``) and whether CI proves that source."""
    check(releases)
    version = str(version)
    if wanted == "auto":
        served = [name for name, release in releases.items()
                  if any(_matches(s, distribution, version) and s["from"] != "pypi" for s in release["sources"])]
        native = [name for name in served
                  if any(s["from"] == "distribution" and _matches(s, distribution, version)
                         for s in releases[name]["sources"])]
        choice = native if native else served
        if len(choice) != 1:
            raise ReleaseError(field, "auto: %s %s %s; name the release (known: %s)"
                               % (distribution, version,
                                  "has packages of none of the known releases" if not choice else
                                  "has packages of several releases (%s)" % ", ".join(choice), ", ".join(releases)))
        wanted = choice[0]
    if wanted not in releases:
        raise ReleaseError(field, "%r is not a known release; use auto or one of %s (overcloud_releases)"
                           % (wanted, ", ".join(releases)))
    release = releases[wanted]
    sources = [s for s in release["sources"] if _matches(s, distribution, version)]
    if not sources:
        raise ReleaseError(field, "%s has no packages for %s %s; it comes from %s"
                           % (wanted, distribution, version, _describe(release)))
    source = sources[0]
    if source["from"] == "pypi" and not upgrade:
        raise ReleaseError(field, "%s on %s %s comes from pinned Python packages (%s), which only the upgrade rehearsal "
                                  "installs over a deployed release; deploy a release of the distribution's packages "
                                  "and upgrade to %s" % (wanted, distribution, version, source["lock"], wanted))
    return {
        "name": wanted,
        "codename": release.get("codename", wanted),
        "network": release["network"],
        "from": source["from"],
        "pocket": source.get("pocket", ""),
        "lock": source.get("lock", ""),
        "proven": bool(source.get("proven", False)),
    }
