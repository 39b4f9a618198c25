#!/bin/sh
# Make the schema snapshots the upgrade test starts from (tribune/ops/tests/test_upgrade.py):
# the demo as the release at commit RELEASE built it (its own code, from `git archive`),
# saved by this checkout's `tribune backup`, with the figures that must survive
# (counted by the release's own code). Once on SQLite and, given DATABASE_URL (an EMPTY
# PostgreSQL database: it is wiped first), once on PostgreSQL.
#
#   scripts/make_upgrade_snapshot.sh RELEASE
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/snapshot scripts/make_upgrade_snapshot.sh RELEASE
#
# On a release, run it with the release's commit and commit tribune/ops/tests/data/: the
# next release's tests then migrate that snapshot forward.
set -eu
RELEASE=${1:?usage: make_upgrade_snapshot.sh RELEASE-COMMIT}
PYTHON=${PYTHON:-python}
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=$HERE/tribune/ops/tests/data
MEMBERS=80
OLD=$(mktemp -d)
git -C "$HERE" archive "$RELEASE" | tar -x -C "$OLD"
echo "$RELEASE" >"$OUT/RELEASE"

snapshot() {  # $1: engine name; the environment says which database
    dir=$(mktemp -d)
    export TRIBUNE_DATA_DIR="$dir" TRIBUNE_BACKUP_HOUR=
    (cd "$OLD" && PYTHONPATH="$OLD" $PYTHON -m tribune.cli migrate -v0)
    (cd "$OLD" && PYTHONPATH="$OLD" $PYTHON -m tribune.cli demo --members $MEMBERS >/dev/null)
    (cd "$HERE" && PYTHONPATH="$HERE" $PYTHON -m tribune.cli backup "$OUT/snapshot-$1.tar.gz")
    (cd "$OLD" && PYTHONPATH="$OLD" $PYTHON -m tribune.cli shell --no-imports -c "
import json
exec(open('$HERE/tribune/ops/tests/figures.py').read())
print(json.dumps(figures(), indent=2, sort_keys=True))") >"$OUT/snapshot-$1.json"
    rm -rf "$dir"
}

(unset DATABASE_URL; snapshot sqlite)
if [ -n "${DATABASE_URL:-}" ]; then
    (cd "$HERE" && PYTHONPATH="$HERE" $PYTHON -m tribune.cli shell --no-imports -c "
from tribune.ops.backup import _drop_tables
_drop_tables('default')")
    snapshot postgresql
fi
chmod 644 "$OUT"/snapshot-*
rm -rf "$OLD"
