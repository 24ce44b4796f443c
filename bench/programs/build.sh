#!/usr/bin/env bash
# Builds the real-programs benchmark from Debian's source packages: <program>.wasm (wasm32-wasi, committed)
# and, with --native, native binaries into bench/programs/target/ (built at bench time, not committed).
# Native and wasm are built by the same clang-19 from the same sources with the same flags.
#
#   bench/programs/build.sh [--native|--native-only] [PROGRAM...]     # default: sqlite lua pcre2 zstd
#
# The upstream sources (the .orig tarballs of Debian 12's packages) are downloaded from a Debian mirror
# (DEBIAN_MIRROR, default http://deb.debian.org/debian) into bench/programs/src/ (git-ignored), checked
# against the SHA-256 below (the tarballs apt-get source fetches; their MD5s are in Debian's Sources index),
# and unpacked there. The SQLite amalgamation is generated from its source tree, which needs tclsh.
# Needs clang-19, lld-19, wasi-libc and libclang-rt-19-dev-wasm32 (Debian packages), curl, tar, xz.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
SRC=$HERE/src
CC=${CC:-clang-19}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PROGRAMS_ALL="sqlite lua pcre2 zstd"

native=0 wasm=1 programs=""
for a in "$@"; do
  case $a in
    --native) native=1 ;;
    --native-only) native=1 wasm=0 ;;
    -*) echo "usage: build.sh [--native|--native-only] [PROGRAM...]" >&2; exit 2 ;;
    *) programs="$programs $a" ;;
  esac
done
programs=${programs:-$PROGRAMS_ALL}
if ! command -v "$CC" >/dev/null; then
  echo "build.sh: $CC not found (apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32)" >&2
  exit 1
fi

# fetch POOL_PATH SHA256 DIR: downloads and unpacks one orig tarball into $SRC/DIR (once).
fetch() {
  local path=$1 sha=$2 dir=$3 file
  file=$SRC/$(basename "$path")
  [ -d "$SRC/$dir" ] && return 0
  mkdir -p "$SRC"
  if [ ! -f "$file" ]; then
    echo "fetching $MIRROR/pool/main/$path" >&2
    curl -fsSL --retry 3 -o "$file.part" "$MIRROR/pool/main/$path"
    mv "$file.part" "$file"
  fi
  if ! echo "$sha  $file" | sha256sum -c --quiet -; then
    echo "build.sh: $file does not have the expected SHA-256; removed" >&2
    rm -f "$file"
    exit 1
  fi
  tar -xf "$file" -C "$SRC"
  [ -d "$SRC/$dir" ] || { echo "build.sh: $file did not unpack to $dir" >&2; exit 1; }
}

COMMON="-O2 -ffp-contract=off"
# -mbulk-memory: memcpy/memmove/memset become wasm's memory.copy/memory.fill (WebAssembly 2.0; clang 20 and later
# enable it by default, clang-19 does not) instead of byte loops in wasm, as a current toolchain builds these programs.
WASM="--target=wasm32-wasi -mbulk-memory -Wl,--strip-debug"
OUT=$HERE/target
mkdir -p "$OUT"

# compile NAME "SOURCES" "FLAGS" "WASM_ONLY_FLAGS" "NATIVE_ONLY_FLAGS": builds $NAME.wasm and/or target/$NAME.
# A native binary newer than this script and the program's own files is kept (SQLite takes a minute to build).
compile() {
  local name=$1 srcs=$2 flags=$3 wflags=$4 nflags=$5
  # shellcheck disable=SC2086
  if [ $wasm = 1 ]; then
    "$CC" $WASM $COMMON $flags $wflags -o "$HERE/$name.wasm" "$HERE/$name.c" $srcs
  fi
  if [ $native = 1 ] && { [ ! -x "$OUT/$name" ] ||
       [ -n "$(find "$HERE/build.sh" "$HERE/$name"*.[ch] "$HERE/$name"*.lua ../compute/harness.h -newer "$OUT/$name" 2>/dev/null)" ]; }; then
    # shellcheck disable=SC2086
    "$CC" $COMMON $flags $nflags -o "$OUT/$name" "$HERE/$name.c" $srcs -lm
  fi
}

