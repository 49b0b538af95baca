#!/usr/bin/env bash
# Property-based API testing: starts the real `chatroom` binary on a free port
# with a fresh data directory, and runs schemathesis (pinned in
# scripts/requirements-schemathesis.txt, installed into ./.venv) against its
# /openapi.json. Fails on any 5xx and on any response that does not conform to
# the document: status code, content type, headers and body schema.
#
# Usage: scripts/schemathesis.sh            (from the repository root)
# Env:   SCHEMATHESIS_MAX_EXAMPLES (default 60 per operation),
#        SCHEMATHESIS_SEED (default 20261124, for a reproducible run).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=scripts/requirements-schemathesis.txt
if ! "$venv/bin/python" -c 'import schemathesis' 2>/dev/null ||
    ! cmp -s "$requirements" "$venv/.schemathesis-requirements"; then
    echo "schemathesis: installing $(cat "$requirements") into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/.schemathesis-requirements"
fi

cargo build --quiet --bin chatroom
workdir=$(mktemp -d -t chatroom-schemathesis-XXXXXX)
log="$workdir/server.log"
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# A clean environment: no CHATROOM__* from the caller's shell.
env -u CHATROOM__DATABASE__URL -u CHATROOM__HTTP__LISTEN -u CHATROOM__MAIL__TRANSPORT \
    target/debug/chatroom serve --listen 127.0.0.1:0 --data-dir "$workdir/data" >"$log" 2>&1 &
server_pid=$!
base=
for _ in $(seq 1 100); do
    base=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -n1 | sed 's/listening on //' || true)
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "schemathesis: the server exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$base" ] || { cat "$log"; echo "schemathesis: the server did not start" >&2; exit 1; }

# An account and a token, so that the authenticated operations get past E1002.
curl -fsS -H 'Content-Type: application/json' "$base/user/register" \
    -d '{"userId":"fuzzer","userPwd":"fuzzer-password","userName":"fuzzer","userEmail":"fuzzer@example.com"}' >/dev/null
token=$(curl -fsS -H 'Content-Type: application/json' "$base/user/login" \
    -d '{"userId":"fuzzer","userPwd":"fuzzer-password"}' | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["err"]["Msg"]["token"])')
before=$(grep -c '"\?answered' "$log" || true)

status=0
"$venv/bin/schemathesis" run "$base/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --header "Authorization: Bearer $token" \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-60}" \
    --seed "${SCHEMATHESIS_SEED:-20261124}" \
    --generation-database none \
    --workers 2 \
    --no-color || status=$?

after=$(grep -c '"\?answered' "$log" || true)
echo "schemathesis: the server answered $((after - before)) requests during the run"
if grep -q 'E5000\|unexpected failure' "$log"; then
    echo "schemathesis: the server logged unexpected failures:" >&2
    grep 'E5000\|unexpected failure' "$log" | head -n 20 >&2
    status=1
fi
exit "$status"
