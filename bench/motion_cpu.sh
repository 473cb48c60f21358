#!/usr/bin/env bash
# bench/motion_cpu.sh — CPU cost of motion analysis per sub stream:
# wardwatch's decoder + detector (skip non-reference frames, no loop filter,
# one thread, Y plane straight to a cell grid) against the obvious
# alternative, one `ffmpeg -vf fps=5,scale=320:180,format=gray` per stream.
#
# Each side runs N streams for S seconds, paced in real time like cameras,
# and reports CPU time / wall time / N as "% of one core per stream".
#
# Streams, first that applies:
#   - RTSP URLs in $MOTION_BENCH_URLS (space-separated);
#   - the simulated cameras' sub streams (rtsp://…/camK/sub, 640x360 10 fps)
#     when the camsim binary is built and scripts/gen-media can make its
#     media; camsim is started here and stopped at the end;
#   - else a 640x360 10 fps H.264 file looped in real time (ffmpeg -re), made
#     from the motion test clips (MOTION_BENCH_SOURCE=file forces this).
# Both sides read the same streams (RTSP over TCP).
#
# Our side is bench/motion_scan.c (ww-bench-motion, built with the program).
#
# Environment: MOTION_BENCH_BIN (default build/bench/ww-bench-motion),
# WW_BUILD_DIR (default build), CAMSIM_BIN, WW_MEDIA_DIR, MOTION_BENCH_STREAMS (default 4),
# MOTION_BENCH_SECONDS (default 20), MOTION_BENCH_SOURCE (auto|camsim|file).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${WW_BUILD_DIR:-build}
BIN=${MOTION_BENCH_BIN:-$BUILD/bench/ww-bench-motion}
N=${MOTION_BENCH_STREAMS:-4}
S=${MOTION_BENCH_SECONDS:-20}
WORK=$BUILD/motion-bench
mkdir -p "$WORK"

die() { echo "motion_cpu: $*" >&2; exit 1; }
[[ -x $BIN ]] || die "no ww-bench-motion binary at $BIN (build first)"
command -v ffmpeg >/dev/null || die "ffmpeg not found"

SOURCE=${MOTION_BENCH_SOURCE:-auto}
CAMSIM=${CAMSIM_BIN:-$BUILD/tools/camsim/camsim}
MEDIA=${WW_MEDIA_DIR:-$BUILD/media}
CAMSIM_PID=
cleanup() { [[ -n $CAMSIM_PID ]] && kill "$CAMSIM_PID" 2>/dev/null && wait "$CAMSIM_PID" 2>/dev/null; true; }
trap cleanup EXIT

if [[ -n ${MOTION_BENCH_URLS:-} ]]; then
    read -r -a SRCS <<<"$MOTION_BENCH_URLS"
    N=${#SRCS[@]}
    FF_IN=(-rtsp_transport tcp)
    what="$N RTSP streams"
elif [[ $SOURCE != file && -x $CAMSIM ]] && scripts/gen-media "$MEDIA" >/dev/null; then
    log=$WORK/camsim.log
    "$CAMSIM" --media "$MEDIA" --port 0 --cameras "$N" >"$log" 2>&1 &
    CAMSIM_PID=$!
    base=
    for _ in $(seq 100); do
        base=$(grep -o 'rtsp://[0-9.]*:[0-9]*' "$log" | head -1 || true)
        [[ -n $base ]] && break
        kill -0 "$CAMSIM_PID" 2>/dev/null || die "camsim exited: $(cat "$log")"
        sleep 0.1
    done
    [[ -n $base ]] || die "camsim did not start: $(cat "$log")"
    SRCS=()
    for ((i = 1; i <= N; i++)); do SRCS+=("$base/cam$i/sub"); done
    FF_IN=(-rtsp_transport tcp)
    what="$N camsim sub streams (640x360 10 fps H.264 over RTSP/TCP)"
else
    [[ $SOURCE == camsim ]] && die "camsim not available at $CAMSIM"
    clip=$WORK/sub-640x360-10fps.mp4
    if [[ ! -s $clip ]]; then
        tests/motion/make-clips "$BUILD/motion-clips"
        # Like a camera: sensor noise, no B-frames, IDR every 2 s, ~512 kb/s.
        ffmpeg -nostdin -loglevel error -y -i "$BUILD/motion-clips/b_moving_noise.mp4" \
            -c:v libx264 -preset veryfast -bf 0 -g 20 -keyint_min 20 -sc_threshold 0 \
            -b:v 512k -maxrate 640k -bufsize 1M -pix_fmt yuv420p "$clip.tmp.mp4"
        mv "$clip.tmp.mp4" "$clip"
    fi
    SRCS=()
    for ((i = 0; i < N; i++)); do SRCS+=("$clip"); done
    FF_IN=(-re -stream_loop -1)
    what="$N x $(basename "$clip") looped in real time"
fi

echo "motion CPU bench: $what, $S s each, $(nproc) cores"

ours() { # extra args…
    local out
    out=$("$BIN" "${SRCS[@]}" --seconds "$S" --realtime "$@") ||
        die "ww-bench-motion failed"
    python3 -c 'import json,sys; print("%.2f" % json.loads(sys.argv[1])["cpu_pct_per_stream"])' "$out"
}

ffmpeg_side() { # extra input args…
    python3 - "$S" "$@" -- "${FF_IN[@]}" -- "${SRCS[@]}" <<'EOF'
import os, subprocess, sys, time
args = sys.argv[1:]
secs = args[0]
i = args.index("--")
extra = args[1:i]
j = args.index("--", i + 1)
ff_in, srcs = args[i + 1:j], args[j + 1:]
t0 = time.monotonic()
procs = [subprocess.Popen(["ffmpeg", "-nostdin", "-loglevel", "error"] + extra + ff_in +
                          ["-i", s, "-t", secs, "-vf", "fps=5,scale=320:180,format=gray",
                           "-f", "rawvideo", "-y", "/dev/null"]) for s in srcs]
cpu = 0.0
for p in procs:
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = status
    cpu += ru.ru_utime + ru.ru_stime
wall = time.monotonic() - t0
print("%.2f" % (100.0 * cpu / wall / len(srcs)))
EOF
}

full=$(ours)
key=$(ours --keyframes-only)
ff=$(ffmpeg_side)
ffkey=$(ffmpeg_side -skip_frame nokey)

python3 - "$full" "$key" "$ff" "$ffkey" <<'EOF'
import sys
full, key, ff, ffkey = map(float, sys.argv[1:])
r = lambda a, b: ("%.1fx" % (b / a)) if a > 0 else "-"
print("%-34s %12s" % ("", "% core/stream"))
print("%-34s %12.2f" % ("ffmpeg fps=5,scale,gray (full)", ff))
print("%-34s %12.2f" % ("ffmpeg -skip_frame nokey", ffkey))
print("%-34s %12.2f   ffmpeg/ours %s" % ("wardwatch motion, full", full, r(full, ff)))
print("%-34s %12.2f   ffmpeg/ours %s (vs ffmpeg nokey %s)" % ("wardwatch motion, keyframes only", key, r(key, ff), r(key, ffkey)))
EOF
