#!/usr/bin/env bash
# A real Kubernetes control plane for tests, built from the Go module proxy (no binary downloads).
#
#   scripts/control-plane.sh build   build kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy,
#                                    kubelet, etcd, the pause binary, CoreDNS and the helm CLI (and copy kubectl)
#   scripts/control-plane.sh up      start etcd, kube-apiserver, kube-controller-manager and kube-scheduler on
#                                    loopback; last line: the admin kubeconfig
#   scripts/control-plane.sh down    stop them and remove their state
#
# Environment: K8S_VERSION, HELM_VERSION, COREDNS_VERSION (default: the parent pom's kube.version,
#              helm.version and coredns.version),
#              ETCD_VERSION (default 3.6.16), GHOSTHUNT_CONTROLLERS (0: up starts no controller-manager
#              and scheduler), KUBEAPITEST_DIR (default ~/.kubeapitest), GHOSTHUNT_CP_DIR (state for up/down).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

# The Kubernetes and Helm versions are written once, in the parent pom; the build, the tests and the
# lab read them from there too.
pom_property() {
  local v; v=$(sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$here/pom.xml" | head -1)
  [ -n "$v" ] || { echo "[control-plane] no <$1> in $here/pom.xml" >&2; exit 2; }
  echo "$v"
}
K8S_VERSION=${K8S_VERSION:-$(pom_property kube.version)}
HELM_VERSION=${HELM_VERSION:-$(pom_property helm.version)}
COREDNS_VERSION=${COREDNS_VERSION:-$(pom_property coredns.version)}
ETCD_VERSION=${ETCD_VERSION:-3.6.16}
KUBEAPITEST_DIR=${KUBEAPITEST_DIR:-$HOME/.kubeapitest}
BIN_DIR="$KUBEAPITEST_DIR/k8s/${K8S_VERSION}-linux-amd64"
WORK_DIR=${GHOSTHUNT_BUILD_DIR:-$HOME/.cache/ghosthunt/control-plane-build}
STATE_DIR=${GHOSTHUNT_CP_DIR:-/tmp/ghosthunt-control-plane}
# Services get addresses from a documentation range, so that a lab node can reach the API server at
# the `kubernetes` Service's address (203.0.113.225) as a real node's pods do, without a route out.
SERVICE_CIDR=203.0.113.224/28
KUBERNETES_SERVICE_IP=203.0.113.225
# The address the API server advertises in the `kubernetes` Service's endpoints: pods' connections to
# the Service are translated to it by kube-proxy, and lab nodes relay it to the loopback it listens on.
ADVERTISE_IP=203.0.113.223
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)

log() { printf '[control-plane] %s\n' "$*" >&2; }

# The sum database is outside the registries this machine reaches on some networks; the module
# proxy itself still verifies content, so turn the checksum database off for this build only.
go_env() {
  if ! GOFLAGS=-mod=mod go env GOPROXY >/dev/null 2>&1; then return 1; fi
  export GOFLAGS=-buildvcs=false
  if [ -z "${GONOSUMDB:-}" ] && ! timeout 10 go mod download -json golang.org/x/mod@v0.20.0 >/dev/null 2>&1; then
    log "checksum database unreachable: GOSUMDB=off for this build"
    export GOSUMDB=off
  fi
}

# One Kubernetes command (kube-apiserver, kubelet) from the k8s.io/kubernetes module, in a wrapper
# module of its own so that each resolves exactly the dependencies it needs.
build_k8s() {
  local cmd=$1
  local dir="$WORK_DIR/$cmd-$K8S_VERSION"
  mkdir -p "$dir"
  log "$cmd v$K8S_VERSION: resolving k8s.io/kubernetes and its staging modules"
  local modfile
  modfile=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module ghosthunt.io/controlplane/$cmd"
    echo
    grep -E '^go ' "$modfile"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    # k8s.io/kubernetes requires its staging modules at v0.0.0; each is published as v0.<minor>.<patch>.
    grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$modfile" | awk -v v="v0.${K8S_VERSION#1.}" '{print "replace " $1 " => " $1 " " v}'
  } > "$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/%s"\n' "$cmd" > "$dir/tools.go"
  (cd "$dir" && go mod tidy >/dev/null 2>"$dir/tidy.log" || { cat "$dir/tidy.log" >&2; exit 1; })
  log "$cmd: compiling (kube-apiserver takes 10-20 minutes on 2 cores the first time, kubelet about 5 more)"
  local now; now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local pkg=k8s.io/component-base/version
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$BIN_DIR/$cmd" \
    -ldflags "-s -w -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$MINOR \
              -X $pkg.gitTreeState=clean -X $pkg.buildDate=$now -X $pkg.gitCommit=module-proxy" \
    "k8s.io/kubernetes/cmd/$cmd")
}

