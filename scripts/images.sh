#!/usr/bin/env bash
# The base images GhostHunt's container images are built on, the pod sandbox (pause) image and the
# lab clusters' CoreDNS image,
# with neither a registry nor a Docker daemon: root filesystems made by mmdebstrap from Debian's
# packages, exactly the packages and versions that the Dockerfiles pin, saved as docker-archive
# tarballs. Jib puts the jars on top of them (`mvn -Pimages package`); a node's containerd imports
# the results with `ctr images import`.
#
#   scripts/images.sh bases    build the missing bases into $GHOSTHUNT_IMAGES; prints that folder
#   scripts/images.sh cds BASE JAR IMAGE_JAR OUT -- JAVA_ARGS...
#                              a class data sharing archive for an image (what `mvn -Pimages package`
#                              runs before Jib): the image's own JVM, in BASE's root filesystem, with
#                              JAR at IMAGE_JAR, runs `java -XX:ArchiveClassesAtExit=OUT JAVA_ARGS`
#                              (the image's entrypoint, with its training command)
#
# Environment: GHOSTHUNT_IMAGES (default ~/.cache/ghosthunt/images), K8S_VERSION and COREDNS_VERSION
# (for the pause and coredns binaries that scripts/control-plane.sh build compiled; default: the
# parent pom's kube.version and coredns.version),
# DEBIAN_MIRROR (default deb.debian.org).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
K8S_VERSION=${K8S_VERSION:-$(sed -n 's:.*<kube.version>\(.*\)</kube.version>.*:\1:p' "$here/pom.xml" | head -1)}
[ -n "$K8S_VERSION" ] || { echo "[images] no <kube.version> in $here/pom.xml" >&2; exit 2; }
IMAGES=${GHOSTHUNT_IMAGES:-$HOME/.cache/ghosthunt/images}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org}
PAUSE_BIN=${KUBEAPITEST_DIR:-$HOME/.kubeapitest}/k8s/${K8S_VERSION}-linux-amd64/pause
COREDNS_VERSION=${COREDNS_VERSION:-$(sed -n 's:.*<coredns.version>\(.*\)</coredns.version>.*:\1:p' "$here/pom.xml" | head -1)}
[ -n "$COREDNS_VERSION" ] || { echo "[images] no <coredns.version> in $here/pom.xml" >&2; exit 2; }
COREDNS_BIN=$(dirname "$PAUSE_BIN")/coredns
# The tag the sandbox image is known by; the nodes' containerd config names the same.
PAUSE_TAG=registry.k8s.io/pause:3.10

log() { printf '[images] %s\n' "$*" >&2; }

# The "name=version" arguments of the Dockerfile's apt-get install: one list for both builds.
pinned_packages() {
  sed -n '/apt-get install/,/rm -rf/p' "$1" | grep -oE '[a-z0-9][a-z0-9.+-]*=[^ \\]+' | paste -sd, -
}

# Wraps a root filesystem tarball into a one-layer docker-archive (what `docker save` writes), the
# format both Jib's tar:// base images and `ctr images import` read.
docker_archive() {
  local rootfs=$1 tag=$2 out=$3 entrypoint=${4:-}
  python3 - "$rootfs" "$tag" "$out" "$entrypoint" <<'PY'
import hashlib, io, json, os, sys, tarfile
rootfs, tag, out, entrypoint = sys.argv[1:5]
digest = hashlib.sha256()
with open(rootfs, 'rb') as f:
    for chunk in iter(lambda: f.read(1 << 20), b''):
        digest.update(chunk)
diff_id = 'sha256:' + digest.hexdigest()
config = {
    'architecture': 'amd64', 'os': 'linux',
    'config': {'Env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']},
    'rootfs': {'type': 'layers', 'diff_ids': [diff_id]},
    'history': [{'created_by': 'ghosthunt scripts/images.sh: ' + os.path.basename(rootfs)}],
}
if entrypoint:
    config['config']['Entrypoint'] = [entrypoint]
config_bytes = json.dumps(config, sort_keys=True).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + '.json'
manifest = json.dumps([{'Config': config_name, 'RepoTags': [tag], 'Layers': ['layer.tar']}]).encode()
tmp = out + '.partial'
with tarfile.open(tmp, 'w', format=tarfile.PAX_FORMAT) as t:
    for name, data in ((config_name, config_bytes), ('manifest.json', manifest)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    t.add(rootfs, arcname='layer.tar')
os.replace(tmp, out)
PY
}

