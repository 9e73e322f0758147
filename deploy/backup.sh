#!/usr/bin/env bash
# Back up the Academy: the database and the instance folder (configuration, keys), checksummed.
#
#   deploy/backup.sh DEST_DIR        -> prints DEST_DIR/academy-YYYYmmddTHHMMSSZ
#
# Reads ACADEMY_DATABASE_URL (postgresql://… or sqlite:///…) and ACADEMY_INSTANCE (the
# instance folder; default: the one the installed app uses). Safe while the site runs:
# pg_dump takes a consistent snapshot, SQLite is copied with its online backup API.
set -euo pipefail
umask 077

dest_root=${1:?usage: backup.sh DEST_DIR}
python=${ACADEMY_PYTHON:-python3}
url=${ACADEMY_DATABASE_URL:?ACADEMY_DATABASE_URL must be set}
instance=${ACADEMY_INSTANCE:-$("$python" -c 'from academy import create_app; print(create_app().instance_path)')}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
dest="$dest_root/academy-$stamp"
work="$dest.partial"
rm -rf "$work"
mkdir -p "$work"

case "$url" in
  postgresql://*|postgres://*|postgresql+psycopg://*)
    pg_dump --format=custom --no-owner --no-acl --file="$work/database.pgdump" \
      "${url/postgresql+psycopg:/postgresql:}"
    exclude=()
    ;;
  sqlite:///*)
    db_path=${url#sqlite:///}
    "$python" - "$db_path" "$work/database.sqlite3" <<'PY'
import sqlite3, sys
source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
target = sqlite3.connect(sys.argv[2])
source.backup(target)
target.close()
source.close()
PY
    name=$(basename "$db_path")
    exclude=(--exclude="./$name" --exclude="./$name-wal" --exclude="./$name-shm")
    ;;
  *)
    echo "backup.sh: unsupported ACADEMY_DATABASE_URL (postgresql:// or sqlite:/// only)" >&2
    exit 2
    ;;
esac

if [ -d "$instance" ]; then
  tar -C "$instance" "${exclude[@]}" -czf "$work/instance.tar.gz" .
else
  echo "backup.sh: warning: no instance folder at $instance" >&2
fi
(cd "$work" && sha256sum -- * > SHA256SUMS)
mv "$work" "$dest"
echo "$dest"
