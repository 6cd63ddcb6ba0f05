#!/usr/bin/env python3
"""Regenerate every media file of the sample course ``sample_courses/karmayogi-prarambh``.

Usage (from the repository root)::

    .venv/bin/python scripts/make_sample_media.py            # write all media
    .venv/bin/python scripts/make_sample_media.py --check    # rebuild in a temp dir, compare bytes

Needs: Pillow (with raqm, for Devanagari shaping), WeasyPrint, ffmpeg (libx264, aac, libmp3lame,
drawtext), espeak-ng, and the Debian ``fonts-noto-core`` fonts.

Outputs are deterministic: fixed sizes, fixed fonts, no timestamps (ffmpeg ``bitexact`` flags and
``-map_metadata -1``, single-threaded x264, a fixed PDF creation date). Captions (.vtt) are timed
from the actual length of each synthesised sentence, so they always match the narration.
"""

from __future__ import annotations

import argparse
import filecmp
import math
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "sample_courses" / "karmayogi-prarambh"
MEDIA = COURSE / "media"

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
SANS = FONT_DIR / "NotoSans-Regular.ttf"
SANS_BOLD = FONT_DIR / "NotoSans-Bold.ttf"
DEVA = FONT_DIR / "NotoSansDevanagari-Regular.ttf"
DEVA_BOLD = FONT_DIR / "NotoSansDevanagari-Bold.ttf"

# Palette: flat, high contrast (all text/background pairs pass WCAG AA).
NAVY = (20, 45, 84)
SAFFRON = (232, 130, 12)
SAFFRON_DARK = (184, 84, 0)  # white text on it: 4.8:1
GREEN = (19, 115, 51)
WHITE = (255, 255, 255)
INK = (33, 37, 41)
PAPER = (250, 248, 243)
GREY = (90, 98, 110)
TEAL = (14, 94, 138)

ESPEAK_VOICE = "en"  # espeak-ng has no Indian-English voice; "en" (British) is clearest
SAMPLE_RATE = 22050  # espeak-ng's native rate


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def save_png(img: Image.Image, path: Path) -> None:
    # Palette-quantised PNG: flat artwork compresses far better; no text chunks, no timestamps.
    img = img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(path, format="PNG", optimize=True)


# --------------------------------------------------------------------------------------------
# Cover / thumbnail
# --------------------------------------------------------------------------------------------


def make_cover(out: Path) -> None:
    W, H = 1200, 630
    img = Image.new("RGB", (W, H), NAVY)
    d = ImageDraw.Draw(img)
    # Tricolour-inspired flat stripes on the left, a large soft circle as the "rising sun" (prarambh).
    d.rectangle([0, 0, 24, H], fill=SAFFRON)
    d.rectangle([24, 0, 36, H], fill=WHITE)
    d.rectangle([36, 0, 48, H], fill=GREEN)
    d.ellipse([820, 250, 1320, 750], fill=(30, 62, 112))
    d.ellipse([900, 330, 1240, 670], fill=(44, 80, 138))
    d.ellipse([980, 410, 1160, 590], fill=SAFFRON)
    d.rectangle([48, 560, W, H], fill=(14, 33, 62))  # horizon band hides the sun's lower half

    x = 110
    d.text((x, 92), "MISSION KARMAYOGI  ·  ORIENTATION", font=font(SANS_BOLD, 26), fill=SAFFRON)
    d.text((x, 150), "Karmayogi Prarambh", font=font(SANS_BOLD, 84), fill=WHITE)
    d.text((x, 262), "कर्मयोगी प्रारंभ", font=font(DEVA_BOLD, 60), fill=(255, 214, 153))
    d.text((x, 372), "Conduct · Integrity · Citizen-centric service", font=font(SANS, 34), fill=WHITE)
    d.text((x, 420), "The 70-20-10 way of learning · iGOT Karmayogi", font=font(SANS, 34), fill=WHITE)
    d.text(
        (x, 578),
        "A first course for new government appointees  ·  10 short lessons",
        font=font(SANS, 24),
        fill=(200, 212, 230),
    )
    save_png(img, out)


