#!/usr/bin/env bash
# Checks the systemd units in ops/systemd/ (ops/README.md, "The sandbox"):
# - `systemd-analyze verify` passes and says nothing about them;
# - `systemd-analyze security --offline=true` rates each at most MAX_EXPOSURE
#   ("OK"), from its "Overall exposure level" line;
# - no check is open beyond the gaps listed in ACCEPTED below, so removing one
#   directive fails here even while the total stays under the ceiling.
# Installs Debian's systemd when systemd-analyze is missing; when it still
# cannot run, it fails: it never skips. Exit status 0 only if every unit passes.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

MAX_EXPOSURE=3.0
# Open checks each unit may keep, and why.
ACCEPTED=(
  'PrivateNetwork='                          # the receiver serves clients; every unit reaches PostgreSQL (and Qdrant)
  'IPAddressDeny='                           # those addresses differ per install (an IPAddressAllow= drop-in can pin them)
  'RestrictAddressFamilies=~AF_(INET|INET6)' # same
  'RestrictAddressFamilies=~AF_UNIX'         # PostgreSQL's Unix socket
  'MemoryDenyWriteExecute='                  # V8's JIT needs it off (see the units)
  'RootDirectory=/RootImage='                # runs /usr/bin/node from the host
  'DeviceAllow='                             # ProtectClock=yes leaves char-rtc readable
)

export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-units: systemd-analyze missing; installing Debian's systemd"
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd) >/dev/null 2>&1
  fi
  if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "check-units: FAIL: systemd-analyze is unavailable and could not be installed (apt-get install systemd)"
    exit 1
  fi
fi

shopt -s nullglob
units=(ops/systemd/*.service)
if [[ ${#units[@]} -eq 0 ]]; then
  echo "check-units: FAIL: no units in ops/systemd/"
  exit 1
fi

failed=0
fail() { echo "check-units: FAIL: $*"; failed=1; }

# verify exits 0 on some mistakes (an unknown key is only a warning), so any
# line naming one of our units fails too. Lines about the host's own units
# (postgresql.service, ...) are shown but do not count.
out=$(systemd-analyze verify "${units[@]}" 2>&1)
rc=$?
[[ -n $out ]] && echo "$out"
if [[ $rc -ne 0 ]]; then
  fail "systemd-analyze verify exited $rc"
elif grep -q 'ballast' <<<"$out"; then
  fail "systemd-analyze verify warned about a unit"
else
  echo "check-units: systemd-analyze verify: ok (${#units[@]} units)"
fi

accepted_json=$(printf '%s\n' "${ACCEPTED[@]}" | node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean)))')

for unit in "${units[@]}"; do
  text=$(systemd-analyze security --offline=true "$unit" 2>&1)
  line=$(grep -E 'Overall exposure level for ' <<<"$text" | tail -1)
  level=$(sed -nE 's/.*Overall exposure level for [^:]+: ([0-9]+\.[0-9]+) .*/\1/p' <<<"$line")
  if [[ -z $level ]]; then
    echo "$text"
    fail "$unit: no \"Overall exposure level\" line from systemd-analyze security"
    continue
  fi
  if awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l + 0 <= m + 0) }'; then
    echo "check-units: $unit: exposure $level (at most $MAX_EXPOSURE)"
  else
    fail "$unit: exposure $level is over $MAX_EXPOSURE: ${line#*: }"
  fi
  # Open checks that are not accepted: each is a directive someone removed.
  open=$(systemd-analyze security --offline=true --json=short "$unit" 2>/dev/null |
    ACCEPTED="$accepted_json" node -e '
      const accepted = new Set(JSON.parse(process.env.ACCEPTED));
      const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
      for (const i of items) if (!i.set && Number(i.exposure) > 0 && !accepted.has(i.name)) console.log(`${i.name} (${i.exposure}): ${i.description}`);
    ')
  rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$unit: could not read systemd-analyze security --json=short"
  elif [[ -n $open ]]; then
    fail "$unit: open checks not accepted in .ci/check-units.sh:"
    sed 's/^/  /' <<<"$open"
  fi
done

exit $failed
