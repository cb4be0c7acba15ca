#!/usr/bin/env bash
# Installs what the build and the tests need, from Debian's packages, only when missing.
# Java 17, Maven and Go come with the machine image; the rest are the tools the checks and labs use.
set -euo pipefail

need=()
cleanup=()
trap 'rm -rf "${cleanup[@]}"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }
have java || need+=(openjdk-17-jdk-headless)
have mvn || need+=(maven)
have go || need+=(golang-go)
have ip || need+=(iproute2)
have nft || need+=(nftables)
have iptables || need+=(iptables)
have conntrack || need+=(conntrack)
have ps || need+=(procps)
have python3 || need+=(python3)
have openssl || need+=(openssl)
# The labs' daemons and the tools the benchmarks compare against.
have unbound || need+=(unbound)
have dig || need+=(dnsutils)
have nginx || need+=(nginx-light)
have curl || need+=(curl)
have ping || need+=(iputils-ping)
have arping || need+=(arping)
have dhcpd || need+=(isc-dhcp-server)
# Real lab nodes: the container runtime (the kubelet is built from source), its CNI plugins, the
# Debian root filesystems for the images, and a C compiler for the pause binary.
have containerd || need+=(containerd)
have runc || need+=(runc)
[ -x /usr/lib/cni/loopback ] || need+=(containernetworking-plugins)
have mmdebstrap || need+=(mmdebstrap)
have gcc || need+=(gcc)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
have unshare || need+=(util-linux)
have nsenter || need+=(util-linux)
[ -e /usr/lib/x86_64-linux-gnu/libpcap.so.0.8 ] || [ -n "$(ldconfig -p 2>/dev/null | grep libpcap.so)" ] || need+=(libpcap0.8)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "[deps] missing: ${need[*]} (run as root, or install them)" >&2
    exit 2
  fi
  echo "[deps] installing: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The labs start unbound, nginx, dhcpd and containerd inside their own namespaces; the packages
  # must not start them on this machine (a resolver on :53, a DHCP server on the real network).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    cleanup+=(/usr/sbin/policy-rc.d)
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $(printf "%s\n" "${need[@]}" | sort -u) >/dev/null
fi

# A lab node as most managed clusters run them resolves through systemd-resolved. Its package is
# unpacked into a cache, never installed: installing it would take over this machine's own
# /etc/resolv.conf. It must match the machine's libsystemd-shared, which it links against.
resolved_dir=${GHOSTHUNT_RESOLVED:-$HOME/.cache/ghosthunt/systemd-resolved}
shared=$(dpkg-query -W -f='${Version}' libsystemd-shared 2>/dev/null || true)
if [ -z "$shared" ]; then
  echo "[deps] libsystemd-shared is not installed (it comes with systemd): the systemd-resolved lab node needs it" >&2
  exit 2
fi
if [ "$(cat "$resolved_dir/version" 2>/dev/null)" != "$shared" ]; then
  echo "[deps] unpacking systemd-resolved $shared into $resolved_dir" >&2
  work=$(mktemp -d)
  cleanup+=("$work")
  # apt-get download drops its privileges to _apt, which must be able to write there.
  chmod 755 "$work"
  if ! (cd "$work" && apt-get download -qq "systemd-resolved=$shared" 2>/dev/null); then
    apt-get update -qq >/dev/null
    (cd "$work" && apt-get download -qq "systemd-resolved=$shared")
  fi
  rm -rf "$resolved_dir.new"
  dpkg-deb -x "$work"/systemd-resolved_*.deb "$resolved_dir.new"
  echo "$shared" > "$resolved_dir.new/version"
  rm -rf "$resolved_dir"
  mv "$resolved_dir.new" "$resolved_dir"
fi
echo "[deps] ok" >&2