# --------------------------------------------------------------------------------------------
# 70-20-10 diagram
# --------------------------------------------------------------------------------------------


def make_702010(out: Path) -> None:
    W, H = 1000, 560
    img = Image.new("RGB", (W, H), PAPER)
    d = ImageDraw.Draw(img)
    d.text((40, 28), "How we learn at work: the 70-20-10 rule of thumb", font=font(SANS_BOLD, 32), fill=INK)

    parts = [
        (70, SAFFRON_DARK, "70%", "On the job", ["Real tasks, new assignments,", "solving problems at your desk"]),
        (20, TEAL, "20%", "From others", ["Mentors, senior colleagues,", "feedback, peer discussion"]),
        (10, GREEN, "10%", "Formal learning", ["Courses on iGOT Karmayogi,", "induction and classroom training"]),
    ]
    # Donut chart, starting at 12 o'clock, clockwise.
    cx, cy, r, hole = 250, 315, 190, 95
    box = [cx - r, cy - r, cx + r, cy + r]
    start = -90.0
    for pct, colour, *_ in parts:
        end = start + 360 * pct / 100
        d.pieslice(box, start, end, fill=colour, outline=PAPER, width=4)
        start = end
    d.ellipse([cx - hole, cy - hole, cx + hole, cy + hole], fill=PAPER)
    d.text((cx, cy - 14), "How you", font=font(SANS_BOLD, 24), fill=INK, anchor="mm")
    d.text((cx, cy + 16), "learn", font=font(SANS_BOLD, 24), fill=INK, anchor="mm")

    # Percent labels on the ring (mid-angle of each slice).
    start = -90.0
    for pct, _colour, label, *_ in parts:
        mid = math.radians(start + 180 * pct / 100)
        rr = (r + hole) / 2
        d.text(
            (cx + rr * math.cos(mid), cy + rr * math.sin(mid)),
            label,
            font=font(SANS_BOLD, 30 if pct > 10 else 24),
            fill=WHITE,
            anchor="mm",
        )
        start += 360 * pct / 100

    # Legend.
    y = 130
    for _pct, colour, label, title, lines in parts:
        d.rounded_rectangle([520, y, 556, y + 36], radius=6, fill=colour)
        d.text((574, y - 4), f"{label}  {title}", font=font(SANS_BOLD, 30), fill=INK)
        for i, line in enumerate(lines):
            d.text((574, y + 40 + i * 30), line, font=font(SANS, 24), fill=GREY)
        y += 135
    save_png(img, out)


# --------------------------------------------------------------------------------------------
# Grievance steps (plain SVG)
# --------------------------------------------------------------------------------------------


