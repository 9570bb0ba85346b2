#!/usr/bin/env bash
# compare.sh: zeroserve against nginx and h2o on the same static content, in one run.
#
#   bench/macro/compare.sh [ZEROSERVE_BINARY]      (default: build/release/src/cli/zeroserve)
#
# Each server runs one worker pinned to SERVER_CPU (0); wrk runs on CLIENT_CPU (1) with CONNS
# keep-alive connections over plain HTTP/1.1. For every workload (a 174-byte HTML file and a
# 100 KiB file) each server gets RUNS runs of DURATION seconds, interleaved server by server so
# drift hits everyone alike; the median run is reported. On 2 cores the client saturates near
# the fastest servers, so the fair comparison is requests per server-CPU-second (server CPU from
# /proc utime+stime over the server's process tree). Idle memory is PSS from smaps_rollup.
# nginx runs twice: sendfile off (its faster setting for small files) and sendfile on.
#
# SCHEME=https runs the same over TLS 1.3 (one self-signed P-256 certificate for every server,
# TLS_AES_128_GCM_SHA256 pinned where the server lets us, keep-alive: handshakes do not count).
# SCHEME=h2 runs HTTP/2 over TLS 1.3 (ALPN h2, same certificate) with h2load instead of wrk:
# `h2load -t1 -c$CONNS -m$H2_STREAMS -D $DURATION` on CLIENT_CPU; h2load reports no percentiles,
# so the latency column is h2load's mean time per request.
# SCHEME=handshake measures the TLS 1.3 handshake rate: wrk with `Connection: close`, so every
# request is a new TCP connection and a full handshake (wrk does not resume sessions); the
# server's CPU per connection is what counts. Default SERVERS="zeroserve nginx", WORKLOADS=small.
#
# Scripted workloads (request scripting issue; WORKLOADS="header json", SCHEME http or https):
#   header  GET /small.html with a per-request injected response header `X-Injected: 1`
#   json    GET /json, a small JSON body computed per request
# zeroserve_lua serves them with shared/bench/zeroserve-scripts/{10-inject,20-json}.c (default
# 2 ms preemption slice), zeroserve_lua_nopreempt the same with --preempt-timer-interval-ms 0,
# nginx_lua with header_filter_by_lua_block / content_by_lua_block (libnginx-mod-http-lua).
# The plain zeroserve (no scripts) serving /small.html gives the no-script baseline for the
# header workload: the difference in CPU per request is the scripts' overhead.
#
# Knobs: DURATION=5 RUNS=3 CONNS=100 WRK_THREADS=2 SERVER_CPU=0 CLIENT_CPU=1 SCHEME=http
#        SERVERS="zeroserve nginx nginx_sendfile h2o" WORKLOADS="small large" H2_STREAMS=10
#        HS_CONNS=50 (wrk connections in handshake mode)
# Needs: scripts/setup --bench (nginx, h2o, wrk, h2load from Debian). Output: Markdown on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ZEROSERVE=${1:-$ROOT/build/release/src/cli/zeroserve}
DURATION=${DURATION:-5}
RUNS=${RUNS:-3}
CONNS=${CONNS:-100}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
SCHEME=${SCHEME:-http}
SCRIPTED=no; [[ " ${WORKLOADS:-} " =~ \ (header|json)\  ]] && SCRIPTED=yes
case $SCHEME in
  http | https) if [[ $SCRIPTED == yes ]]; then SERVERS=${SERVERS:-"zeroserve_lua zeroserve_lua_nopreempt nginx_lua zeroserve"}
                else SERVERS=${SERVERS:-"zeroserve nginx nginx_sendfile h2o"}; fi
                WORKLOADS=${WORKLOADS:-"small large"} ;;
  h2) SERVERS=${SERVERS:-"zeroserve nginx h2o"}; WORKLOADS=${WORKLOADS:-"small large"} ;;
  handshake) SERVERS=${SERVERS:-"zeroserve nginx"}; WORKLOADS=${WORKLOADS:-small}; CONNS=${HS_CONNS:-50} ;;
  *) echo "SCHEME must be http, https, h2 or handshake" >&2; exit 2 ;;
esac
H2_STREAMS=${H2_STREAMS:-10}
TLS=no; [[ $SCHEME != http ]] && TLS=yes
URL_SCHEME=http; [[ $TLS == yes ]] && URL_SCHEME=https
CLK_TCK=$(getconf CLK_TCK)

say() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "error: $*"; exit 1; }

[[ -x $ZEROSERVE ]] || die "no zeroserve binary at $ZEROSERVE (build it: scripts/build release)"
for tool in nginx h2o wrk h2load taskset curl; do command -v $tool >/dev/null || die "missing $tool: run scripts/setup --bench"; done

