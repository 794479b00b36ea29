#!/bin/sh
# Builds RSPLIB's handlespace library (librsphsmgt with the static helper libraries it needs) and
# our harness bench/rsplib/harness.c, the way bench-reference.md measured it: static archives of
# non-PIC objects, exactly -O2 (no -g, no -march, no LTO), with the preprocessor definitions
# RSPLIB's CMake adds on Linux. Only the two tree macros change the handlespace code; the others
# are listed so that every object is compiled as in the reference build.
#
#   bench/rsplib/build.sh <rsplib-source-dir> <out-dir> [--cc gcc] [--cflags "-O2"]
#
# <rsplib-source-dir> is a checkout or `git archive` export of dreibh/rsplib (the directory that
# holds src/); nothing is written there. <out-dir> receives obj/, lib/*.a and the harness binary
# <out-dir>/harness. Needs gcc and libsctp-dev (netinet/sctp.h, because RSPLIB's headers include
# it when HAVE_NETINET_SCTP_H is set; the handlespace code makes no SCTP call). --cflags replaces
# -O2 for sensitivity runs (for example "-O3 -DNDEBUG"); the reference figures are -O2.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 <rsplib-source-dir> <out-dir> [--cc gcc] [--cflags \"-O2\"]" >&2
  exit 2
fi
SRC=$(cd "$1/src" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
shift 2
CC=gcc
OPT="-O2"
while [ $# -gt 0 ]; do
  case "$1" in
    --cc) CC=$2; shift 2 ;;
    --cflags) OPT=$2; shift 2 ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)

for h in "$SRC/poolhandlespacemanagement.h" "$SRC/simpleredblacktree.c" "$SRC/randomizer.c"; do
  [ -f "$h" ] || { echo "$0: $h not found: is $SRC RSPLIB's src directory?" >&2; exit 1; }
done
[ -f /usr/include/netinet/sctp.h ] ||
  { echo "$0: /usr/include/netinet/sctp.h missing: apt-get install -y libsctp-dev" >&2; exit 1; }

# RSPLIB's CMakeLists.txt: ADD_DEFINITIONS on Linux with kernel SCTP, CSP and registrar
# statistics on (their defaults), handlespace verification (VERIFY) off.
DEFS="-DENABLE_CSP -DENABLE_REGISTRAR_STATISTICS -DHAVE_IEEE_FP -DHAVE_KERNEL_SCTP \
-DHAVE_NETINET_SCTP_H -DHAVE_SCTP -DHAVE_SCTP_DELAYED_SACK -DHAVE_VALGRIND_MEMCHECK_H \
-DINCLUDE_SIMPLEREDBLACKTREE -DUSE_SIMPLEREDBLACKTREE -DMAX_LOGLEVEL=9 \
-D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE=1"

# The libraries as src/CMakeLists.txt groups them (the handlespace library and the helpers its
# objects reference); `library:sources`.
LIBS="rsphsmgt:rserpoolerror.c,poolhandlespacechecksum.c,poolhandle.c,poolhandlespacemanagement-basics.c,poolhandlespacemanagement.c,poolpolicysettings.c,timestamphashtable.c,transportaddressblock.c
tdstorage:doublelinkedringlist.c,leaflinkedredblacktree.c,simpleredblacktree.c
tdnetutilities:messagebuffer.c,netutilities.c,netdouble.c
tdrandomizer:randomizer.c
tdstringutilities:stringutilities.c
tdtimeutilities:timeutilities.c
tdloglevel:loglevel.c
tdthreadsafety:threadsafety.c,threadsignal.c"

mkdir -p "$OUT/obj" "$OUT/lib"
for entry in $LIBS; do
  lib=${entry%%:*}
  objs=""
  for c in $(echo "${entry#*:}" | tr ',' ' '); do
    o="$OUT/obj/${c%.c}.o"
    # shellcheck disable=SC2086
    # -w: RSPLIB's own warnings are not ours to fix (it does not change the generated code).
    $CC $OPT $DEFS -w -I"$SRC" -c "$SRC/$c" -o "$o"
    objs="$objs $o"
  done
  rm -f "$OUT/lib/lib$lib.a"
  # shellcheck disable=SC2086
  ar rcs "$OUT/lib/lib$lib.a" $objs
done

# The harness: same flags, linked against the archives (dependency order) and libsctp.
# shellcheck disable=SC2086
$CC $OPT $DEFS -DHARNESS_BUILD="\"gcc $($CC -dumpfullversion) $OPT static\"" -Wall -Wextra \
  -I"$SRC" "$HERE/harness.c" -o "$OUT/harness" \
  -L"$OUT/lib" -lrsphsmgt -ltdstorage -ltdnetutilities -ltdrandomizer -ltdstringutilities \
  -ltdtimeutilities -ltdloglevel -ltdthreadsafety -lsctp -lpthread -lm
echo "$OUT/harness"
