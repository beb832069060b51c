#!/usr/bin/env bash
# Makes screenshots/*.png from a real run: mediaup's TUI in tmux against a sandbox
# with a rate limit, a stall and a file that changes mid-upload.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/mediaup}
OUT=screenshots
WORK=$(mktemp -d /tmp/mediaup-shots-XXXXXX)
SOCKET="$WORK/tmux.sock"
PORT=${PORT:-8399}
COLS=140 ROWS=22
tmux_() { tmux -S "$SOCKET" "$@"; }
cleanup() { tmux_ kill-server 2>/dev/null || true; [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

mkdir -p "$WORK/campaign/clips" "$OUT"
# Real media inside, made bigger, so that WhatsApp's rules judge them as they would a user's.
python3 scripts/media-samples.py "$WORK/campaign" logo.png=image-rgb.png:240000 brochure.pdf=pdf:30000000 \
    promo.mp4=video-h264-main-aac.mp4:14000000 edit.mp4=video-h264-high.mp4:9000000 \
    teaser.mov=mov:2000000 菜单-メニュー.png=image-rgb.png:900000 > /dev/null

"$BIN" sandbox --port "$PORT" --rate 1000000 --stall-at 5000000 --stall-seconds 30 \
    --state-dir "$WORK/sandbox" > "$WORK/sandbox.log" 2>&1 &
SANDBOX_PID=$!
sleep 1

cat > "$WORK/run.sh" <<SCRIPT
#!/bin/sh
export TERM=screen-256color MEDIAUP_BASE_URL=http://127.0.0.1:$PORT D360_API_KEY=sandbox MEDIAUP_STATE_DIR=$WORK/state
exec $PWD/$BIN tui --stall-timeout 2 --sha256 "$WORK/campaign"
SCRIPT
chmod 700 "$WORK/run.sh"
tmux_ -f /dev/null new-session -d -s shots -x $COLS -y $ROWS "$WORK/run.sh"
tmux_ set -g status off

wait_for() { # text [seconds]
    for _ in $(seq 1 $((${2:-30} * 10))); do
        tmux_ capture-pane -p -t shots | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "screenshots: timed out waiting for: $1" >&2; tmux_ capture-pane -p -t shots >&2; exit 1
}
shot() { # name title
    tmux_ capture-pane -p -e -t shots > "$WORK/$1.ansi"
    python3 scripts/ansi2png.py "$WORK/$1.ansi" "$OUT/$1.png" --title "$2" --cols $COLS
    echo "screenshots: $OUT/$1.png"
}

wait_for "logo.png"
wait_for "✓" 10
# Mark four files; rest the cursor on the one WhatsApp refuses, so the details line says why.
tmux_ send-keys -t shots Down Down Space Space Down Space Space Up
wait_for "4 marked"
wait_for "teaser.mov · "
shot browser "mediaup — the file browser: marks, and what WhatsApp will do with each file"

# What is inside the High-profile video, why WhatsApp may play it badly, and the fix.
tmux_ send-keys -t shots Up Up Up i
wait_for "ffmpeg"
shot inside "mediaup — what is inside a file, and the one command that fixes it (i)"
tmux_ send-keys -t shots Escape

tmux_ send-keys -t shots u
wait_for "▶ brochure.pdf"
# Before the stall at 5 MB: all three rows moving, each with its speed and time left.
for _ in $(seq 1 100); do
    [ "$(tmux_ capture-pane -p -t shots | grep -c ' left')" -ge 3 ] && break
    sleep 0.1
done
shot uploads "mediaup — uploads in progress, with speed and ETA"

# Pause the brochure; shorten edit.mp4 under its running upload; wait for the stall at 5 MB.
tmux_ send-keys -t shots p
truncate -s 3000000 "$WORK/campaign/edit.mp4"
wait_for "paused at"
wait_for "file changed"
wait_for "stalled —" 40
shot states "mediaup — paused, stalled, file changed and done rows"

tmux_ send-keys -t shots '?'
wait_for "switch pane"
shot help "mediaup — help (?)"

tmux_ send-keys -t shots Escape G
wait_for "✔ promo.mp4" 60
tmux_ send-keys -t shots Enter
wait_for "sha256"
shot details "mediaup — details of a finished upload (Enter)"
tmux_ send-keys -t shots Escape q y
