#!/usr/bin/env bash
# Benchmarks that print figures (never timed tests). As root, in a namespace of its own, cleaned up.
#   scripts/bench.sh portowner [PROCESSES] [SOCKETS]   portOwner vs ss -ltnp on a crowded host
#   scripts/bench.sh hunt [RUNS]                       a whole local hunt of portOwner, loopback and
#                                                      asymmetricRoute, JVM start included (wall time)
#   scripts/bench.sh net [dns|http2|mtu|house|all] [RUNS]
#                                                      the network checks in their labs: dns vs dig,
#                                                      http2 vs curl, mtu probes and time to verdict,
#                                                      all seven checks of one hunt (wall)
#   scripts/bench.sh scale [NODES]                     the operator over N simulated nodes against the
#                                                      real API server: time to Complete, requests, heap, size
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
ns="ghbench$$"
pids=()
cleanup() {
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ "$what" = scale ]; then
  # This build's own modules come from their target folders, never from a stale copy in ~/.m2; the
  # last module of the reactor (operator) writes the classpath file last.
  mvn -B -q -ntp -pl operator -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile="$PWD/operator/target/bench.classpath" -Dmdep.includeScope=test -DexcludeGroupIds=io.ghosthunt >/dev/null
  scripts/control-plane.sh build >/dev/null 2>&1
  echo "== operator scale: ${2:-500} simulated nodes =="
  own="api/target/classes:probe-agent/target/classes:probe-agent/target/test-classes:operator/target/classes:operator/target/test-classes"
  exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dghosthunt.repo="$PWD" \
    -cp "$own:$(cat operator/target/bench.classpath)" io.ghosthunt.operator.bench.ScaleBenchmark "${2:-500}"
fi
[ -f probe-agent/target/ghosthunt.jar ] && [ -d probe-agent/target/test-classes ] \
  || mvn -B -q -ntp -pl probe-agent -am package -DskipTests
if [ "$what" = net ]; then
  echo "== network checks in their labs (${3:-10} runs each) =="
  exec java -Dghosthunt.repo="$PWD" -cp probe-agent/target/ghosthunt.jar:probe-agent/target/test-classes \
    io.ghosthunt.agent.bench.NetworkChecksBenchmark "${2:-all}" "${3:-10}"
fi
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

bench_portowner() {
  local procs=${1:-2000} socks=${2:-20000}
  echo "== portOwner: $procs extra processes, $socks sockets, the port held by an orphan =="
  for _ in $(seq "$procs"); do sleep 3600 </dev/null >/dev/null 2>&1 & pids+=($!); done
  # 50 processes hold the sockets (400 each, under the default fd limit): listeners on 127.0.0.1, ports 20000+.

  ip netns exec "$ns" python3 - "$socks" <<'PY'
import os, socket, sys, time
total = int(sys.argv[1]); per = total // 50
for k in range(50):
    if os.fork() == 0:
        held = []
        for i in range(per):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 20000 + k * per + i)); s.listen(1); held.append(s)
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2): os.dup2(null, fd)
        time.sleep(3600); os._exit(0)
time.sleep(0.1)
PY
  # the squatter
  ip netns exec "$ns" python3 -c 'import socket,time,os
s=socket.socket(); s.bind(("0.0.0.0",8080)); s.listen(1)
if os.fork()==0:
    n=os.open("/dev/null",os.O_RDWR); [os.dup2(n,f) for f in (0,1,2)]; time.sleep(3600)
os._exit(0)'
  until [ "$(ip netns exec "$ns" ss -Htln | wc -l)" -ge "$socks" ]; do sleep 0.2; done
  ip netns exec "$ns" java -cp probe-agent/target/ghosthunt.jar:probe-agent/target/test-classes \
    io.ghosthunt.agent.bench.PortOwnerBenchmark 8080 20
}

bench_hunt() {
  local runs=${1:-10}
  echo "== whole local hunt (portOwner + loopback + asymmetricRoute), JVM start included, $runs runs =="
  ip netns exec "$ns" python3 -c 'import socket,time,os
s=socket.socket(); s.bind(("127.0.0.1",8080)); s.listen(4096)
if os.fork()==0:
    n=os.open("/dev/null",os.O_RDWR); [os.dup2(n,f) for f in (0,1,2)]; time.sleep(3600)
os._exit(0)'
  local hunt; hunt=$(mktemp)
  cat > "$hunt" <<'YAML'
apiVersion: ghosthunt.io/v1alpha1
kind: GhostHunt
metadata: {name: bench}
spec:
  checks:
    portOwner: {ports: [8080], expectedProcess: python3}
    loopback: {ports: [8080]}
    asymmetricRoute: {peers: ["127.0.0.1"]}
YAML
  local times=()
  ./ghosthunt check --help >/dev/null  # builds the jar and the class data archive once, outside the timing
  for _ in $(seq "$runs"); do
    local t0 t1; t0=$(date +%s%N)
    # What a user runs: the script's own checks, the JVM flags and the class data archive included.
    ip netns exec "$ns" ./ghosthunt check -f "$hunt" -o json >/dev/null || true
    t1=$(date +%s%N); times+=($(( (t1 - t0) / 1000000 )))
  done
  rm -f "$hunt"
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "wall: median %d ms, min %d ms, max %d ms over %d runs (goal <= 300 ms)\n", a[int((NR+1)/2)], a[1], a[NR], NR}'
}

case "$what" in
  portowner) bench_portowner "${2:-2000}" "${3:-20000}" ;;
  hunt) bench_hunt "${2:-10}" ;;
  all) bench_hunt 10; bench_portowner 2000 20000 ;;
  *) echo "usage: $0 portowner [PROCESSES] [SOCKETS] | hunt [RUNS] | net [dns|http2|mtu|house|all] [RUNS] | scale [NODES] | all" >&2; exit 2 ;;
esac
