# Shared by the stand-ins for systemctl, pm2, kubectl, docker, ssh and app-ctl (rollback-test's
# StandIns). They really start and stop the application command given to StandIns, one process per
# key, and keep its pid in $STATE/<key>.pid. standin.conf (written by StandIns) sets APP (a bash
# array: the command) and STATE. The command gets two more arguments: the port to listen on (0 for
# any) and the file to write the port it chose into. STANDIN_HOST is set by the ssh stand-in, so
# that each "host" has its own process.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/standin.conf"

key_of() { echo "${STANDIN_HOST:+$STANDIN_HOST-}$1"; }
pidfile() { echo "$STATE/$1.pid"; }
alive() { local f; f="$(pidfile "$1")"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }
record() { echo "$*" >> "$STATE/calls.log"; }

start_app() {
  local key="$1" port=0
  record "start $key"
  alive "$key" && return 0
  [ -f "$STATE/$key.want-port" ] && port="$(cat "$STATE/$key.want-port")"
  rm -f "$STATE/$key.port"
  STANDIN_KEY="$key" nohup "${APP[@]}" "$port" "$STATE/$key.port" >"$STATE/$key.log" 2>&1 </dev/null &
  echo $! > "$(pidfile "$key")"
}

stop_app() {
  local key="$1" i
  record "stop $key"
  if alive "$key"; then
    kill "$(cat "$(pidfile "$key")")"
    for i in $(seq 1 100); do alive "$key" || break; sleep 0.1; done
  fi
  rm -f "$(pidfile "$key")" "$STATE/$key.port"
}

wait_healthy() {
  local key="$1" i
  for i in $(seq 1 300); do
    if [ -f "$STATE/$key.port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$(cat "$STATE/$key.port")") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}