# The pod sandbox's pause process, from the C source in the Kubernetes module itself (the image
# registry.k8s.io/pause is built from the same file); a static binary needs no libc in its image.
build_pause() {
  command -v gcc >/dev/null || { log "gcc is required for the pause binary (apt-get install gcc libc6-dev)"; exit 2; }
  local src
  src=$(cd "$WORK_DIR/kubelet-$K8S_VERSION" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c
  log "pause: gcc -static $src"
  gcc -Os -static -Wall -Werror -DVERSION="v3.10-ghosthunt" -o "$BIN_DIR/pause" "$src"
  strip "$BIN_DIR/pause"
}

build_etcd() {
  local dir="$WORK_DIR/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  log "etcd v$ETCD_VERSION: from go.etcd.io/etcd/server/v3"
  cat > "$dir/go.mod" <<MOD
module ghosthunt.io/controlplane/etcd

go 1.24

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
MOD
  cat > "$dir/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$dir" && go mod tidy >/dev/null 2>"$dir/tidy.log" || { cat "$dir/tidy.log" >&2; exit 1; })
  log "etcd: compiling"
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd" .)
}

# CoreDNS exactly as its release is built (its main package, every plugin of its plugin.cfg), for
# the lab clusters' kube-dns; scripts/images.sh puts it into an image.
build_coredns() {
  local dir="$WORK_DIR/coredns-$COREDNS_VERSION"
  mkdir -p "$dir"
  log "coredns v$COREDNS_VERSION: go install github.com/coredns/coredns"
  (cd "$dir" && CGO_ENABLED=0 GOBIN="$BIN_DIR" go install -trimpath -ldflags "-s -w" \
    "github.com/coredns/coredns@v$COREDNS_VERSION")
}

# Its output read whole first: grep -q stops reading at the match, and under pipefail the SIGPIPE
# that coredns then gets for its second line would count as a missing binary.
coredns_present() {
  [ -x "$BIN_DIR/coredns" ] || return 1
  local out; out=$("$BIN_DIR/coredns" -version 2>/dev/null) || return 1
  grep -qx "CoreDNS-$COREDNS_VERSION" <<<"$out"
}

