#!/usr/bin/env bash
# Benchmarks that print figures (never timed tests). As root, in a namespace of its own, cleaned up.
#   scripts/bench.sh portowner [RUNS]                  ./ghosthunt check of one port vs ss -ltnp, whole
#                                                      processes, on two crowded host shapes
#   scripts/bench.sh hunt [RUNS]                       a whole local hunt of portOwner, loopback and
#                                                      asymmetricRoute, JVM start included (wall time)
#   scripts/bench.sh net [dns|http2|mtu|house|all] [RUNS]
#                                                      the network checks in their labs: dns vs dig,
#                                                      http2 vs curl, mtu probes and time to verdict,
#                                                      all seven checks of one hunt (wall)
#   scripts/bench.sh scale [NODES]                     the operator over N simulated nodes (500 unless
#                                                      given) against the real API server: time to
#                                                      Complete, requests, heap, size; above 1000, 1000
#                                                      nodes first, then N, each on a fresh API server,
#                                                      and a last line comparing them (goal: N within 6x)
#   scripts/bench.sh verdict [N]                       on the demo's cluster (five real nodes, helm install),
#                                                      N hunts of each kind (5 unless given): apply to
#                                                      Complete split into steps by the hunts' and reports'
#                                                      timelines, the floor (a pause pod: create to
#                                                      Running), operator ready (helm install to the
#                                                      Deployment Available); medians, and a last line
#                                                      `verdict: tuesday S s, every-ghost S s, operator
#                                                      ready S s (medians of N)`
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
  if [ "${2:-500}" -gt 1000 ]; then
    echo "== operator scale: 1000 simulated nodes, then ${2} =="
  else
    echo "== operator scale: ${2:-500} simulated nodes =="
  fi
  own="api/target/classes:lab/target/classes:probe-agent/target/classes:operator/target/classes:operator/target/test-classes"
  exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dghosthunt.repo="$PWD" \
    -cp "$own:$(cat operator/target/bench.classpath)" io.ghosthunt.operator.bench.ScaleBenchmark "${2:-500}"
fi
if [ "$what" = verdict ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bench.sh verdict: run as root (the lab nodes are network namespaces)" >&2
    exit 2
  fi
  # What the demo needs (the control plane, kubelets and helm; the images' bases), then this build's
  # images (Jib's tarballs, which the nodes import) and its classes: never a stale copy in ~/.m2.
  scripts/control-plane.sh build >/dev/null 2>&1
  scripts/images.sh bases >/dev/null
  mvn -B -q -ntp -Pimages -pl lab,probe-agent,operator -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile="$PWD/operator/target/bench.classpath" -Dmdep.includeScope=test -DexcludeGroupIds=io.ghosthunt >/dev/null
  echo "== verdict: ${2:-5} hunts of each kind on the demo's cluster =="
  own="api/target/classes:lab/target/classes:probe-agent/target/classes:operator/target/classes:operator/target/test-classes"
  exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dghosthunt.repo="$PWD" \
    -Dorg.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils=error \
    -cp "$own:$(cat operator/target/bench.classpath)" io.ghosthunt.operator.bench.VerdictBenchmark "${2:-5}"
fi
[ -f probe-agent/target/ghosthunt.jar ] && [ -d probe-agent/target/test-classes ] && [ -d lab/target/classes ] \
  || mvn -B -q -ntp -pl probe-agent -am package -DskipTests
if [ "$what" = net ]; then
  echo "== network checks in their labs (${3:-10} runs each) =="
  exec java -Dghosthunt.repo="$PWD" -cp probe-agent/target/ghosthunt.jar:lab/target/classes:probe-agent/target/test-classes \
    io.ghosthunt.agent.bench.NetworkChecksBenchmark "${2:-all}" "${3:-10}"
fi
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

# Holders of listening sockets in the namespace: HOLDERS processes with PER sockets each, on
# 127.0.0.1 from port BASE up; each holder prints its PID, then sleeps.
hold_sockets() {
  local holders=$1 per=$2 base=$3
  ip netns exec "$ns" python3 - "$holders" "$per" "$base" <<'PY'
import os, resource, socket, sys, time
holders, per, base = (int(a) for a in sys.argv[1:4])
resource.setrlimit(resource.RLIMIT_NOFILE, (per + 64, per + 64))
for k in range(holders):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        held = []
        for i in range(per):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", base + k * per + i)); s.listen(1); held.append(s)
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2): os.dup2(null, fd)
        os.write(w, b"x"); os.close(w)
        time.sleep(3600); os._exit(0)
    os.close(w); os.read(r, 1); os.close(r)
PY
}

# One shape of host: IDLE idle processes, HOLDERS x PER listening sockets, and the port 8080 held
# by an orphan; then ./ghosthunt check of that one port against `ss -ltnp 'sport = :8080'`, both
# whole processes, RUNS runs each, medians.
bench_portowner_shape() {
  local label=$1 idle=$2 holders=$3 per=$4 runs=$5
  echo "== portOwner, shape $label: $idle idle processes, $holders holders x $per sockets, whole processes =="
  ip netns exec "$ns" python3 -c 'import socket,time,os
s=socket.socket(); s.bind(("0.0.0.0",8080)); s.listen(1)
if os.fork()==0:
    n=os.open("/dev/null",os.O_RDWR); [os.dup2(n,f) for f in (0,1,2)]; time.sleep(3600)
os._exit(0)'
  for _ in $(seq "$idle"); do sleep 3600 </dev/null >/dev/null 2>&1 & pids+=($!); disown; done
  hold_sockets "$holders" "$per" 20000
  local hunt; hunt=$(mktemp)
  printf 'apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nmetadata: {name: bench}\nspec:\n  checks:\n    portOwner: {ports: [8080], expectedProcess: java}\n' > "$hunt"
  ./ghosthunt check --help >/dev/null
  local ours=() theirs=() t0 t1
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N); ip netns exec "$ns" ./ghosthunt check -f "$hunt" -o json >/dev/null || true; t1=$(date +%s%N)
    ours+=($(( (t1 - t0) / 1000000 )))
    t0=$(date +%s%N); ip netns exec "$ns" ss -ltnp 'sport = :8080' >/dev/null; t1=$(date +%s%N)
    theirs+=($(( (t1 - t0) / 1000000 )))
  done
  rm -f "$hunt"
  local m1 m2
  m1=$(printf '%s\n' "${ours[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  m2=$(printf '%s\n' "${theirs[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "ghosthunt check (portOwner): median $m1 ms; ss -ltnp 'sport = :8080': median $m2 ms over $runs runs"
  awk -v a="$m1" -v b="$m2" -v l="$label" 'BEGIN {printf "portowner shape %s: ratio %.2f (goal <= 1.0)\n", l, a / b}'
  # Empty the namespace and the idle processes for the next shape.
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  pids=()
}

bench_portowner() {
  local runs=${1:-7}
  bench_portowner_shape "a (few holders, many sockets)" 2000 4 5000 "$runs"
  bench_portowner_shape "b (many holders, few sockets)" 2000 2000 10 "$runs"
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
  portowner) bench_portowner "${2:-7}" ;;
  hunt) bench_hunt "${2:-10}" ;;
  all) bench_hunt 10; bench_portowner 7 ;;
  *) echo "usage: $0 portowner [RUNS] | hunt [RUNS] | net [dns|http2|mtu|house|all] [RUNS] | scale [NODES] | verdict [N] | all" >&2; exit 2 ;;
esac
