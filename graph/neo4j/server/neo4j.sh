#!/usr/bin/env bash
# neo4j.sh runs a local Neo4j Community 5.26 LTS server for graph/neo4j's tests and benchmarks.
#
#   neo4j.sh up            fetch the jars (once), write a fresh neo4j.conf with a free Bolt port on
#                          127.0.0.1 and a generated password, start the server, wait until Bolt
#                          answers Cypher, and write the env file that points the tests at it
#   neo4j.sh down          stop the server (SIGTERM, then SIGKILL after a grace period) and remove
#                          its data; safe to call when nothing runs
#   neo4j.sh stop|start    stop the server, or start it again with the same port, password and data
#                          (the outage test uses these)
#   neo4j.sh with CMD...   run CMD with the env file's variables exported: against the server that
#                          runs already, or one started for CMD and stopped after it whatever CMD's
#                          exit status; when SBOMGRAPH_NEO4J_URI is set, CMD runs against that server
#   neo4j.sh env           print the env file
#
# Java 17 or 21 and Maven must be on PATH. The jars come from Maven Central (see pom.xml) into
# ${SBOMGRAPH_CACHE:-$HOME/.cache/sbomgraph}/neo4j-VERSION/lib and are reused from there. The server's
# state (conf, data, logs, pid, env) lives in ${SBOMGRAPH_NEO4J_HOME:-REPO/bin/neo4j}.
# SBOMGRAPH_NEO4J_HEAP (default 1g) and SBOMGRAPH_NEO4J_PAGECACHE (default 512m) size its memory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
version="$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$here/pom.xml")"
cache="${SBOMGRAPH_CACHE:-$HOME/.cache/sbomgraph}/neo4j-$version"
lib="$cache/lib"
state="${SBOMGRAPH_NEO4J_HOME:-$root/bin/neo4j}"
pidfile="$state/run/neo4j.pid"
envfile="$state/env"
heap="${SBOMGRAPH_NEO4J_HEAP:-1g}"
pagecache="${SBOMGRAPH_NEO4J_PAGECACHE:-512m}"
startwait="${SBOMGRAPH_NEO4J_START_TIMEOUT:-180s}"

log() { echo "neo4j.sh: $*" >&2; }
die() { log "$*"; exit 1; }

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 is not on PATH; $2"
}

# fetch copies the server's jars into the cache, once.
fetch() {
	if [[ -f "$lib/.complete" ]]; then
		return
	fi
	need java "Neo4j $version needs Java 17 or 21"
	need mvn "it fetches Neo4j $version from Maven Central"
	log "fetching Neo4j $version into $lib"
	rm -rf "$lib.tmp"
	mkdir -p "$cache"
	if ! mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib.tmp" >"$cache/mvn.log" 2>&1; then
		tail -n 40 "$cache/mvn.log" >&2
		die "could not fetch Neo4j $version with Maven (log: $cache/mvn.log)"
	fi
	ls "$lib.tmp"/neo4j-"$version".jar >/dev/null || die "Maven fetched no neo4j-$version.jar"
	rm -rf "$lib"
	mv "$lib.tmp" "$lib"
	touch "$lib/.complete"
}

# waiter builds neo4jwait, the Go helper that picks ports and checks Bolt.
waiter() {
	mkdir -p "$state"
	(cd "$root" && go build -o "$state/neo4jwait" ./graph/neo4j/server/neo4jwait) || die "could not build neo4jwait"
}

# running reports whether the pid file names a live Neo4j process.
running() {
	[[ -f "$pidfile" ]] || return 1
	local pid
	pid="$(cat "$pidfile")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	# Never signal a process that merely reuses the pid.
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.neo4j.server.CommunityEntryPoint' || return 1
	[[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"--home-dir=$state "* ]]
}