# mmdebstrap's minbase variant plus the pinned packages; docs and man pages are left out of dpkg's
# unpacking except the man folder openjdk's postinst writes into.
debian_base() {
  local name=$1 dockerfile=$2 hook=${3:-}
  local out="$IMAGES/$name.tar"
  if [ -s "$out" ]; then log "$name present"; return; fi
  local packages; packages=$(pinned_packages "$dockerfile")
  log "$name: mmdebstrap bookworm + $packages"
  local rootfs="$IMAGES/$name.rootfs.tar"
  local args=(--variant=minbase --include="$packages" --dpkgopt='path-exclude=/usr/share/doc/*'
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias')
  [ -n "$hook" ] && args+=(--customize-hook="$hook")
  mmdebstrap --quiet "${args[@]}" bookworm "$rootfs" \
    "deb $MIRROR/debian bookworm main" "deb $MIRROR/debian-security bookworm-security main" >&2
  docker_archive "$rootfs" "ghosthunt/$name:local" "$out"
  rm -f "$rootfs"
  log "$name: $(du -h "$out" | cut -f1)"
}

# An image of one static binary at /NAME, its entrypoint: BIN TAG OUT.
binary_image() {
  local bin=$1 tag=$2 out=$3 name; name=$(basename "$1")
  if [ -s "$out" ]; then log "$name present: $tag"; return; fi
  [ -x "$bin" ] || { log "no $bin: run scripts/control-plane.sh build first"; exit 2; }
  local dir; dir=$(mktemp -d)
  install -m 0755 "$bin" "$dir/$name"
  tar -C "$dir" --owner=0 --group=0 --mtime=@0 -cf "$dir/rootfs.tar" "$name"
  docker_archive "$dir/rootfs.tar" "$tag" "$out" "/$name"
  rm -rf "$dir"
  log "$name: $tag"
}

cmd_bases() {
  command -v mmdebstrap >/dev/null || { log "mmdebstrap is required (scripts/install-deps.sh installs it)"; exit 2; }
  mkdir -p "$IMAGES"
  debian_base probe-agent-base "$here/probe-agent/Dockerfile"
  # The operator runs as this user; the Dockerfile creates the same.
  debian_base operator-base "$here/operator/Dockerfile" \
    'chroot "$1" sh -c "groupadd --system --gid 65532 ghosthunt && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin ghosthunt"'
  binary_image "$PAUSE_BIN" "$PAUSE_TAG" "$IMAGES/pause.tar"
  # CoreDNS as its release image has it, under the tag kubeadm deploys. Unlike the release image
  # (user nonroot, a file capability on the binary to bind port 53) it runs as root, as pause does:
  # kubeadm's Deployment drops every capability but NET_BIND_SERVICE.
  binary_image "$COREDNS_BIN" "registry.k8s.io/coredns/coredns:v$COREDNS_VERSION" \
    "$IMAGES/coredns-v$COREDNS_VERSION.tar"
  echo "$IMAGES"
}

# An archive made by another JVM, or for a jar of another size or modification time, is ignored
# with a warning: so the base's own JVM makes it, in the base's root filesystem (unpacked once next
# to it), with the jar where the image has it and dated as Jib dates the files it adds
# (EPOCH_PLUS_SECOND). It runs in namespaces of its own: mounts, PIDs, and a network with only
# loopback, where the training's connections are refused.
cmd_cds() {
  local base=$1 jar=$2 image_jar=$3 out=$4
  shift 4
  [ "${1:-}" = "--" ] && shift
  local tar="$IMAGES/$base.tar" root="$IMAGES/$base.root"
  [ -s "$tar" ] || { log "no $tar: run scripts/images.sh bases first"; exit 2; }
  [ "$(id -u)" = 0 ] || { log "cds: run as root (the training runs in the base's root filesystem)"; exit 2; }
  if [ ! -d "$root" ] || [ "$tar" -nt "$root" ]; then
    rm -rf "$root" "$root.partial"
    mkdir -p "$root.partial"
    tar -xOf "$tar" layer.tar | tar -x -C "$root.partial"
    mv "$root.partial" "$root"
  fi
  rm -f "$out"
  mkdir -p "$(dirname "$out")"
  unshare --mount --pid --net --fork --propagation private sh -es "$root" "$jar" "$image_jar" "$out" "$@" <<'SH'
root=$1; jar=$2; image_jar=$3; out=$4; shift 4
ip link set lo up
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/tmp"
dir=$(dirname "$image_jar")
mkdir -p "$root$dir"
mount -t tmpfs tmpfs "$root$dir"
cp "$jar" "$root$image_jar"
touch -d @1 "$root$image_jar"
chroot "$root" java -XX:ArchiveClassesAtExit="$dir/training.jsa" -Xlog:cds=error "$@" >/dev/null
cp "$root$dir/training.jsa" "$out"
SH
  [ -s "$out" ] || { log "cds: no archive made for $image_jar"; exit 1; }
  log "cds: $out ($(du -h "$out" | cut -f1)) for $image_jar on $base"
}

case "${1:-}" in
  bases) cmd_bases ;;
  cds) shift; cmd_cds "$@" ;;
  *) echo "usage: $0 bases | cds BASE JAR IMAGE_JAR OUT -- JAVA_ARGS..." >&2; exit 2 ;;
esac
