#!/usr/bin/env python3
"""Makes the media corpus that `mediaup check` and its tests read: one small real file per rule.

Needs `pip install imageio-ffmpeg Pillow` (a static ffmpeg with x264, x265, AAC, Opus, Vorbis,
MP3 and AMR-NB). The files are committed, so the tests need neither. Run from anywhere:
    python3 Tests/Fixtures/media/make.py
It rewrites the files in this folder and VERSIONS.txt with the tool versions it used.
"""
import os
import subprocess
import sys

import imageio_ffmpeg
import PIL
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

VIDEO_IN = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.5"]
AUDIO_IN = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=0.5"]
STEREO_IN = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=0.5", "-ac", "2"]
# Same bytes on every run of the same ffmpeg: no encoder version strings or dates.
QUIET = ["-hide_banner", "-loglevel", "error", "-y"]
BITEXACT = ["-fflags", "+bitexact", "-map_metadata", "-1"]
H264_MAIN = ["-c:v", "libx264", "-profile:v", "main", "-bf", "0", "-pix_fmt", "yuv420p", "-x264-params", "log-level=none"]
AAC = ["-c:a", "aac", "-b:a", "24k"]


def ffmpeg(name, *args):
    subprocess.run([FFMPEG, *QUIET, *args, *BITEXACT, os.path.join(HERE, name)], check=True)


def videos():
    ffmpeg("video-h264-main-aac.mp4", *VIDEO_IN, *AUDIO_IN, *H264_MAIN, *AAC, "-movflags", "+faststart")
    ffmpeg("video-h264-high.mp4", *VIDEO_IN, "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
           "-x264-params", "log-level=none", "-movflags", "+faststart")
    ffmpeg("video-h264-no-faststart.mp4", *VIDEO_IN, *AUDIO_IN, *H264_MAIN, *AAC)
    ffmpeg("video-hevc.mp4", *VIDEO_IN, "-c:v", "libx265", "-tag:v", "hvc1", "-x265-params", "log-level=none",
           "-movflags", "+faststart")
    ffmpeg("video-mpeg4-part2.mp4", *VIDEO_IN, "-c:v", "mpeg4", "-movflags", "+faststart")
    ffmpeg("video-h264-mp3.mp4", *VIDEO_IN, *AUDIO_IN, *H264_MAIN, "-c:a", "libmp3lame", "-b:a", "32k",
           "-movflags", "+faststart")
    ffmpeg("video-h264-two-aac.mp4", *VIDEO_IN, *AUDIO_IN, "-map", "0:v", "-map", "1:a", "-map", "1:a",
           *H264_MAIN, *AAC, "-movflags", "+faststart")
    ffmpeg("video.3gp", *VIDEO_IN, *AUDIO_IN, *H264_MAIN, *AAC, "-movflags", "+faststart")


def audios():
    ffmpeg("audio.m4a", *AUDIO_IN, *AAC, "-movflags", "+faststart")
    ffmpeg("audio.aac", *AUDIO_IN, *AAC, "-f", "adts")
    ffmpeg("audio.mp3", *AUDIO_IN, "-c:a", "libmp3lame", "-b:a", "32k")
    ffmpeg("audio-opus-mono.ogg", *AUDIO_IN, "-c:a", "libopus", "-b:a", "16k", "-ac", "1")
    ffmpeg("audio-opus-stereo.ogg", *STEREO_IN, "-c:a", "libopus", "-b:a", "24k")
    ffmpeg("audio-vorbis.ogg", *AUDIO_IN, "-c:a", "libvorbis", "-q:a", "0")
    ffmpeg("audio.amr", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=0.5",
           "-c:a", "libopencore_amrnb", "-ar", "8000", "-ac", "1", "-b:a", "12.2k")


def picture(mode, size=(32, 24)):
    image = Image.new("RGB", size, (200, 40, 40))
    ImageDraw.Draw(image).rectangle([4, 4, size[0] // 2, size[1] // 2], fill=(20, 160, 60))
    return image.convert(mode)


def images():
    picture("RGB").save(os.path.join(HERE, "image-rgb.png"))
    picture("RGBA").save(os.path.join(HERE, "image-rgba.png"))
    picture("I;16").save(os.path.join(HERE, "image-16bit.png"))
    picture("P").save(os.path.join(HERE, "image-palette.png"))
    picture("L").save(os.path.join(HERE, "image-gray.png"))
    picture("RGB").save(os.path.join(HERE, "image-rgb.jpg"), quality=80)
    picture("L").save(os.path.join(HERE, "image-gray.jpg"), quality=80)
    picture("CMYK").save(os.path.join(HERE, "image-cmyk.jpg"), quality=80)


def stickers():
    picture("RGBA", (512, 512)).save(os.path.join(HERE, "sticker-512.webp"), quality=50)
    picture("RGBA", (300, 300)).save(os.path.join(HERE, "sticker-300.webp"), quality=50)
    frames = [picture("RGBA", (512, 512)), picture("RGBA", (512, 512)).rotate(90)]
    frames[0].save(os.path.join(HERE, "sticker-animated-512.webp"), save_all=True, append_images=frames[1:],
                   duration=200, loop=0, quality=40)


def main():
    videos()
    audios()
    images()
    stickers()
    version = subprocess.run([FFMPEG, "-version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    with open(os.path.join(HERE, "VERSIONS.txt"), "w") as out:
        out.write(f"Made by make.py with:\n{version}\nimageio-ffmpeg {imageio_ffmpeg.__version__}\n"
                  f"Pillow {PIL.__version__}\nPython {sys.version.split()[0]}\n")
    for name in sorted(os.listdir(HERE)):
        if name not in ("make.py", "VERSIONS.txt"):
            print(f"{os.path.getsize(os.path.join(HERE, name)):8d}  {name}")


if __name__ == "__main__":
    main()
