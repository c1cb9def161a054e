#!/usr/bin/env bash
# The `make run` demo: sbomgraph's main job on the embedded store. It starts `sbomgraph serve`
# on a free loopback port with a fresh SQLite store in a temp dir, ingests four releases of a
# Debian-based image and a few other images from the bundled corpus, asks the blast-radius and
# release-diff questions, and stops the server.
set -euo pipefail
bin=${1:?usage: demo.sh BIN}
corpus=testdata/corpus
dir=$(mktemp -d)
"$bin" serve --listen 127.0.0.1:0 --store "$dir/sbomgraph.db" 2>"$dir/serve.log" &
pid=$!
cleanup() {
	kill -TERM "$pid" 2>/dev/null && wait "$pid" || true
	rm -rf "$dir"
}
trap cleanup EXIT

# The server logs the address it listens on.
for _ in $(seq 100); do
	addr=$(grep -o 'msg=serving addr=[^ ]*' "$dir/serve.log" | cut -d= -f3 || true)
	[ -n "$addr" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$addr" ] || { echo "demo: the server did not start" >&2; cat "$dir/serve.log" >&2; exit 1; }
export SBOMGRAPH_SERVER=$addr
run() { printf '\n$ sbomgraph %s\n' "$*"; "$bin" "$@"; }

for v in 1 2 3 4; do
	run ingest --image example/debian-app --tag "v$v" --created "2026-0$v-01T00:00:00Z" \
		"$corpus/big/debian-app-v$v.syft.cdx.json.gz"
done
run ingest "$corpus/alpine-3.16.2.syft.cdx.json.gz" "$corpus/caddy-2.6.2.syft.cdx.json.gz" \
	"$corpus/mongo-6.0.2.syft.cdx.json.gz"
run images
run versions example/debian-app
run show example/debian-app:v4
# Blast radius: which images ship an xz older than Debian 12's fix, and where it went away.
run find pkg:deb/debian/liblzma5 --range 'vers:deb/<5.4.1-1+deb12u2'
run timeline example/debian-app pkg:deb/debian/curl
run path example/debian-app:v3 pkg:deb/debian/curl
# Release diff of two stored versions, gated as CI would gate it.
set +e
run diff example/debian-app:v3 example/debian-app:v4 --fail-on downgrade,integrity,hygiene:shell
status=$?
set -e
echo "exit status $status (0: no --fail-on condition matched, 3: one did)"
[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