build_sqlite() {
  fetch s/sqlite3/sqlite3_3.40.1.orig.tar.xz aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655 sqlite3-3.40.1
  local bld=$SRC/sqlite3-3.40.1/bld
  if [ ! -f "$bld/sqlite3.c" ]; then
    command -v tclsh >/dev/null || { echo "build.sh: the SQLite amalgamation needs tclsh (apt-get install tcl)" >&2; exit 1; }
    mkdir -p "$bld"
    (cd "$bld" && CC=$CC ../configure --disable-tcl >/dev/null && make sqlite3.c >/dev/null)
  fi
  # No files, no threads, no extension loading: the driver supplies an in-memory VFS (SQLITE_OS_OTHER).
  compile sqlite "$bld/sqlite3.c" "-I$bld -DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION \
    -DSQLITE_OMIT_WAL -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_DEPRECATED" "" ""
}

build_lua() {
  fetch l/lua5.4/lua5.4_5.4.4.orig.tar.gz 164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61 lua-5.4.4
  local l=$SRC/lua-5.4.4/src srcs="" f
  for f in lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser lstate lstring ltable ltm \
           lundump lvm lzio lauxlib lbaselib ltablib lstrlib lmathlib lutf8lib; do
    srcs="$srcs $l/$f.c"
  done
  # The workload script, embedded as a byte array.
  { echo "static const unsigned char lua_workload[] = {"
    od -An -tx1 -v "$HERE/lua-workload.lua" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo "};"; } >"$OUT/lua-workload.h"
  # wasi-include/setjmp.h: ldo.c includes <setjmp.h>, which wasi-libc lacks; lua-wasi.h replaces its use.
  # _WASI_EMULATED_SIGNAL: lstate.h needs sig_atomic_t from <signal.h> (no signal function is called).
  compile lua "$srcs" "-I$l -I$OUT -include $HERE/lua-wasi.h" "-isystem $HERE/wasi-include -D_WASI_EMULATED_SIGNAL" ""
}

build_pcre2() {
  fetch p/pcre2/pcre2_10.42.orig.tar.gz c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f pcre2-10.42
  local p=$SRC/pcre2-10.42/src inc=$OUT/pcre2-include srcs f
  mkdir -p "$inc"
  cp "$p/config.h.generic" "$inc/config.h"
  cp "$p/pcre2.h.generic" "$inc/pcre2.h"
  cp "$p/pcre2_chartables.c.dist" "$inc/pcre2_chartables.c"
  srcs="$inc/pcre2_chartables.c"
  for f in auto_possess compile config context convert dfa_match error extuni find_bracket maketables match \
           match_data newline ord2utf pattern_info script_run serialize string_utils study substitute substring \
           tables ucd valid_utf xclass; do
    srcs="$srcs $p/pcre2_$f.c"
  done
  compile pcre2 "$srcs" "-DHAVE_CONFIG_H -DPCRE2_CODE_UNIT_WIDTH=8 -DPCRE2_STATIC -DSUPPORT_UNICODE -I$inc -I$p" "" ""
}

build_zstd() {
  fetch libz/libzstd/libzstd_1.5.4+dfsg2.orig.tar.xz 8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953 zstd-1.5.4
  local z=$SRC/zstd-1.5.4/lib
  # ZSTD_DISABLE_ASM: the x86-64 assembly Huffman decoder is not C (and would not be the same program on wasm).
  compile zstd "$(echo "$z"/common/*.c "$z"/compress/*.c "$z"/decompress/*.c)" "-DZSTD_DISABLE_ASM -I$z -I$z/common" "" ""
}

for p in $programs; do
  case " $PROGRAMS_ALL " in *" $p "*) ;; *) echo "build.sh: unknown program $p (known: $PROGRAMS_ALL)" >&2; exit 2 ;; esac
  "build_$p"
done
echo "built: $programs ($([ $wasm = 1 ] && echo wasm) $([ $native = 1 ] && echo native))"