install_kubectl() {
  local gc; gc=$(command -v kubectl 2>/dev/null || true)
  local candidate=""
  if [ -n "$gc" ]; then
    local d; d=$(dirname "$(readlink -f "$gc")")
    # Newest versioned kubectl the image ships that is within one minor of the server (skew policy).
    for m in "$MINOR" $((MINOR - 1)); do
      [ -x "$d/kubectl.1.$m" ] && { candidate="$d/kubectl.1.$m"; break; }
    done
  fi
  if [ -n "$candidate" ]; then
    log "kubectl: $candidate"
    cp "$candidate" "$BIN_DIR/kubectl"
  else
    log "kubectl: building from k8s.io/kubernetes v$K8S_VERSION"
    local dir="$WORK_DIR/kube-apiserver-$K8S_VERSION"
    (cd "$dir" && go get k8s.io/kubernetes/cmd/kubectl >/dev/null 2>&1 || true; \
      CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/kubectl" k8s.io/kubernetes/cmd/kubectl)
  fi
}

# The helm CLI, as users type it, from its Go module, with the ldflags of Helm's own Makefile: the
# release for `helm version` (without it helm names only the minor), and the Kubernetes version of
# its client-go for the capabilities that `helm template` and `helm lint` assume offline (without
# them 1.20). The tests and the demo still pass --kube-version where helm renders offline.
build_helm() {
  local module="helm.sh/helm/v${HELM_VERSION%%.*}"
  local dir="$WORK_DIR/helm-$HELM_VERSION"
  mkdir -p "$dir"
  log "helm v$HELM_VERSION: go install $module/cmd/helm"
  local modfile client_go
  modfile=$(cd "$dir" && go mod download -json "$module@v$HELM_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  client_go=$(sed -n 's:^\s*k8s.io/client-go v0\.\([0-9]*\)\..*:\1:p' "$modfile" | head -1)
  [ -n "$client_go" ] || { log "no k8s.io/client-go in $modfile"; exit 1; }
  local ld="-s -w -X $module/internal/version.version=v$HELM_VERSION -X $module/internal/version.gitTreeState=clean"
  for pkg in pkg/lint/rules pkg/chartutil; do
    ld="$ld -X $module/$pkg.k8sVersionMajor=1 -X $module/$pkg.k8sVersionMinor=$client_go"
  done
  (cd "$dir" && CGO_ENABLED=0 GOBIN="$BIN_DIR" go install -trimpath -ldflags "$ld" "$module/cmd/helm@v$HELM_VERSION")
}

helm_present() {
  [ -x "$BIN_DIR/helm" ] && [ "$("$BIN_DIR/helm" version --template '{{.Version}}' 2>/dev/null)" = "v$HELM_VERSION" ]
}

cmd_build() {
  command -v go >/dev/null || { log "go is required (apt-get install golang-go, or the image's Go)"; exit 2; }
  mkdir -p "$BIN_DIR" "$WORK_DIR"
  go_env
  local start=$SECONDS
  [ -x "$BIN_DIR/kube-apiserver" ] && log "kube-apiserver present" || build_k8s kube-apiserver
  [ -x "$BIN_DIR/etcd" ] && log "etcd present" || build_etcd
  [ -x "$BIN_DIR/kubectl" ] && log "kubectl present" || install_kubectl
  [ -x "$BIN_DIR/kubelet" ] && log "kubelet present" || build_k8s kubelet
  [ -x "$BIN_DIR/pause" ] && log "pause present" || build_pause
  # The rest of a whole cluster; they share most packages with kube-apiserver, so the Go build
  # cache makes each a few minutes.
  for cmd in kube-controller-manager kube-scheduler kube-proxy; do
    [ -x "$BIN_DIR/$cmd" ] && log "$cmd present" || build_k8s "$cmd"
  done
  helm_present && log "helm v$HELM_VERSION present" || build_helm
  coredns_present && log "coredns v$COREDNS_VERSION present" || build_coredns
  log "binaries in $BIN_DIR ($((SECONDS - start)) s)"
  "$BIN_DIR/kube-apiserver" --version >&2
}

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

cmd_up() {
  for b in kube-apiserver etcd kube-controller-manager kube-scheduler; do [ -x "$BIN_DIR/$b" ] || { cmd_build; break; }; done
  if [ -f "$STATE_DIR/kubeconfig" ] && [ -f "$STATE_DIR/apiserver.pid" ] && kill -0 "$(cat "$STATE_DIR/apiserver.pid")" 2>/dev/null; then
    log "already up"; echo "$STATE_DIR/kubeconfig"; return
  fi
  rm -rf "$STATE_DIR"; mkdir -p "$STATE_DIR/pki" "$STATE_DIR/etcd"
  local pki="$STATE_DIR/pki"
  log "certificates"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ghosthunt-test-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:%s,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' \
    "$KUBERNETES_SERVICE_IP" > "$pki/san.ext"
  openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/san.ext" -out "$pki/server.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=ghosthunt-admin" -keyout "$pki/admin.key" -out "$pki/admin.csr" 2>/dev/null
  openssl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 -out "$pki/admin.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null

  local etcd_port peer_port api_port
  etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)
  log "etcd on 127.0.0.1:$etcd_port"
  local etcd_cmd=("$BIN_DIR/etcd" --data-dir "$STATE_DIR/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port"
    --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$peer_port"
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" --initial-cluster "default=http://127.0.0.1:$peer_port"
    --unsafe-no-fsync)
  start_part etcd "${etcd_cmd[@]}"
  # RBAC and the ServiceAccount admission plugin on, as in every real cluster: a pod gets its
  # projected token, the cluster CA and its namespace mounted from its service account.
  log "kube-apiserver on https://127.0.0.1:$api_port (RBAC, ServiceAccount admission)"
  local api_cmd=("$BIN_DIR/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" --bind-address 127.0.0.1
    --secure-port "$api_port" --cert-dir "$pki" --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key"
    --client-ca-file "$pki/ca.crt" --authorization-mode RBAC --service-account-key-file "$pki/sa.pub"
    --service-account-signing-key-file "$pki/sa.key" --service-account-issuer https://kubernetes.default.svc
    --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true --advertise-address "$ADVERTISE_IP")
  start_part apiserver "${api_cmd[@]}"
  cat > "$STATE_DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: ghosthunt-test
  cluster: {server: "https://127.0.0.1:$api_port", certificate-authority: "$pki/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$pki/admin.crt", client-key: "$pki/admin.key"}
contexts:
- name: ghosthunt-test
  context: {cluster: ghosthunt-test, user: admin, namespace: default}
current-context: ghosthunt-test
KC
  await_ready
  # GHOSTHUNT_CONTROLLERS=0: the API server alone, for the scale benchmark, whose simulated nodes
  # have no kubelet to post their status (a controller-manager would rightly mark them Unknown).
  [ "${GHOSTHUNT_CONTROLLERS:-1}" = 0 ] || start_controllers "$pki"
  log "ready"
  echo "$STATE_DIR/kubeconfig"
}

# Starts one part (etcd, apiserver) in the background and keeps its command line, so that
# `restart` starts the very same process again (same ports, same data).
start_part() {
  local name=$1; shift
  printf '%q ' "$@" > "$STATE_DIR/$name.cmd"
  "$@" >>"$STATE_DIR/$name.log" 2>&1 &
  echo $! > "$STATE_DIR/$name.pid"
}

await_ready() {
  log "waiting for /readyz"
  local deadline=$((SECONDS + 120))
  until "$BIN_DIR/kubectl" --kubeconfig "$STATE_DIR/kubeconfig" get --raw /readyz >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$STATE_DIR/apiserver.pid")" 2>/dev/null; then log "kube-apiserver exited:"; tail -20 "$STATE_DIR/apiserver.log" >&2; exit 1; fi
    [ $SECONDS -lt $deadline ] || { log "not ready after 120 s: $STATE_DIR/apiserver.log"; exit 1; }
    sleep 0.5
  done
}

# A fault for tests: stops etcd or the API server (SIGTERM, then SIGKILL after 10 s) and starts the
# same process again, then waits until the API server is ready.
cmd_restart() {
  local name=${1:-}
  case "$name" in etcd|apiserver) ;; *) echo "usage: $0 restart etcd|apiserver" >&2; exit 2 ;; esac
  [ -f "$STATE_DIR/$name.cmd" ] || { log "$name is not up"; exit 1; }
  local pid; pid=$(cat "$STATE_DIR/$name.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  log "$name stopped; starting it again"
  eval "$(cat "$STATE_DIR/$name.cmd")" '>>"$STATE_DIR/$name.log" 2>&1 &'
  echo $! > "$STATE_DIR/$name.pid"
  await_ready
  log "$name restarted"
}

