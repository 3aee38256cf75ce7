#!/usr/bin/env bash
# Builds the offline base of faultline's images: a jlink'ed Java runtime from the build JDK plus
# the glibc/libstdc++ libraries it links against (copied from this machine), /etc/passwd with the
# non-root user 65532, and an empty /tmp. Jib adds it to a `scratch` base as an extra directory,
# so no registry is needed to build the images.
#   usage: base-rootfs.sh JAVA_HOME OUT_DIR
# Idempotent: does nothing when OUT_DIR/.complete exists (delete OUT_DIR to rebuild).
set -euo pipefail

java_home=${1:?usage: base-rootfs.sh JAVA_HOME OUT_DIR}
out=${2:?usage: base-rootfs.sh JAVA_HOME OUT_DIR}
[ -f "$out/.complete" ] && exit 0

jlink="$java_home/bin/jlink"
[ -x "$jlink" ] || jlink="$(dirname "$java_home")/bin/jlink"   # java.home may be a JRE dir
if [ ! -x "$jlink" ] || [ ! -d "$(dirname "$(dirname "$jlink")")/jmods" ]; then
  echo "base-rootfs.sh: no jlink with jmods under $java_home; install the JDK's jmods (Debian: openjdk-17-jmods)" >&2
  echo "  or build from a registry base instead: -Djib.from.image=eclipse-temurin:17-jre -Dfaultline.image.java=/opt/java/openjdk/bin/java" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/home/nonroot"
# What Kafka clients, Kafka Streams, fabric8 (JDK HTTP client), the AWS SDK, Jackson, logback and
# Scale's JDK HttpServer and JDBC need; jdk.crypto.ec for TLS, jdk.security.auth/jgss for SASL.
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.localedata,jdk.management,jdk.management.jfr,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.security.jgss,jdk.unsupported,jdk.zipfs
"$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$out/opt/java"

# The shared libraries the runtime loads, with their loader, at the paths they were linked for.
libs=$( { ldd "$out/opt/java/bin/java"; find "$out/opt/java/lib" -name '*.so' ! -name 'libawt_xawt.so' ! -name 'libsplashscreen.so' ! -name 'libjawt.so' -exec ldd {} \; ; } 2>/dev/null \
  | grep -o '/[^ ]*\.so[^ ]*' | sort -u)
# The rest of glibc: native code inside the applications' jars (RocksDB for Kafka Streams,
# zstd, snappy, lz4) links libpthread, libdl and librt, and glibc loads libnss_* by name for DNS
# and user lookups. ImageTarballTest checks every x86-64 native library in the jars resolves.
multiarch=/lib/x86_64-linux-gnu
extra=$(ls $multiarch/libpthread.so.* $multiarch/libdl.so.* $multiarch/librt.so.* \
  $multiarch/libutil.so.* $multiarch/libanl.so.* $multiarch/libnss_dns.so.* \
  $multiarch/libnss_files.so.* $multiarch/libresolv.so.* 2>/dev/null || true)
for lib in $libs $extra; do
  case "$lib" in "$out"/*) continue ;; esac
  [ -e "$lib" ] || continue
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done

cat > "$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat > "$out/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
touch "$out/.complete"
echo "base-rootfs.sh: $(du -sh "$out" | cut -f1) in $out"
