#!/usr/bin/env bash
# Copy the collection's files (tracked, or new and not ignored) into DIR/ansible_collections/nestedcloud/openstack
# and print that path: ansible-test needs the collection at such a path, and the sanity test `symlinks`
# rejects the directory symlink that `make setup` uses for everyday runs.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$1/ansible_collections/nestedcloud/openstack"
rm -rf "$dest" && mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -C "$dest" -xf -
echo "$dest"
