#!/usr/bin/env bash
# Runs a command with a PostgreSQL server for development or tests.
#
#   db/dev-postgres.sh COMMAND [ARG...]
#
# Uses a server already listening on 127.0.0.1:5432 that lets user "postgres"
# in without a password. Otherwise it starts a private cluster under
# .data/postgres (installing Debian's postgresql package first when it is
# missing and we are root) and stops it again when COMMAND exits, unless it
# was already running. With DEV_PG_PRIVATE=1 (make test) it always uses a
# private cluster of its own, .data/postgres-test on DEV_PG_TEST_PORT
# (54339): tests run many nodes at once and need more connections than a
# stock server allows, and must not depend on how another server is set up.
# COMMAND runs with:
#   TEST_DATABASE_URL  superuser URL of the "postgres" database (tests create
#                      one database each from it), unless already set
#   DATABASE_URL       the development database "shopfront", unless already set
set -euo pipefail

die() { echo "dev-postgres: $*" >&2; exit 1; }
say() { echo "dev-postgres: $*" >&2; }

[[ $# -gt 0 ]] || die "usage: db/dev-postgres.sh COMMAND [ARG...]"
root=$(cd "$(dirname "$0")/.." && pwd)
port=${DEV_PG_PORT:-54329}
port_var=DEV_PG_PORT
datadir_name=postgres
server_opts="-c synchronous_commit=off -c max_connections=300"
if [[ ${DEV_PG_PRIVATE:-} == 1 ]]; then
	port=${DEV_PG_TEST_PORT:-54339}
	port_var=DEV_PG_TEST_PORT
	datadir_name=postgres-test
	# Throwaway test data: no fsync, room for many test clusters at once.
	server_opts="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500 -c shared_buffers=128MB"
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Can we log in to the server on this port as postgres without a password?
# Without psql we cannot ask, so an open port is taken at its word.
accepts_postgres() {
	local p=$1
	port_open "$p" || return 1
	command -v psql >/dev/null 2>&1 || return 0
	PGCONNECT_TIMEOUT=3 psql "postgres://postgres@127.0.0.1:$p/postgres?sslmode=disable" -Atqc 'select 1' >/dev/null 2>&1
}

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_postgres() {
	[[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed: run 'sudo apt-get install postgresql' (or set DATABASE_URL and TEST_DATABASE_URL)"
	command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is unavailable: install PostgreSQL 15+ (or set DATABASE_URL and TEST_DATABASE_URL)"
	say "installing Debian's postgresql package (once)…"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null || die "apt-get install postgresql failed"
}

start_private_cluster() {
	local bin datadir owner
	bin=$(pg_bindir)
	if [[ -z $bin ]]; then
		install_postgres
		bin=$(pg_bindir)
		[[ -n $bin ]] || die "postgresql installed but no server binaries found under /usr/lib/postgresql"
	fi
	datadir="$root/.data/$datadir_name"
	run_as=()
	if [[ $(id -u) -eq 0 ]]; then
		# initdb refuses to run as root: the cluster belongs to "postgres",
		# which must be able to reach it. A checkout under /root is not
		# reachable, so such a checkout keeps its cluster in /var/tmp.
		id postgres >/dev/null 2>&1 || die "user 'postgres' is missing; reinstall the postgresql package"
		mkdir -p "$root/.data"
		if ! runuser -u postgres -- test -x "$root/.data"; then
			datadir="/var/tmp/shopfront-$datadir_name-$(printf '%s' "$root" | sha256sum | cut -c1-12)"
		fi
		run_as=(runuser -u postgres --)
		owner=postgres
	fi
	mkdir -p "$datadir"
	[[ -n ${owner:-} ]] && chown "$owner" "$datadir"
	chmod 700 "$datadir"

	if [[ ! -f $datadir/PG_VERSION ]]; then
		say "creating a private cluster in $datadir"
		"${run_as[@]}" "$bin/initdb" -D "$datadir" -U postgres --auth=trust --no-sync -E UTF8 --no-locale >"$datadir.initdb.log" 2>&1 \
			|| die "initdb failed; see $datadir.initdb.log"
	fi
	# Decide "is my cluster running" by its data directory, not by the port:
	# another server may own the port.
	if "${run_as[@]}" "$bin/pg_ctl" status -D "$datadir" >/dev/null 2>&1; then
		return 0
	fi
	port_open "$port" && die "port $port is taken by another program; set $port_var to a free port"
	"${run_as[@]}" "$bin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 30 \
		-o "-p $port -k $datadir -c listen_addresses=127.0.0.1 $server_opts" \
		start >/dev/null || die "the private cluster did not start; see $datadir/server.log"
	started=("${run_as[@]}" "$bin/pg_ctl" -D "$datadir" -m fast -w stop)
}

started=()
stop_started() {
	if [[ ${#started[@]} -gt 0 ]]; then
		"${started[@]}" >/dev/null 2>&1 || true
	fi
}
trap stop_started EXIT

if [[ -n ${TEST_DATABASE_URL:-} && ${DEV_PG_PRIVATE:-} == 1 ]]; then
	pgport= # the caller chose a server for the tests
elif [[ ${DEV_PG_PRIVATE:-} != 1 ]] && accepts_postgres 5432; then
	pgport=5432
else
	start_private_cluster
	pgport=$port
fi

if [[ -n $pgport ]]; then
	export TEST_DATABASE_URL=${TEST_DATABASE_URL:-"postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable"}
	export DATABASE_URL=${DATABASE_URL:-"postgres://postgres@127.0.0.1:$pgport/shopfront?sslmode=disable"}
fi

# Not exec: the trap must stop the cluster when the command ends.
set +e
"$@"
status=$?
exit $status