WORK=$(mktemp -d -t zs-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- content: the same bytes for every server -------------------------------------------------
mkdir -p "$WORK/www"
page='<!doctype html><html><head><title>bench</title></head><body><p>Small static file for the zeroserve benchmark.</p></body></html>'
{ printf '%s' "$page"; head -c $((173 - ${#page})) /dev/zero | tr '\0' ' '; printf '\n'; } >"$WORK/www/small.html"
head -c 102400 /dev/urandom >"$WORK/www/large.bin"
chmod -R a+rX "$WORK/www"
[[ $(stat -c %s "$WORK/www/small.html") == 174 ]] || die "small.html is not 174 bytes"
"$ZEROSERVE" --pack "$WORK/www" >"$WORK/site.tar"
if [[ $SCRIPTED == yes ]]; then
  ZS_SCRIPTS=${ZS_SCRIPTS:-$ROOT/../shared/bench/zeroserve-scripts}
  [[ -f $ZS_SCRIPTS/10-inject.c ]] || die "no benchmark scripts at $ZS_SCRIPTS (set ZS_SCRIPTS)"
  mkdir -p "$WORK/www-lua/.zeroserve/scripts"
  cp "$WORK/www/small.html" "$WORK/www/large.bin" "$WORK/www-lua/"
  cp "$ZS_SCRIPTS/10-inject.c" "$ZS_SCRIPTS/20-json.c" "$WORK/www-lua/.zeroserve/scripts/"
  "$ZEROSERVE" --pack "$WORK/www-lua" >"$WORK/lua.tar"
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" -days 30 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
chmod 644 "$WORK/cert.pem" "$WORK/key.pem"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  local i
  for ((i = 0; i < 100; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

# --- servers: start_NAME PORT sets PID ---------------------------------------------------------
start_zeroserve() {  # PORT [TARBALL [EXTRA FLAGS...]]
  local port=$1 tar=${2:-$WORK/site.tar}
  local listen=(--addr "127.0.0.1:$port")
  [[ $TLS == yes ]] && listen=(--addr 127.0.0.1:0 --tls-addr "127.0.0.1:$port" --cert "$WORK/cert.pem" --key "$WORK/key.pem")
  taskset -c "$SERVER_CPU" "$ZEROSERVE" "${listen[@]}" --threads 1 --disable-request-logging "${@:3}" \
    "$tar" 2>"$WORK/zeroserve-$port.log" &
  PID=$!
}
start_zeroserve_lua() { start_zeroserve "$1" "$WORK/lua.tar"; }
start_zeroserve_lua_nopreempt() { start_zeroserve "$1" "$WORK/lua.tar" --preempt-timer-interval-ms 0; }
nginx_conf() {  # DIR PORT SENDFILE [lua]
  mkdir -p "$1"
  local modules='' body='root '"$WORK"'/www; location / { }'
  if [[ ${4:-} == lua ]]; then
    modules='load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;'
    body="root $WORK/www;
    location / { header_filter_by_lua_block { ngx.header[\"X-Injected\"] = \"1\" } }
    location = /json {
      content_by_lua_block {
        local body = '{\"message\":\"Hello, World!\",\"time\":' .. ngx.time() .. '}'
        ngx.header[\"Content-Type\"] = \"application/json\"
        ngx.header[\"Content-Length\"] = #body
        ngx.print(body)
      }
    }"
  fi
  cat >"$1/nginx.conf" <<CONF
$modules
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile $3;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path $1/tmp;
  server {
    listen 127.0.0.1:$2 $( [[ $TLS == yes ]] && echo ssl ) $( [[ $SCHEME == h2 ]] && echo http2 );
    $( [[ $TLS == yes ]] && echo "ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem; ssl_protocols TLSv1.3; ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;" )
    $body
  }
}
CONF
}
start_nginx() { nginx_conf "$WORK/nginx-$1" "$1" off; taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx-$1/" -c "$WORK/nginx-$1/nginx.conf" & PID=$!; }
start_nginx_lua() { nginx_conf "$WORK/nginx-$1" "$1" off lua; taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx-$1/" -c "$WORK/nginx-$1/nginx.conf" & PID=$!; }
start_nginx_sendfile() { nginx_conf "$WORK/nginx-$1" "$1" on; taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx-$1/" -c "$WORK/nginx-$1/nginx.conf" & PID=$!; }
start_h2o() {
  mkdir -p "$WORK/h2o-$1"
  cat >"$WORK/h2o-$1/h2o.conf" <<CONF
num-threads: 1
user: $(id -un)
error-log: $WORK/h2o-$1/error.log
listen:
  host: 127.0.0.1
  port: $1
$( [[ $TLS == yes ]] && printf '  ssl:\n    certificate-file: %s\n    key-file: %s\n    minimum-version: TLSv1.3\n' "$WORK/cert.pem" "$WORK/key.pem" )
hosts:
  default:
    paths:
      /:
        file.dir: $WORK/www
CONF
  taskset -c "$SERVER_CPU" h2o -c "$WORK/h2o-$1/h2o.conf" >"$WORK/h2o-$1/stdout.log" 2>&1 &
  PID=$!
}

tree_pids() { local p=$1 c; echo "$p"; for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do tree_pids "$c"; done; }
cpu_ticks() { local t=0 p; for p in $(tree_pids "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
pss_kb() { local t=0 p; for p in $(tree_pids "$1"); do t=$((t + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0))); done; echo $t; }

declare -A PORT_OF PID_OF IDLE_PSS
for s in $SERVERS; do
  port=$(free_port)
  "start_$s" "$port"
  PIDS+=("$PID")
  PORT_OF[$s]=$port
  PID_OF[$s]=$PID
  wait_port "$port" || die "$s did not start"
done
sleep 1
for s in $SERVERS; do
  curl -sfk -o /dev/null "$URL_SCHEME://127.0.0.1:${PORT_OF[$s]}/small.html" || die "$s does not serve /small.html"
  IDLE_PSS[$s]=$(pss_kb "${PID_OF[$s]}")   # after one request: libraries and lazy init are in
done

# --- measurement ------------------------------------------------------------------------------
declare -A RESULTS   # "workload server" -> lines "rps p99_ms cpu_s eff"
# load SERVER PATH SECONDS: runs the load generator of this SCHEME on CLIENT_CPU, prints its output
load() {
  local url="$URL_SCHEME://127.0.0.1:${PORT_OF[$1]}$2"
  case $SCHEME in
    h2) taskset -c "$CLIENT_CPU" h2load -t1 -c"$CONNS" -m"$H2_STREAMS" -D "$3" "$url" 2>&1 ;;
    handshake) taskset -c "$CLIENT_CPU" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$3s" --latency -H 'Connection: close' "$url" 2>&1 ;;
    *) taskset -c "$CLIENT_CPU" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$3s" --latency "$url" 2>&1 ;;
  esac
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
declare -A RESULTS   # "workload server" -> lines "rps latency_ms cpu_s eff"
path_of() { case $1 in large) echo /large.bin ;; json) echo /json ;; *) echo /small.html ;; esac; }
# Which servers take part in a workload: scripted ones only where they answer it.
serves() {  # SERVER WORKLOAD
  case $2 in
    json) [[ $1 == *lua* ]] ;;
    header) [[ $1 == *lua* || $1 == zeroserve ]] ;;
    *) [[ $1 != *lua* ]] ;;
  esac
}
run_one() {  # SERVER WORKLOAD
  local s=$1 w=$2 path t0 t1 out rps p99 cpu
  path=$(path_of "$w")
  t0=$(cpu_ticks "${PID_OF[$s]}")
  out=$(load "$s" "$path" "$DURATION")
  t1=$(cpu_ticks "${PID_OF[$s]}")
  if [[ $SCHEME == h2 ]]; then
    grep -q "Application protocol: h2" <<<"$out" || say "warning: $s/$w: h2 was not negotiated"
    grep -qE "requests: .* 0 failed, 0 errored, 0 timeout" <<<"$out" || say "warning: $s/$w: $(grep '^requests:' <<<"$out")"
    rps=$(awk '/^finished in/{print $4}' <<<"$out")
    p99=$(awk '/^time for request:/{print $6}' <<<"$out" | to_ms)   # mean: h2load has no p99
  else
    grep -qE "Non-2xx|Socket errors" <<<"$out" && say "warning: $s/$w: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ')"
    rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
    p99=$(awk '$1=="99%"{print $2}' <<<"$out" | to_ms)
  fi
  cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" 'BEGIN{printf "%.3f", (b-a)/hz}')
  RESULTS["$w $s"]+="$rps $p99 $cpu $(awk -v r="$rps" -v d="$DURATION" -v c="$cpu" 'BEGIN{printf "%.0f", (c > 0 ? r*d/c : 0)}')"$'\n'
}
for w in $WORKLOADS; do
  for s in $SERVERS; do  # warm-up, not recorded
    serves "$s" "$w" || continue
    if [[ $w == header && $s == *lua* ]]; then
      curl -sfk -D - -o /dev/null "$URL_SCHEME://127.0.0.1:${PORT_OF[$s]}/small.html" | grep -qi '^x-injected: 1' || die "$s does not inject X-Injected"
    fi
    [[ $w == json ]] && { curl -sfk "$URL_SCHEME://127.0.0.1:${PORT_OF[$s]}/json" | grep -q '"message":"Hello, World!"' || die "$s does not answer /json"; }
    load "$s" "$(path_of "$w")" 1 >/dev/null
  done
  for ((r = 1; r <= RUNS; r++)); do
    order=$SERVERS; ((r % 2 == 0)) && order=$(tr ' ' '\n' <<<"$SERVERS" | tac | tr '\n' ' ')
    for s in $order; do serves "$s" "$w" || continue; say "$w run $r/$RUNS: $s"; run_one "$s" "$w"; done
  done
done

median() {  # field index over the runs, picking the run with the median efficiency
  sort -k4,4n | awk -v n="$RUNS" 'NF{a[++i]=$0} END{print a[int((i+1)/2)]}'
}

client="wrk -t$WRK_THREADS -c$CONNS"
lat="p99 ms"
unit="req"
case $SCHEME in
  https) echo "## zeroserve vs peers, HTTP/1.1 over TLS 1.3, keep-alive, one worker each" ;;
  h2) echo "## zeroserve vs peers, HTTP/2 over TLS 1.3 (ALPN h2), one worker each"
      client="h2load -t1 -c$CONNS -m$H2_STREAMS"; lat="mean ms" ;;
  handshake) echo "## zeroserve vs peers, TLS 1.3 handshake rate (new connection per request), one worker each"
      client="wrk -t$WRK_THREADS -c$CONNS -H 'Connection: close'"; unit="handshake" ;;
  *) echo "## zeroserve vs peers, plain HTTP/1.1 keep-alive, one worker each" ;;
esac
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), server on CPU $SERVER_CPU, $client on CPU $CLIENT_CPU, ${DURATION}s x $RUNS runs (median by efficiency)"
echo "Versions: $("$ZEROSERVE" --version), $(nginx -v 2>&1 | sed 's/nginx version: //'), $(h2o --version 2>&1 | head -1)$( [[ $SCHEME == h2 ]] && echo ", $(h2load --version 2>&1 | head -1)")"
echo
for w in $WORKLOADS; do
  case $w in
    large) label="100 KiB file" ;; header) label="174-byte HTML + injected response header (scripted)" ;;
    json) label="dynamic JSON /json (scripted)" ;; *) label="174-byte HTML" ;;
  esac
  echo "### $label"
  echo
  echo "| server | $unit/s | $lat | server CPU s | $unit per server-CPU-s |"
  echo "|---|---:|---:|---:|---:|"
  declare -A EFF=()
  for s in $SERVERS; do
    serves "$s" "$w" || continue
    read -r rps p99 cpu eff < <(printf '%s' "${RESULTS["$w $s"]}" | median)
    EFF[$s]=$eff
    printf '| %s | %.0f | %s | %s | %s |\n' "$s" "$rps" "$p99" "$cpu" "$eff"
  done
  echo
  if [[ -n ${EFF[zeroserve_lua]:-} ]]; then
    for s in nginx_lua zeroserve_lua_nopreempt; do
      [[ -n ${EFF[$s]:-} ]] && awk -v a="${EFF[zeroserve_lua]}" -v b="${EFF[$s]}" -v s="$s" 'BEGIN{if (b > 0) printf "- zeroserve_lua / %s efficiency: **%.2fx**\n", s, a/b}'
    done
    [[ -n ${EFF[zeroserve]:-} ]] && awk -v a="${EFF[zeroserve_lua]}" -v b="${EFF[zeroserve]}" \
      'BEGIN{if (a > 0 && b > 0) printf "- script overhead per request (CPU): %.0f ns (%.0f ns with scripts, %.0f ns without)\n", 1e9/a - 1e9/b, 1e9/a, 1e9/b}'
    echo
  elif [[ -n ${EFF[zeroserve]:-} ]]; then
    for s in $SERVERS; do
      [[ $s == zeroserve ]] && continue
      awk -v a="${EFF[zeroserve]}" -v b="${EFF[$s]}" -v s="$s" 'BEGIN{if (b > 0) printf "- zeroserve / %s efficiency: **%.2fx**\n", s, a/b}'
    done
    echo
  fi
  unset EFF
done
echo "### Idle memory (PSS, after one request)"
echo
echo "| server | PSS KiB |"
echo "|---|---:|"
for s in $SERVERS; do echo "| $s | ${IDLE_PSS[$s]} |"; done