# kube-controller-manager (Deployments and ReplicaSets, garbage collection of owned objects, service
# account tokens and kube-root-ca.crt in every namespace, node lifecycle, EndpointSlices) and
# kube-scheduler, as every cluster runs them. Neither serves HTTPS (--secure-port 0): nothing here
# scrapes them, and two test clusters on one machine must not collide on their ports. The
# controller-manager's flexvolume folder is in the state folder: its default, under /usr/libexec,
# would be made on the machine and outlive the cluster.
start_controllers() {
  local pki=$1 kc="$STATE_DIR/kubeconfig"
  log "kube-controller-manager and kube-scheduler"
  "$BIN_DIR/kube-controller-manager" --kubeconfig "$kc" --secure-port 0 --leader-elect=false \
    --use-service-account-credentials=true --service-account-private-key-file "$pki/sa.key" \
    --root-ca-file "$pki/ca.crt" --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --cluster-name ghosthunt-test \
    --flex-volume-plugin-dir "$STATE_DIR/volume-plugins" \
    >"$STATE_DIR/controller-manager.log" 2>&1 &
  echo $! > "$STATE_DIR/controller-manager.pid"
  "$BIN_DIR/kube-scheduler" --kubeconfig "$kc" --secure-port 0 --leader-elect=false \
    >"$STATE_DIR/scheduler.log" 2>&1 &
  echo $! > "$STATE_DIR/scheduler.pid"
  # The controllers are working once the root CA is published into a namespace and its default
  # service account exists: what every pod needs before it can start.
  local deadline=$((SECONDS + 120))
  until "$BIN_DIR/kubectl" --kubeconfig "$kc" -n default get configmap/kube-root-ca.crt serviceaccount/default >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$STATE_DIR/controller-manager.pid")" 2>/dev/null; then
      log "kube-controller-manager exited:"; tail -20 "$STATE_DIR/controller-manager.log" >&2; exit 1
    fi
    if ! kill -0 "$(cat "$STATE_DIR/scheduler.pid")" 2>/dev/null; then
      log "kube-scheduler exited:"; tail -20 "$STATE_DIR/scheduler.log" >&2; exit 1
    fi
    [ $SECONDS -lt $deadline ] || { log "controllers not working after 120 s: $STATE_DIR/controller-manager.log"; exit 1; }
    sleep 0.5
  done
}

cmd_down() {
  local parts="scheduler controller-manager apiserver etcd"
  for p in $parts; do
    if [ -f "$STATE_DIR/$p.pid" ]; then kill "$(cat "$STATE_DIR/$p.pid")" 2>/dev/null || true; fi
  done
  for p in $parts; do
    if [ -f "$STATE_DIR/$p.pid" ]; then
      local pid; pid=$(cat "$STATE_DIR/$p.pid")
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  # A half-run `up` that was killed may leave a child writing into the folder for a moment.
  for _ in $(seq 20); do rm -rf "$STATE_DIR" 2>/dev/null; [ -e "$STATE_DIR" ] || break; sleep 0.1; done
  log "down"
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  restart) cmd_restart "${2:-}" ;;
  *) echo "usage: $0 build|up|down|restart etcd|apiserver" >&2; exit 2 ;;
esac
