#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh: the database, then the instance folder.
#
#   deploy/restore.sh BACKUP_DIR
#
# Stop the web workers and the queue consumer first. ACADEMY_DATABASE_URL names the target:
# PostgreSQL — the database must exist (createdb); its Academy objects are replaced.
# SQLite — the file is replaced. ACADEMY_INSTANCE as for backup.sh; files in the backup
# overwrite those in the folder. Run `academy db upgrade` afterwards when restoring an older
# backup into a newer release.
set -euo pipefail
umask 077

src=${1:?usage: restore.sh BACKUP_DIR}
python=${ACADEMY_PYTHON:-python3}
url=${ACADEMY_DATABASE_URL:?ACADEMY_DATABASE_URL must be set}
instance=${ACADEMY_INSTANCE:-$("$python" -c 'from academy import create_app; print(create_app().instance_path)')}

(cd "$src" && sha256sum --check --quiet SHA256SUMS)

case "$url" in
  postgresql://*|postgres://*|postgresql+psycopg://*)
    [ -f "$src/database.pgdump" ] || { echo "restore.sh: $src holds no PostgreSQL dump" >&2; exit 2; }
    pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error \
      --dbname="${url/postgresql+psycopg:/postgresql:}" "$src/database.pgdump"
    ;;
  sqlite:///*)
    [ -f "$src/database.sqlite3" ] || { echo "restore.sh: $src holds no SQLite copy" >&2; exit 2; }
    db_path=${url#sqlite:///}
    mkdir -p "$(dirname "$db_path")"
    cp "$src/database.sqlite3" "$db_path.restoring"
    rm -f "$db_path-wal" "$db_path-shm"
    mv "$db_path.restoring" "$db_path"
    ;;
  *)
    echo "restore.sh: unsupported ACADEMY_DATABASE_URL (postgresql:// or sqlite:/// only)" >&2
    exit 2
    ;;
esac

if [ -f "$src/instance.tar.gz" ]; then
  mkdir -p "$instance"
  tar -C "$instance" -xzf "$src/instance.tar.gz"
fi
echo "restored $src"