def make_grievance_svg(out: Path) -> None:
    steps = [
        ("1", "Receive", "and register", "#142d54"),
        ("2", "Acknowledge", "with a number", "#0e5e8a"),
        ("3", "Examine", "and act", "#137333"),
        ("4", "Reply", "and close", "#8a4b06"),
        ("5", "Learn", "and improve", "#5b2a86"),
    ]
    bw, bh, gap, x0, y0 = 136, 112, 28, 20, 60
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="840" height="260" viewBox="0 0 840 260" '
        'role="img" aria-labelledby="gs-title gs-desc">',
        '<title id="gs-title">Five steps of handling a public grievance</title>',
        '<desc id="gs-desc">Receive and register; acknowledge with a registration number; examine and act; '
        "reply and close; learn and improve. An arrow from the last step back to the first shows that "
        "lessons from closed grievances improve how new ones are handled.</desc>",
        '<rect width="840" height="260" fill="#faf8f3"/>',
        '<defs><marker id="gs-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0 0L10 5L0 10z" fill="#5a626e"/></marker></defs>',
        '<text x="420" y="36" text-anchor="middle" font-family="Noto Sans, Arial, sans-serif" '
        'font-size="20" font-weight="700" fill="#212529">Handling a grievance: five steps</text>',
    ]
    for i, (num, head, sub, colour) in enumerate(steps):
        x = x0 + i * (bw + gap)
        parts.append(f'<rect x="{x}" y="{y0}" width="{bw}" height="{bh}" rx="12" fill="{colour}"/>')
        parts.append(f'<circle cx="{x + bw // 2}" cy="{y0 + 28}" r="16" fill="#ffffff"/>')
        parts.append(
            f'<text x="{x + bw // 2}" y="{y0 + 34}" text-anchor="middle" '
            f'font-family="Noto Sans, Arial, sans-serif" font-size="17" font-weight="700" '
            f'fill="{colour}">{num}</text>'
        )
        parts.append(
            f'<text x="{x + bw // 2}" y="{y0 + 72}" text-anchor="middle" '
            f'font-family="Noto Sans, Arial, sans-serif" font-size="17" font-weight="700" '
            f'fill="#ffffff">{head}</text>'
        )
        parts.append(
            f'<text x="{x + bw // 2}" y="{y0 + 95}" text-anchor="middle" '
            f'font-family="Noto Sans, Arial, sans-serif" font-size="14" fill="#ffffff">{sub}</text>'
        )
        if i < len(steps) - 1:
            ax = x + bw + 3
            parts.append(
                f'<line x1="{ax}" y1="{y0 + bh // 2}" x2="{ax + gap - 6}" y2="{y0 + bh // 2}" '
                'stroke="#5a626e" stroke-width="3" marker-end="url(#gs-arrow)"/>'
            )
    # Feedback loop from step 5 back to step 1.
    last_cx = x0 + 4 * (bw + gap) + bw // 2
    first_cx = x0 + bw // 2
    yb = y0 + bh
    parts.append(
        f'<path d="M{last_cx} {yb + 4} V{yb + 46} H{first_cx} V{yb + 10}" fill="none" '
        'stroke="#5a626e" stroke-width="3" stroke-dasharray="8 6" marker-end="url(#gs-arrow)"/>'
    )
    parts.append(
        f'<text x="420" y="{yb + 66}" text-anchor="middle" '
        'font-family="Noto Sans, Arial, sans-serif" font-size="15" fill="#212529">'
        "What you learn from closed grievances improves the next response</text>"
    )
    parts.append("</svg>")
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Speech helpers
# --------------------------------------------------------------------------------------------


def tts(text: str, voice: str, path: Path, speed: int) -> float:
    run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text])
    with wave.open(str(path)) as w:
        assert w.getframerate() == SAMPLE_RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.getnframes() / SAMPLE_RATE


def build_track(
    segments: list[tuple[str, str]], tmp: Path, lead: float, gap: float, tail: float, name: str, speed: int = 150
) -> tuple[Path, list[tuple[float, float]], float]:
    """Synthesise each (voice, text) and join them with silences. Returns wav, cue times, total length.

    The pause after a segment is ``gap`` when the next segment has another voice, half of it otherwise."""
    frames = bytearray()
    silence = lambda sec: b"\x00\x00" * round(sec * SAMPLE_RATE)  # noqa: E731
    frames += silence(lead)
    cues: list[tuple[float, float]] = []
    for i, (voice, text) in enumerate(segments):
        seg = tmp / f"{name}-{i}.wav"
        tts(text, voice, seg, speed)
        start = len(frames) / 2 / SAMPLE_RATE
        with wave.open(str(seg)) as w:
            frames += w.readframes(w.getnframes())
        end = len(frames) / 2 / SAMPLE_RATE
        cues.append((start, end))
        if i == len(segments) - 1:
            frames += silence(tail)
        else:
            frames += silence(gap if segments[i + 1][0] != voice else gap / 2)
    out = tmp / f"{name}.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(bytes(frames))
    return out, cues, len(frames) / 2 / SAMPLE_RATE


