#!/bin/bash
# The shop's PostgreSQL: entrypoint of the postgres image (scripts/make-local-images.sh copies it to
# /usr/local/bin/postgres-entrypoint) and the local substrate's command for that image, one script for both.
#
#   entrypoint.sh [postgres] [server arguments...]     e.g. -c max_connections=50 -c listen_addresses=*
#
# On first start (no cluster in PGDATA) it makes one: initdb with the superuser `postgres` (peer auth on the
# Unix socket, scram-sha-256 from anywhere over TCP), the superuser's password and the app's login role
# POSTGRES_USER set to POSTGRES_PASSWORD, and the database POSTGRES_DB owned by that role. The app's role is
# NOT a superuser (unlike the official image, where POSTGRES_USER is the superuser): its limits bite it
# (ALTER ROLE ... CONNECTION LIMIT, statement_timeout) and it cannot undo them itself, as in production.
# Then it execs `postgres "$@"`, so the server is the container's process and its stderr the pod's log.
#
# Environment:
#   POSTGRES_PASSWORD  required: the password of POSTGRES_USER and of the superuser
#   POSTGRES_USER      the app's role (default postgres: then the superuser is the only role)
#   POSTGRES_DB        the app's database (default POSTGRES_USER)
#   PGDATA             the cluster's directory (default /var/lib/postgresql/data)
# Started as root (the local substrate runs processes as root; postgres refuses to), it makes PGDATA and the
# Unix socket directories the user `postgres` owns and runs everything as that user (setpriv).
# Exit codes: 1 bad environment or a failed first-start step; otherwise the server's.
set -euo pipefail

die() {
  echo "postgres-entrypoint: $*" >&2
  exit 1
}

# `postgres -c …` as well as `-c …`, as `docker run postgres:15 postgres -c …` passes it.
[ "${1:-}" != postgres ] || shift

[ -n "${POSTGRES_PASSWORD:-}" ] ||
  die 'POSTGRES_PASSWORD is not set (the password key of the postgres-auth Secret); refusing to start'
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
app_user="${POSTGRES_USER:-postgres}"
app_db="${POSTGRES_DB:-$app_user}"

# Debian keeps the server off PATH, in /usr/lib/postgresql/<major>/bin (the newest major wins).
bindir=""
if command -v postgres >/dev/null 2>&1; then
  bindir=$(dirname "$(readlink -f "$(command -v postgres)")")
elif command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/postgres" ]; then
  bindir=$(pg_config --bindir)
else
  major=0
  for d in /usr/lib/postgresql/*/bin; do
    v=${d#/usr/lib/postgresql/}
    v=${v%/bin}
    if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt "$major" ] && [ -x "$d/postgres" ]; then
      major=$v
      bindir=$d
    fi
  done
fi
[ -n "$bindir" ] || die 'no postgres server found (on PATH, pg_config --bindir, /usr/lib/postgresql/*/bin)'

# The Unix socket directories the server will use, from its arguments (-k, -c unix_socket_directories=,
# --unix_socket_directories=), else the compiled-in default; the first one also serves the set-up below.
socket_dirs="/var/run/postgresql"
prev=""
for a in "$@"; do
  case "$prev:$a" in
    -k:*) socket_dirs=$a ;;
    -c:unix_socket_directories=*) socket_dirs=${a#*=} ;;
  esac
  case "$a" in
    --unix_socket_directories=*) socket_dirs=${a#*=} ;;
  esac
  prev=$a
done
sockets=()
IFS=, read -r -a listed <<<"$socket_dirs"
for s in "${listed[@]}"; do
  s=${s#"${s%%[![:space:]]*}"} # leading blanks, as postgres allows after a comma
  [ -z "$s" ] || sockets+=("$s")
done
# No socket for the server still needs one for the set-up: the default.
[ ${#sockets[@]} -gt 0 ] || sockets=(/var/run/postgresql)

run_as_postgres=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die 'running as root and there is no postgres user to run the server as'
  run_as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
as_postgres() { "${run_as_postgres[@]}" "$@"; }
server_user=postgres
[ ${#run_as_postgres[@]} -gt 0 ] || server_user=$(id -un)

# Where the server runs from must not matter (the local substrate starts it in the repository).
cd /
mkdir -p "$PGDATA" "${sockets[@]}"
if [ ${#run_as_postgres[@]} -gt 0 ]; then
  chown postgres:postgres "$PGDATA" "${sockets[@]}"
fi
chmod 700 "$PGDATA"

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }
sql_ident() { printf '"%s"' "${1//\"/\"\"}"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # Everything on stderr, where the server logs: the pod's log is one stream.
  echo "postgres-entrypoint: no cluster in $PGDATA: initdb, then role $app_user and database $app_db" >&2
  as_postgres "$bindir/initdb" --pgdata="$PGDATA" --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=reject >/dev/null ||
    die 'initdb failed'
  # Who may connect how, replacing initdb's (which lets TCP in from loopback only).
  cat >"$PGDATA/pg_hba.conf" <<'HBA'
# TYPE  DATABASE  USER  ADDRESS  METHOD
# The Unix socket: the operating-system user running the server as the superuser, any other user as the
# role of its own name (pg_ident.conf, map "owner").
local   all       all            peer map=owner
# TCP, from the pod network: a password (SCRAM).
host    all       all   all      scram-sha-256
HBA
  cat >>"$PGDATA/pg_ident.conf" <<IDENT
owner  $server_user  postgres
owner  /^(.*)\$      \1
IDENT
  if [ ${#run_as_postgres[@]} -gt 0 ]; then
    chown postgres:postgres "$PGDATA/pg_hba.conf" "$PGDATA/pg_ident.conf"
  fi

  # A server on the Unix socket only (no TCP: nothing can see it ready before the roles exist).
  sock=${sockets[0]}
  as_postgres "$bindir/pg_ctl" --pgdata="$PGDATA" --wait --silent \
    --options="-c listen_addresses='' -c 'unix_socket_directories=$sock' -c logging_collector=off" start >&2 ||
    die 'the set-up server did not start'
  sql="ALTER ROLE postgres PASSWORD $(sql_literal "$POSTGRES_PASSWORD");"
  if [ "$app_user" != postgres ]; then
    sql+="
CREATE ROLE $(sql_ident "$app_user") LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD $(sql_literal "$POSTGRES_PASSWORD");"
  fi
  if [ "$app_db" != postgres ]; then
    sql+="
CREATE DATABASE $(sql_ident "$app_db") OWNER $(sql_ident "$app_user");"
  fi
  status=0
  printf '%s\n' "$sql" |
    as_postgres "$bindir/psql" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --host="$sock" --username=postgres \
      --dbname=postgres >/dev/null || status=$?
  as_postgres "$bindir/pg_ctl" --pgdata="$PGDATA" --wait --silent --mode=fast stop >&2 ||
    die 'the set-up server did not stop'
  [ "$status" = 0 ] || die "creating role $app_user and database $app_db failed"
  echo 'postgres-entrypoint: cluster made; starting the server' >&2
fi

exec "${run_as_postgres[@]}" "$bindir/postgres" "$@"
