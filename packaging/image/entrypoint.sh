#!/bin/sh
# berth's container entrypoint: `docker run … IMAGE [LAUNCHER FLAGS] COMMAND [OPTIONS]`.
#
# Launcher flags, before the command, as for the npm package (what `berth
# setup` prints): --read PATH, --write-path PATH, --permission-set NAME. Each
# path extends the set's own list (sets.sh, written at build from deno.json),
# since an --allow-read next to -P=berth replaces it. The path must also be
# mounted into the container at the same place (-v PATH:PATH:ro).
#
# Started as root (the default), it reads the group of the engine socket, then
# runs berth as the `deno` user with that one extra group, no capabilities and
# no_new_privs: the socket is root:docker (or root:root) 0660 on most hosts,
# and its group id differs from host to host, so no fixed user could open it.
# Started as another user (--user 1993 --group-add GID), it runs berth as is.
set -eu

. /usr/local/lib/berth/sets.sh

reads=""
writes=""
set=""
while [ $# -gt 0 ]; do
  case "$1" in
    --read) reads="$reads,$2" && shift 2 ;;
    --read=*) reads="$reads,${1#--read=}" && shift ;;
    --write-path) writes="$writes,$2" && shift 2 ;;
    --write-path=*) writes="$writes,${1#--write-path=}" && shift ;;
    --permission-set) set="$2" && shift 2 ;;
    --permission-set=*) set="${1#--permission-set=}" && shift ;;
    --) shift && break ;;
    *) break ;;
  esac
done
if [ -z "$set" ]; then
  set=berth
  [ "${1:-}" = setup ] && set=berth-setup
fi

# One --allow-PERMISSION flag: the new paths, then the set's own list ("*": all, no flag).
allow_flag() {
  key="SET_$(echo "$set" | tr - _)_$1"
  eval "own=\${$key-}"
  [ -n "$2" ] && [ "$own" != "*" ] && echo "--allow-$1=${2#,}${own:+,$own}"
  return 0
}
read_flag="$(allow_flag read "$reads")"
write_flag="$(allow_flag write "$writes")"

# The engine socket: --docker-host on the command line, else DOCKER_HOST, else the default.
socket="${DOCKER_HOST:-unix:///var/run/docker.sock}"
prev=""
for arg in "$@"; do
  [ "$prev" = --docker-host ] && socket="$arg"
  case "$arg" in --docker-host=*) socket="${arg#--docker-host=}" ;; esac
  prev="$arg"
done
socket="${socket#unix://}"

# --v8-flags: the heap settings every way runs berth with (src/setup/ways.ts, V8_FLAGS).
set -- run --no-prompt --cached-only "-P=$set" ${read_flag:+"$read_flag"} \
  ${write_flag:+"$write_flag"} --v8-flags=--max-semi-space-size=1,--heap-growing-percent=25 /app/dist/bundle/main.js "$@"

if [ "$(id -u)" = 0 ]; then
  gid="$(stat -c %g "$socket" 2>/dev/null || true)"
  export HOME=/home/deno
  if [ -n "$gid" ]; then
    exec /usr/bin/setpriv --reuid=deno --regid=deno --groups="$gid" --inh-caps=-all \
      --bounding-set=-all --no-new-privs -- deno "$@"
  fi
  exec /usr/bin/setpriv --reuid=deno --regid=deno --clear-groups --inh-caps=-all \
    --bounding-set=-all --no-new-privs -- deno "$@"
fi
exec deno "$@"