def ts(sec: float) -> str:
    ms = round(sec * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def write_vtt(path: Path, cues: list[tuple[float, float]], texts: list[str], hold: float = 0.3) -> None:
    lines = ["WEBVTT", ""]
    for i, ((start, end), text) in enumerate(zip(cues, texts, strict=True), 1):
        nxt = cues[i][0] if i < len(cues) else end + hold
        lines += [str(i), f"{ts(start)} --> {ts(min(end + hold, nxt))}", text, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]


# --------------------------------------------------------------------------------------------
# Welcome video
# --------------------------------------------------------------------------------------------

VIDEO_LINES = [
    # (narration, card line 1, card line 2, Hindi caption)
    ("Welcome, Karmayogi.", "Welcome, Karmayogi", "Your first steps in public service", "स्वागत है, कर्मयोगी।"),
    (
        "Public service begins with integrity and courtesy.",
        "Integrity and courtesy",
        "in every decision",
        "लोक सेवा की शुरुआत सत्यनिष्ठा और शिष्टाचार से होती है।",
    ),
    (
        "Serve on time, and keep learning every day.",
        "Serve on time",
        "Keep learning every day",
        "समय पर सेवा करें, और हर दिन सीखते रहें।",
    ),
    (
        "This is Karmayogi Prarambh. Let us begin.",
        "Karmayogi Prarambh",
        "Let us begin",
        "यह है कर्मयोगी प्रारंभ। आइए, शुरू करें।",
    ),
]


def make_video(tmp: Path, out: Path) -> None:
    segs = [(ESPEAK_VOICE + "+m3", line[0]) for line in VIDEO_LINES]
    wav, cues, total = build_track(segs, tmp, lead=0.5, gap=0.4, tail=0.8, name="welcome", speed=160)

    # One title card per sentence; a card stays up until the next sentence starts.
    filters = ["drawbox=x=0:y=0:w=640:h=8:color=0xE8820C:t=fill", "drawbox=x=0:y=352:w=640:h=8:color=0x137333:t=fill"]
    for i, (line, (start, _end)) in enumerate(zip(VIDEO_LINES, cues, strict=True)):
        t0 = 0.0 if i == 0 else start
        t1 = cues[i + 1][0] if i + 1 < len(cues) else total + 1
        for j, (text, size, y, colour, fontfile) in enumerate(
            [
                (line[1], 40, 140, "white", SANS_BOLD),
                (line[2], 26, 205, "0xFFD699", SANS),
            ]
        ):
            tf = tmp / f"card-{i}-{j}.txt"
            tf.write_text(text, encoding="utf-8")
            filters.append(
                f"drawtext=fontfile={fontfile}:textfile={tf}:fontsize={size}:fontcolor={colour}"
                f":x=(w-text_w)/2:y={y}:enable='between(t,{t0:.3f},{t1:.3f})'"
            )
    run(
        [
            "ffmpeg",
            "-nostdin",
            "-y",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x142D54:s=640x360:r=25:d={total:.3f}",
            "-i",
            str(wav),
            "-vf",
            ",".join(filters),
            "-c:v",
            "libx264",
            "-preset",
            "medium",
            "-tune",
            "stillimage",
            "-crf",
            "30",
            "-pix_fmt",
            "yuv420p",
            "-profile:v",
            "main",
            "-threads",
            "1",
            "-x264-params",
            "threads=1",
            "-g",
            "125",
            "-c:a",
            "aac",
            "-b:a",
            "48k",
            "-ac",
            "1",
            "-ar",
            "44100",
            "-shortest",
            "-movflags",
            "+faststart",
            *BITEXACT,
            "-metadata:s:a:0",
            "language=eng",
            str(out),
        ]
    )
    write_vtt(out.with_suffix(".en.vtt"), cues, [line[0] for line in VIDEO_LINES])
    write_vtt(out.with_suffix(".hi.vtt"), cues, [line[3] for line in VIDEO_LINES])


# --------------------------------------------------------------------------------------------
# Audio scenario
# --------------------------------------------------------------------------------------------

AUDIO_LINES = [
    # (voice, one sentence; a caption cue each). Speaker labels go on a speaker's first cue.
    (ESPEAK_VOICE + "+m3", "[Narrator] A district office, two days before Diwali."),
    (ESPEAK_VOICE + "+m1", "[Contractor] Madam, happy Diwali!"),
    (ESPEAK_VOICE + "+m1", "A small box of sweets, and a gift voucher for your family."),
    (ESPEAK_VOICE + "+m1", "Just a token of respect."),
    (ESPEAK_VOICE + "+f3", "[Officer] Thank you for your good wishes."),
    (ESPEAK_VOICE + "+f3", "But I cannot accept the voucher, or the sweets."),
    (ESPEAK_VOICE + "+f3", "Your bill will be processed in its turn, like everyone else's."),
    (ESPEAK_VOICE + "+m3", "[Narrator] Why did she say no, politely, to both?"),
]


def make_audio(tmp: Path, out: Path) -> None:
    # Speak the sentence without its "[Speaker]" label; the label stays in the caption.
    segs = [(voice, caption.split("] ", 1)[-1]) for voice, caption in AUDIO_LINES]
    wav, cues, _total = build_track(segs, tmp, lead=0.3, gap=0.6, tail=0.5, name="gift")
    run(
        [
            "ffmpeg",
            "-nostdin",
            "-y",
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(wav),
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            "-ac",
            "1",
            "-ar",
            "22050",
            "-write_xing",
            "0",
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            *BITEXACT,
            str(out),
        ]
    )
    write_vtt(out.with_suffix(".en.vtt"), cues, [caption for _, caption in AUDIO_LINES])


# --------------------------------------------------------------------------------------------
# Attachment PDF
# --------------------------------------------------------------------------------------------

PDF_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Code of conduct at a glance</title>
<meta name="author" content="Karmayogi Studio sample course">
<meta name="dcterms.created" content="2025-01-01T00:00:00Z">
<meta name="dcterms.modified" content="2025-01-01T00:00:00Z">
<style>
@page { size: A4; margin: 16mm 16mm 18mm;
        @bottom-center { content: "Karmayogi Prarambh · sample course material · CC BY 4.0 · page " counter(page);
                         font: 8pt 'Noto Sans'; color: #5a626e; } }
body { font: 9.6pt/1.42 'Noto Sans', 'Noto Sans Devanagari', sans-serif; color: #212529; }
h1 { font-size: 19pt; margin: 0; color: #142d54; }
.sub { margin: 2pt 0 10pt; color: #5a626e; }
.band { height: 3pt; background: #ffffff; border-top: 3pt solid #e8820c; border-bottom: 3pt solid #137333;
        margin-bottom: 10pt; }
h2 { font-size: 11.5pt; color: #142d54; margin: 11pt 0 3pt; border-bottom: 1pt solid #e8820c; padding-bottom: 1pt; }
ul { margin: 2pt 0; padding-left: 14pt; } li { margin: 1.5pt 0; }
table { width: 100%; border-collapse: collapse; margin-top: 4pt; }
th, td { border: 0.6pt solid #b8bfc8; padding: 3.5pt 5pt; vertical-align: top; text-align: left; }
th { background: #142d54; color: #fff; }
td:first-child { font-weight: 700; width: 24%; }
.box { background: #fff4e5; border-left: 3pt solid #e8820c; padding: 5pt 8pt; margin-top: 10pt; }
.hi { font-family: 'Noto Sans Devanagari', 'Noto Sans', sans-serif; }
</style></head><body>
<h1>Code of conduct at a glance</h1>
<p class="sub">A one-page reminder for new government appointees · <span class="hi">आचरण: एक नज़र में</span></p>
<div class="band"></div>

<h2>The three duties behind every rule</h2>
<ul>
<li><b>Absolute integrity</b> – in money, in decisions, and in what you record on file.</li>
<li><b>Devotion to duty</b> – do your own work fully, on time, and own the result.</li>
<li><b>Nothing unbecoming of a government servant</b> – on duty and off it, in person and online.</li>
</ul>

<h2>In daily work</h2>
<table>
<tr><th>Area</th><th>Do</th><th>Don't</th></tr>
<tr><td>Political neutrality</td><td>Serve the government of the day impartially; vote privately.</td>
<td>Join a political party, campaign, or post partisan opinions online.</td></tr>
<tr><td>Gifts and hospitality</td><td>Politely decline gifts and favours from anyone who
has, or may have, official dealings with you; report permitted gifts above the notified limits.</td>
<td>Accept cash, vouchers, or favours "as a token of respect".</td></tr>
<tr><td>Conflict of interest</td><td>Declare any personal or family interest in a matter in writing and ask to
be excused.</td><td>Decide a case involving a relative, a friend, or a firm you have an interest in.</td></tr>
<tr><td>Property and money</td><td>File your property returns on time; keep borrowing and lending at arm's
length.</td><td>Take loans from, or lend to, people who deal with your office.</td></tr>
<tr><td>Information</td><td>Share information through authorised channels; follow the RTI Act.</td>
<td>Leak file notings or documents, or speak to the media without authorisation.</td></tr>
<tr><td>Courtesy</td><td>Treat every citizen with respect and without discrimination; reply on time.</td>
<td>Make people wait without reason, or ask them for "something extra".</td></tr>
</table>

<h2>Before you act, ask</h2>
<ul>
<li>Would I be comfortable if this decision, and my reason for it, appeared in tomorrow's newspaper?</li>
<li>Would I decide the same way for a stranger with no influence?</li>
<li>Is it written down on file, with the reason?</li>
</ul>

<div class="box"><b>This page summarises the spirit of the rules; it is not the rules.</b>
Central Government employees are governed by the Central Civil Services (Conduct) Rules, 1964; members of the
All India Services by the All India Services (Conduct) Rules, 1968; State employees by their State's rules.
Read the current notified text (with amendments) on the Department of Personnel and Training website,
dopt.gov.in, and ask your administration section about monetary limits and forms.</div>
</body></html>
"""


def make_pdf(out: Path) -> None:
    from weasyprint import HTML

    HTML(string=PDF_HTML).write_pdf(out, pdf_tags=True)  # tagged PDF, for screen readers


# --------------------------------------------------------------------------------------------


def build_all(dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ks-media-") as t:
        tmp = Path(t)
        make_cover(dest / "cover.png")
        make_702010(dest / "70-20-10.png")
        make_grievance_svg(dest / "grievance-steps.svg")
        make_video(tmp, dest / "welcome.mp4")
        make_audio(tmp, dest / "gift-dilemma.mp3")
        make_pdf(dest / "code-of-conduct-at-a-glance.pdf")
    return sorted(dest.iterdir())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check", action="store_true", help="rebuild into a temporary folder and report files that differ from media/"
    )
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01, for any tool that honours it
    if args.check:
        with tempfile.TemporaryDirectory(prefix="ks-media-check-") as t:
            files = build_all(Path(t))
            bad = [
                f.name
                for f in files
                if not (MEDIA / f.name).exists() or not filecmp.cmp(f, MEDIA / f.name, shallow=False)
            ]
        print("differs: " + ", ".join(bad) if bad else "all media reproduce byte for byte")
        return 1 if bad else 0
    files = build_all(MEDIA)
    total = 0
    for f in files:
        total += f.stat().st_size
        print(f"{f.stat().st_size:>9,}  {f.relative_to(ROOT)}")
    print(f"{total:>9,}  total")
    return 0


if __name__ == "__main__":
    if not shutil.which("ffmpeg") or not shutil.which("espeak-ng"):
        sys.exit("ffmpeg and espeak-ng are required")
    sys.exit(main())
