#!/usr/bin/env bash
# Runs the sandboxed units of ops/systemd/ under a real systemd, to show that
# node still starts and does its work inside the sandbox: boots systemd as
# PID 1 of throwaway pid/mount/net namespaces (a copy of /etc, tmpfs over /run,
# /var, /opt and /tmp, so nothing it writes outlives it; this checkout bind-mounted read-only at
# /opt/ballast), with a PostgreSQL 15 reached over its Unix socket (migrate) and
# TCP (workers, receiver). Then it sends a signed sample through the receiver and
# waits until the workers have run every stage, search_sync included (the local
# search engine of ballast-search.service, shared by both workers). Local use, as root; not part of .ci/run.
# Needs: unshare, nsenter, /lib/systemd/systemd, /usr/lib/postgresql/15/bin.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd) || exit 1
pgbin=/usr/lib/postgresql/15/bin

for need in unshare nsenter ip /lib/systemd/systemd $pgbin/postgres; do
  command -v "$need" >/dev/null 2>&1 || { echo "smoke-units: FAIL: $need is missing"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "smoke-units: FAIL: run as root (it boots systemd in namespaces)"; exit 1; }

tmp=$(mktemp -d /tmp/ballast-smoke-units.XXXXXX)
init=''
cleanup() { [[ -n $init ]] && kill -KILL "$init" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# The machine inside: its own /etc with a ballast user, env files and units.
cp -a /etc "$tmp/etc"
echo 'ballast:x:990:990:ballast:/var/lib/ballast:/usr/sbin/nologin' >>"$tmp/etc/passwd"
echo 'ballast:x:990:' >>"$tmp/etc/group"
mkdir -p "$tmp/etc/ballast"
printf '%s\n' 'BALLAST_WEBHOOK_SECRETS=telephony=whsec_c21va2UtdGVzdC1zZWNyZXQtMDEyMzQ1Njc4OQ==' 'LOG_LEVEL=info' >"$tmp/etc/ballast/env"
echo 'DATABASE_URL=postgres://postgres@localhost:55432/postgres?host=/run/postgresql' >"$tmp/etc/ballast/migrate.env"
echo 'DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres' >"$tmp/etc/ballast/worker.env"
echo 'DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres' >"$tmp/etc/ballast/ingest.env"
units=$tmp/etc/systemd/system
find "$units" -mindepth 1 -delete
cp "$repo"/ops/systemd/*.service "$units/"
cat >"$units/postgresql.service" <<EOF
[Service]
Type=notify
User=postgres
StateDirectory=smoke-pg
StateDirectoryMode=0700
RuntimeDirectory=postgresql
ExecStartPre=/bin/sh -c 'test -f /var/lib/smoke-pg/PG_VERSION || $pgbin/initdb -D /var/lib/smoke-pg --auth=trust -U postgres >/dev/null'
ExecStart=$pgbin/postgres -D /var/lib/smoke-pg -p 55432 -k /run/postgresql -c listen_addresses=127.0.0.1
EOF
printf '[Unit]\nWants=postgresql.service ballast-migrate.service ballast-search.service ballast-worker@1.service ballast-worker@2.service ballast-ingest.service\n' >"$units/smoke.target"
cat >"$tmp/inner.sh" <<EOF
set -e
mount --bind $tmp/etc /etc
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var
mkdir -p /var/lib /var/log /var/cache /var/tmp
chmod 1777 /var/tmp
ln -s /run /var/run
ln -s /run/lock /var/lock
mount -t tmpfs tmpfs /opt
mkdir /opt/ballast
mount --bind -o ro $repo /opt/ballast
mount -t tmpfs tmpfs /tmp
ip link set lo up
export container=ballast-smoke
exec /lib/systemd/systemd --unit=smoke.target --show-status=no
EOF

setsid unshare --pid --fork --mount --uts --ipc --net --cgroup --mount-proc bash "$tmp/inner.sh" >"$tmp/boot.log" 2>&1 &
outer=$!
for _ in $(seq 1 50); do init=$(pgrep -P "$outer" | head -1) && [[ -n $init ]] && break; sleep 0.1; done
[[ -n $init ]] || { cat "$tmp/boot.log"; echo "smoke-units: FAIL: systemd did not start"; exit 1; }
inside() { nsenter -t "$init" -a "$@"; }
client() { # a ballast CLI command inside, as root and unsandboxed, as an operator would run it
  inside sh -c "cd /opt/ballast && set -a && . /etc/ballast/env && . /etc/ballast/worker.env && BALLAST_DATA_DIR=/tmp/client LOG_LEVEL=warn node bin/ballast.js $*"
}
# Polls "$@" once a second until it succeeds or $deadline seconds pass.
until_ok() { local deadline=$1; shift; for _ in $(seq 1 "$deadline"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done; return 1; }
failed=0
fail() { echo "smoke-units: FAIL: $*"; failed=1; }
journal() { inside journalctl --no-pager -o cat -u "$1"; }

started() {
  journal ballast-ingest | grep -q 'receiver listening' && journal ballast-search | grep -q 'search engine listening' &&
    journal ballast-worker@1 | grep -q 'looking for jobs' && journal ballast-worker@2 | grep -q 'looking for jobs'
}
if until_ok 180 started; then
  echo "smoke-units: migrate, search engine, two workers and receiver started in their sandbox"
else
  fail "the units did not start"
fi
for u in ballast-migrate ballast-search ballast-worker@1 ballast-worker@2 ballast-ingest; do
  echo "smoke-units: $u: $(inside systemctl show -p ActiveState -p SubState -p Result --value "$u" | paste -sd' ')"
done
for u in ballast-search ballast-worker@1 ballast-worker@2 ballast-ingest; do
  pid=$(inside systemctl show -p MainPID --value "$u")
  status=$(inside cat "/proc/$pid/status" 2>/dev/null)
  grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$status" && grep -q '^Seccomp:[[:space:]]*2' <<<"$status" &&
    grep -q '^CapEff:[[:space:]]*0*$' <<<"$status" || fail "$u (pid $pid) is not sandboxed"
done

inside psql -qh 127.0.0.1 -p 55432 -U postgres -c "insert into app.agents (agent_id, user_id, phone_number, nickname, provider, provisioned_by) values ('agent_demo', 'user_demo', '+15555550100', 'Demo', 'sample', 'smoke-units')" ||
  fail "could not add the demo agent"
sent=$(client send-sample --url http://127.0.0.1:8787 2>&1)
echo "smoke-units: $(head -1 <<<"$sent")"
synced() { client trace "$id" | grep -q 'search_sync .*succeeded'; }
id=$(sed -nE 's/.*"webhook_id":"([^"]+)".*/\1/p' <<<"$sent")
if [[ -z $id ]]; then
  fail "the receiver did not accept the sample"
elif until_ok 120 synced; then
  echo "smoke-units: the sample ran through every stage, search_sync included"
else
  client trace "$id"
  fail "the sample did not reach search_sync"
fi
engine_pid=$(inside cat /var/lib/ballast/qdrant/engine.json 2>/dev/null | sed -nE 's/.*"pid":([0-9]+).*/\1/p')
if [[ -n $engine_pid && $engine_pid == "$(inside systemctl show -p MainPID --value ballast-search)" ]]; then
  echo "smoke-units: one search engine, ballast-search's (pid $engine_pid), for both workers"
else
  fail "the search engine in the data dir (pid ${engine_pid:-none}) is not ballast-search's"
fi
echo "smoke-units: the data dir, the only place the units write:"
inside ls -la /var/lib/ballast | sed 's/^/  /'

if [[ $failed -ne 0 ]]; then
  for u in ballast-migrate ballast-search ballast-worker@1 ballast-worker@2 ballast-ingest postgresql; do echo "--- journal of $u"; journal "$u" | tail -20; done
  exit 1
fi
echo "smoke-units: ok"