# configure writes a fresh neo4j.conf, data directory and password.
configure() {
	local port password
	rm -rf "$state/conf" "$state/data" "$state/logs" "$state/run" "$envfile"
	mkdir -p "$state/conf" "$state/data" "$state/logs" "$state/run" "$state/plugins" "$state/import"
	port="$("$state/neo4jwait" -freeport)"
	password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
	cat >"$state/conf/neo4j.conf" <<EOF
# Written by graph/neo4j/server/neo4j.sh; rewritten by every 'up'.
server.directories.data=$state/data
server.directories.logs=$state/logs
server.directories.run=$state/run
server.directories.plugins=$state/plugins
server.directories.import=$state/import
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$port
server.bolt.advertised_address=127.0.0.1:$port
server.bolt.tls_level=DISABLED
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=true
server.memory.pagecache.size=$pagecache
db.memory.transaction.total.max=0
db.tx_log.rotation.retention_policy=256M size
dbms.usage_report.enabled=false
EOF
	# The initial password only takes before the first start: neo4j-admin's own entry point
	# writes it into the fresh data directory.
	NEO4J_HOME="$state" NEO4J_CONF="$state/conf" java -cp "$lib/*" org.neo4j.cli.AdminTool \
		dbms set-initial-password "$password" >"$state/logs/admin.log" 2>&1 ||
		{ cat "$state/logs/admin.log" >&2; die "could not set the initial password"; }
	umask 077
	cat >"$envfile" <<EOF
export SBOMGRAPH_NEO4J_URI=bolt://127.0.0.1:$port
export SBOMGRAPH_NEO4J_USER=neo4j
export SBOMGRAPH_NEO4J_PASSWORD=$password
export SBOMGRAPH_NEO4J_CTL=$here/neo4j.sh
export SBOMGRAPH_NEO4J_HOME=$state
EOF
}

# start launches the configured server in the background and waits until Bolt answers.
start() {
	if running; then
		log "Neo4j is running already (pid $(cat "$pidfile"))"
		return
	fi
	[[ -f "$envfile" && -f "$state/conf/neo4j.conf" ]] || die "no configured server in $state: run '$0 up'"
	# shellcheck disable=SC1090
	source "$envfile"
	local started=$SECONDS
	# The JVM options are those of Neo4j's own launcher (its default neo4j.conf), with a fixed heap.
	nohup java -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
		-XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields -XX:+DisableExplicitGC \
		-Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
		-Djdk.tls.ephemeralDHKeySize=2048 -Djdk.tls.rejectClientInitiatedRenegotiation=true \
		--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
		--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
		-Dlog4j2.disable.jmx=true \
		-cp "$lib/*" org.neo4j.server.CommunityEntryPoint --home-dir="$state" --config-dir="$state/conf" \
		>>"$state/logs/console.log" 2>&1 </dev/null &
	echo $! >"$pidfile"
	if ! SBOMGRAPH_NEO4J_PASSWORD="$SBOMGRAPH_NEO4J_PASSWORD" "$state/neo4jwait" -uri "$SBOMGRAPH_NEO4J_URI" \
		-user "$SBOMGRAPH_NEO4J_USER" -pid "$(cat "$pidfile")" -timeout "$startwait"; then
		log "Neo4j did not come up; the end of its logs:"
		tail -n 40 "$state/logs/console.log" "$state/logs/neo4j.log" >&2 2>/dev/null || true
		stop
		exit 1
	fi
	log "Neo4j $version is up at $SBOMGRAPH_NEO4J_URI (pid $(cat "$pidfile"), $((SECONDS - started))s to start)"
}

# stop ends the server: SIGTERM for a clean shutdown, SIGKILL if it takes too long.
stop() {
	if ! running; then
		rm -f "$pidfile"
		return
	fi
	local pid i
	pid="$(cat "$pidfile")"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "Neo4j (pid $pid) ignored SIGTERM for 60s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
	rm -f "$pidfile"
}

up() {
	if running; then
		log "Neo4j is running already (pid $(cat "$pidfile")); its settings are in $envfile"
		return
	fi
	fetch
	waiter
	configure
	start
	log "settings for clients: source $envfile"
}

down() {
	stop
	rm -rf "$state/data" "$state/run" "$envfile"
}

# with runs a command with the server's settings in its environment.
with() {
	[[ $# -gt 0 ]] || die "usage: $0 with COMMAND [ARG...]"
	if [[ -n "${SBOMGRAPH_NEO4J_URI:-}" ]]; then
		log "SBOMGRAPH_NEO4J_URI is set: running against $SBOMGRAPH_NEO4J_URI"
		"$@"
		return
	fi
	local ours=0
	if ! running; then
		ours=1
		trap 'down' EXIT
		up
	fi
	set -a
	# shellcheck disable=SC1090
	source "$envfile"
	set +a
	local status=0
	"$@" || status=$?
	if ((ours)); then
		down
		trap - EXIT
	fi
	return "$status"
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
up) up ;;
down) down ;;
start)
	waiter
	start
	;;
stop) stop ;;
with) with "$@" ;;
env) cat "$envfile" ;;
*)
	echo "usage: $0 up|down|start|stop|env|with COMMAND..." >&2
	exit 2
	;;
esac
