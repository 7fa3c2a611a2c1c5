"""Draw the expression images of the default companion "jasmine".

Jasmine is a friendly, simple cartoon face with dark hair. Each expression is one
256x256 PNG named ``<expression>.png``, drawn with Pillow primitives only (no fonts,
no randomness), supersampled 4x and downscaled with LANCZOS, then stored as a small
palette PNG. Running the script twice gives byte-identical files.

Run from the repository root::

    .venv/bin/python scripts/draw_expressions.py [--out DIR]

The default output folder is ``src/synthetic_soul/assets/expressions/jasmine/``.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "src" / "synthetic_soul" / "assets" / "expressions" / "jasmine"

SIZE = 256  # final image size in pixels
SS = 4  # supersampling factor
PALETTE_COLORS = 64

Color = tuple[int, int, int]
Point = tuple[float, float]

# --- palette ---------------------------------------------------------------------------------

OUTLINE: Color = (74, 48, 46)
SKIN: Color = (255, 226, 202)
SKIN_SHADE: Color = (240, 200, 176)
HAIR: Color = (46, 32, 38)
HAIR_SHINE: Color = (96, 74, 86)
IRIS: Color = (92, 54, 44)
PUPIL: Color = (40, 24, 24)
WHITE: Color = (255, 255, 255)
SHIRT: Color = (150, 118, 206)
MOUTH: Color = (150, 52, 64)
TONGUE: Color = (242, 124, 136)
BLUSH: Color = (255, 178, 182)
BLUSH_STRONG: Color = (255, 142, 156)
BLUSH_LINE: Color = (226, 96, 118)
TEAR: Color = (150, 208, 252)
TEAR_EDGE: Color = (70, 140, 214)
HEART: Color = (238, 74, 108)
HEART_EDGE: Color = (178, 40, 74)
GOLD: Color = (255, 178, 40)
INK_BLUE: Color = (104, 108, 196)
INK_PURPLE: Color = (124, 88, 204)
INK_RED: Color = (224, 50, 56)
INK_ORANGE: Color = (236, 112, 40)
INK_TEAL: Color = (64, 140, 160)
GLOOM_BLUE: Color = (140, 140, 222)
GLOOM_GREEN: Color = (124, 178, 90)

# Background families.
WARM: Color = (255, 236, 176)
PINK: Color = (255, 216, 228)
CALM: Color = (208, 236, 242)
BLUE: Color = (200, 214, 246)
RED: Color = (255, 198, 188)
GREEN: Color = (214, 236, 196)
LAVENDER: Color = (228, 214, 250)
MINT: Color = (204, 240, 218)
PEACH: Color = (255, 222, 198)
NIGHT: Color = (214, 208, 240)

# --- layout (in final 256 px coordinates) ----------------------------------------------------

CX = 128.0
EYE_Y = 142.0
EYE_DX = 24.0
BROW_Y = 118.0
MOUTH_Y = 178.0
CHEEK_Y = 165.0
CHEEK_DX = 37.0
PIVOT: Point = (128.0, 190.0)  # head rotates around the neck


@dataclass(frozen=True)
class Face:
    """Parameters of one expression. Lengths are in final-image pixels."""

    bg: Color
    eyes: tuple[str, str] = ("open", "open")  # viewer's left, viewer's right
    look: Point = (0.0, 0.0)  # gaze, each component in -1..1
    lid: float = 0.0  # upper lid closing, 0 open .. 1 shut
    lid_slant: float = 0.0  # > 0 inner corner lower (angry), < 0 outer lower (sad)
    lower: float = 0.0  # cheek pushing the lower lid up (smiling eyes)
    brow_raise: Point = (0.0, 0.0)  # per brow; negative is up
    brow_tilt: float = 0.0  # > 0 inner ends up (worried), < 0 inner ends down (angry)
    brow_arch: float = 2.0
    mouth: str = "curve"
    mouth_w: float = 12.0  # half width
    mouth_h: float = 4.0  # depth; for "curve" > 0 smiles and < 0 frowns
    mouth_top: float = 2.0  # control offset of the upper lip of open mouths
    mouth_dx: float = 0.0
    teeth: bool = False
    tongue: bool = False
    tilt: float = 0.0  # head rotation in degrees, counter-clockwise
    blush: int = 0  # 0 none, 1 soft, 2 strong with lines
    extras: tuple[str, ...] = ()


# fmt: off
FACES: dict[str, Face] = {
    "affection": Face(
        PINK, eyes=("happy", "happy"), brow_raise=(-3, -3), brow_tilt=2,
        mouth_w=13, mouth_h=6, tilt=7, blush=1, extras=("heart_one",),
    ),
    "anger_frustration": Face(
        RED, lid=0.3, lid_slant=0.55, brow_raise=(4, 4), brow_tilt=-7, brow_arch=0,
        mouth="grimace", mouth_w=15, mouth_h=11, extras=("anger_mark", "steam"),
    ),
    "blushing": Face(
        PINK, look=(0.6, 0.7), lower=0.3, brow_tilt=3, mouth_w=8, mouth_h=3, tilt=-5,
        blush=2, extras=("sparkle_small",),
    ),
    "celebrating": Face(
        WARM, eyes=("happy", "happy"), brow_raise=(-6, -6), mouth="open", mouth_w=19,
        mouth_h=24, tongue=True, blush=1, extras=("party_hat", "confetti"),
    ),
    "confused": Face(
        LAVENDER, look=(-0.8, -0.6), brow_raise=(-8, 3), brow_tilt=-1, mouth="wavy",
        mouth_w=11, mouth_h=2.5, mouth_dx=3, tilt=-9, extras=("question",),
    ),
    "crying_tearful": Face(
        BLUE, eyes=("squeeze", "squeeze"), brow_raise=(-2, -2), brow_tilt=7,
        mouth="open", mouth_w=14, mouth_h=5, mouth_top=-13, tongue=True,
        extras=("tear_streams", "tear_drops"),
    ),
    "curious_interested": Face(
        MINT, look=(0.9, -0.4), brow_raise=(-5, -9), brow_arch=3, mouth="o", mouth_w=5,
        mouth_h=6, mouth_dx=2, tilt=9, extras=("sparkle_small", "exclaim_small"),
    ),
    "disgust": Face(
        GREEN, lid=0.42, lower=0.35, look=(-0.5, 0), brow_raise=(3, -1), brow_tilt=-4,
        mouth="tongue", mouth_w=11, mouth_h=-4, mouth_dx=-3,
        tilt=-6, extras=("gloom_green", "stink"),
    ),
    "embarrased_shy": Face(
        PINK, look=(-0.9, 0.9), lower=0.15, brow_tilt=6, mouth="wavy", mouth_w=8,
        mouth_h=2, tilt=-8, blush=2, extras=("sweat",),
    ),
    "encouraging": Face(
        WARM, eyes=("open", "happy"), lower=0.2, brow_raise=(-5, -6), mouth="open",
        mouth_w=17, mouth_h=18, teeth=True, tongue=True, tilt=5,
        extras=("thumbs_up", "sparkles"),
    ),
    "excited_enthusiastic": Face(
        WARM, eyes=("sparkle", "sparkle"), brow_raise=(-9, -9), brow_arch=4, mouth="open",
        mouth_w=19, mouth_h=26, tongue=True, blush=1, extras=("sparkles", "sparkles_more"),
    ),
    "fear_nervous": Face(
        LAVENDER, eyes=("wide", "wide"), brow_raise=(-4, -4), brow_tilt=8, mouth="wavy",
        mouth_w=13, mouth_h=3, extras=("gloom_blue", "sweat", "shiver"),
    ),
    "focused_determined": Face(
        MINT, lid=0.28, lid_slant=0.4, brow_raise=(3, 3), brow_tilt=-5, brow_arch=0,
        mouth="curve", mouth_w=11, mouth_h=-1.5, extras=("focus_lines", "eye_fire"),
    ),
    "joking": Face(
        WARM, eyes=("squeeze", "squeeze"), brow_raise=(-4, -4), mouth="open",
        mouth_w=18, mouth_h=22, teeth=True, tongue=True, tilt=-6, blush=1,
        extras=("haha",),
    ),
    "joy_happy": Face(
        WARM, eyes=("happy", "happy"), brow_raise=(-4, -4), brow_arch=4, mouth="open",
        mouth_w=16, mouth_h=18, tongue=True, blush=1,
    ),
    "listening_deeply": Face(
        CALM, eyes=("closed", "closed"), brow_tilt=3, mouth_w=9, mouth_h=3, tilt=12,
        extras=("sound_waves",),
    ),
    "love": Face(
        PINK, eyes=("heart", "heart"), brow_raise=(-4, -4), mouth="open", mouth_w=15,
        mouth_h=16, tongue=True, blush=1, extras=("hearts",),
    ),
    "neutral_listening": Face(
        CALM, mouth_w=9, mouth_h=1.5, extras=("sound_waves_small",),
    ),
    "playful_cheeky": Face(
        WARM, eyes=("open", "happy"), look=(0.3, 0), brow_raise=(-6, 0), mouth="tongue",
        mouth_w=12, mouth_h=5, mouth_dx=2, tilt=10, blush=1, extras=("sparkle_small",),
    ),
    "pleased_smug": Face(
        PEACH, lid=0.45, lower=0.25, look=(0.6, 0), brow_raise=(-5, 0), brow_tilt=-2,
        mouth="smirk", mouth_w=13, mouth_h=7, tilt=-5, blush=1, extras=("sparkle_small",),
    ),
    "polite_smile": Face(
        CALM, lower=0.32, brow_arch=3, mouth_w=12, mouth_h=5,
    ),
    "relieved": Face(
        CALM, eyes=("closed", "closed"), brow_tilt=5, mouth_w=12, mouth_h=5, tilt=-4,
        extras=("sweat", "puff"),
    ),
    "sad": Face(
        BLUE, lid=0.22, lid_slant=-0.6, look=(0, 1), brow_raise=(-1, -1), brow_tilt=7,
        mouth_w=11, mouth_h=-6, tilt=-5, extras=("rain_cloud",),
    ),
    "sarcastic": Face(
        PEACH, lid=0.38, look=(0.5, -1), brow_raise=(-9, 3), brow_tilt=1, mouth="smirk",
        mouth_w=13, mouth_h=5, mouth_dx=-2, tilt=6,
    ),
    "skeptical_unimpressed": Face(
        PEACH, lid=0.5, look=(-1, 0.2), brow_raise=(3, -8), brow_tilt=-2, brow_arch=1,
        mouth="curve", mouth_w=10, mouth_h=-2, mouth_dx=-4, extras=("dots",),
    ),
    "sleepy_tired": Face(
        NIGHT, lid=0.68, lid_slant=-0.3, look=(0, 1), brow_tilt=3, mouth="o",
        mouth_w=6, mouth_h=8, tilt=-8, extras=("zzz",),
    ),
    "supportive": Face(
        PINK, lower=0.32, brow_raise=(-2, -2), brow_tilt=4, mouth_w=14, mouth_h=7,
        tilt=6, blush=1, extras=("heart_small", "sparkles"),
    ),
    "surprise": Face(
        LAVENDER, eyes=("wide", "wide"), brow_raise=(-11, -11), brow_arch=4, mouth="o",
        mouth_w=10, mouth_h=13, extras=("exclaim",),
    ),
    "thinking": Face(
        MINT, look=(0.9, -0.9), brow_raise=(-6, 0), brow_tilt=-1, mouth="curve",
        mouth_w=7, mouth_h=-1, mouth_dx=6, tilt=-6, extras=("thought_dots",),
    ),
    "thinking_hard": Face(
        MINT, eyes=("squeeze", "squeeze"), brow_raise=(3, 3), brow_tilt=-6, brow_arch=0,
        mouth="wavy", mouth_w=10, mouth_h=2.5, mouth_dx=4, tilt=8,
        extras=("thought_scribble", "sweat_left"),
    ),
}
# fmt: on


# --- drawing helpers -------------------------------------------------------------------------


def _px(v: float) -> int:
    return round(v * SS)


def quad(p0: Point, p1: Point, p2: Point, n: int = 24) -> list[Point]:
    """Points on the quadratic Bezier curve p0 -> p2 with control point p1."""
    pts = []
    for i in range(n + 1):
        t = i / n
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        pts.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return pts


def arc_points(c: Point, r: float, a0: float, a1: float, n: int = 24) -> list[Point]:
    """Points on a circle arc, angles in degrees, clockwise on screen (y points down)."""
    return [
        (
            c[0] + r * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
            c[1] + r * math.sin(math.radians(a0 + (a1 - a0) * i / n)),
        )
        for i in range(n + 1)
    ]


def rotate(pts: Sequence[Point], c: Point, deg: float) -> list[Point]:
    """Rotate points around c, counter-clockwise on screen."""
    a = math.radians(-deg)
    ca, sa = math.cos(a), math.sin(a)
    return [
        (c[0] + (x - c[0]) * ca - (y - c[1]) * sa, c[1] + (x - c[0]) * sa + (y - c[1]) * ca)
        for x, y in pts
    ]


def heart_points(c: Point, size: float, n: int = 48) -> list[Point]:
    """Classic parametric heart, roughly 2*size wide."""
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((c[0] + x * size / 16, c[1] - y * size / 16))
    return pts


def drop_points(c: Point, r: float, n: int = 40) -> list[Point]:
    """A tear drop with its round part centred on c and its tip pointing up."""
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x = r * math.sin(t) * math.sin(t / 2) ** 1.2
        y = -r * 1.1 * math.cos(t)
        pts.append((c[0] + x * 1.25, c[1] + y + r * 0.45))
    return pts


def star_points(c: Point, r: float, inner: float = 0.28, tips: int = 4) -> list[Point]:
    pts = []
    for i in range(tips * 2):
        rr = r if i % 2 == 0 else r * inner
        a = math.pi * i / tips - math.pi / 2
        pts.append((c[0] + rr * math.cos(a), c[1] + rr * math.sin(a)))
    return pts


class Pen:
    """ImageDraw wrapper taking final-image coordinates and drawing at SS scale."""

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)

    def ellipse(
        self,
        c: Point,
        rx: float,
        ry: float | None = None,
        fill: Color | int | None = None,
        outline: Color | None = None,
        width: float = 2.4,
    ) -> None:
        ry = rx if ry is None else ry
        box = (_px(c[0] - rx), _px(c[1] - ry), _px(c[0] + rx), _px(c[1] + ry))
        if outline is None:
            self.draw.ellipse(box, fill=fill)
        else:
            self.draw.ellipse(box, fill=fill, outline=outline, width=_px(width))

    def line(self, pts: Sequence[Point], color: Color, width: float, closed: bool = False) -> None:
        """A polyline with round joints and round caps."""
        scaled = [(_px(x), _px(y)) for x, y in pts]
        if closed:
            scaled.append(scaled[0])
        self.draw.line(scaled, fill=color, width=_px(width), joint="curve")
        if not closed:
            for x, y in (pts[0], pts[-1]):
                self.ellipse((x, y), width / 2 - 0.1, fill=color)

    def polygon(
        self,
        pts: Sequence[Point],
        fill: Color | int,
        outline: Color | None = None,
        width: float = 2.4,
    ) -> None:
        self.draw.polygon([(_px(x), _px(y)) for x, y in pts], fill=fill)
        if outline is not None:
            self.line(pts, outline, width, closed=True)

    def rounded_rect(
        self,
        box: tuple[float, float, float, float],
        radius: float,
        fill: Color,
        outline: Color | None = None,
        width: float = 2.4,
    ) -> None:
        self.draw.rounded_rectangle(
            tuple(_px(v) for v in box),
            radius=_px(radius),
            fill=fill,
            outline=outline,
            width=_px(width) if outline is not None else 0,
        )


def clipped(
    image: Image.Image, mask_fn: Callable[[Pen], None], draw_fn: Callable[[Pen], None]
) -> None:
    """Run draw_fn on a copy of image and keep only what falls inside the mask drawn by mask_fn."""
    temp = image.copy()
    draw_fn(Pen(temp))
    mask = Image.new("L", image.size, 0)
    mask_fn(Pen(mask))
    image.paste(temp, (0, 0), mask)


def mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


# --- head parts ------------------------------------------------------------------------------


def draw_back_hair(pen: Pen) -> None:
    pen.ellipse((CX, 121), 74, 71, fill=HAIR)
    pen.rounded_rect((56, 112, 200, 246), 30, fill=HAIR)


def draw_body(pen: Pen) -> None:
    pen.ellipse((CX, 272), 82, 62, fill=SHIRT, outline=OUTLINE, width=2.6)
    neck = [(113.0, 176.0), (143.0, 176.0), (143.0, 213.0), (128.0, 230.0), (113.0, 213.0)]
    pen.polygon(neck, fill=SKIN_SHADE)
    pen.line([(113, 176), (113, 213), (128, 230), (143, 213), (143, 176)], OUTLINE, 2.4)


def draw_face_base(pen: Pen) -> None:
    pen.ellipse((CX, 133), 60, 65, fill=SKIN, outline=OUTLINE, width=2.6)


def draw_front_hair(pen: Pen) -> None:
    # Cap over the top of the head, its lower edge a fringe of strands.
    cap = arc_points((CX, 118), 67, 180, 360, n=40)
    cap = [(x, min(y, 124.0)) for x, y in cap]
    tips = [
        (190.0, 126.0),
        (172.0, 96.0),
        (150.0, 101.0),
        (129.0, 92.0),
        (106.0, 98.0),
        (86.0, 104.0),
        (66.0, 126.0),
    ]
    fringe: list[Point] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(tips):
        ctrl = ((x0 + x1) / 2 + 2, min(y0, y1) - 12)
        fringe.extend(quad((x0, y0), ctrl, (x1, y1), n=10))
    pen.polygon(cap + fringe, fill=HAIR)
    # Side locks framing the face.
    left = [(61.0, 112.0), (80.0, 108.0), (77.0, 150.0), (70.0, 186.0), (62.0, 170.0)]
    pen.polygon(left, fill=HAIR)
    pen.polygon([(2 * CX - x, y) for x, y in left], fill=HAIR)
    # Shine on the hair.
    pen.line(arc_points((CX, 118), 56, 215, 250, n=12), HAIR_SHINE, 3.2)
    pen.line(arc_points((CX, 118), 56, 258, 268, n=6), HAIR_SHINE, 3.2)


def draw_open_eye(image: Image.Image, c: Point, side: int, face: Face, kind: str) -> None:
    """An eye with white, iris and highlight, optionally closed by lids. side: -1 left, 1 right."""
    rx, ry = (12.5, 14.5) if kind == "wide" else (11.0, 12.8)
    lx, ly = face.look
    if kind == "wide":
        iris_rx, iris_ry, pupil = 4.6, 5.2, 0.0
    elif kind == "sparkle":
        iris_rx, iris_ry, pupil = 8.6, 10.0, 4.4
    else:
        iris_rx, iris_ry, pupil = 7.4, 8.8, 3.8
    ic = (c[0] + lx * (rx - iris_rx - 0.6), c[1] + ly * (ry - iris_ry - 0.6))
    inner = -side  # direction towards the nose

    lid_y = c[1] - ry + face.lid * 2 * ry

    def lid_at(x: float) -> float:
        return lid_y + face.lid_slant * ry * 0.6 * (x - c[0]) / rx * inner

    x0, x1 = c[0] - rx - 4, c[0] + rx + 4

    def content(pen: Pen) -> None:
        pen.ellipse(c, rx, ry, fill=WHITE, outline=OUTLINE, width=2.2)
        pen.ellipse(ic, iris_rx, iris_ry, fill=IRIS)
        if pupil:
            pen.ellipse(ic, pupil, pupil * 1.15, fill=PUPIL)
        if kind == "sparkle":
            pen.polygon(star_points((ic[0] + 2, ic[1] - 2.5), 6.5, 0.3), fill=WHITE)
            pen.ellipse((ic[0] - 3.5, ic[1] + 4), 1.6, fill=WHITE)
        elif kind == "wide":
            pen.ellipse((ic[0] + 1.6, ic[1] - 1.8), 1.6, fill=WHITE)
        else:
            pen.ellipse((ic[0] + 2.6, ic[1] - 3.4), 2.6, fill=WHITE)
            pen.ellipse((ic[0] - 2.6, ic[1] + 3.4), 1.3, fill=WHITE)
        if face.lid > 0:
            pen.polygon(
                [(x0, lid_at(x0)), (x1, lid_at(x1)), (x1, c[1] - ry - 6), (x0, c[1] - ry - 6)],
                fill=SKIN,
            )
            pen.line([(x0, lid_at(x0)), (x1, lid_at(x1))], OUTLINE, 3.4)
        if face.lower > 0:
            top = c[1] + ry - face.lower * 2 * ry
            pen.ellipse(
                (c[0], top + ry * 1.8), rx * 1.9, ry * 1.8, fill=SKIN, outline=OUTLINE, width=2.2
            )

    def mask(pen: Pen) -> None:
        pen.ellipse(c, rx + 1.3, ry + 1.3, fill=255)

    clipped(image, mask, content)
    pen = Pen(image)
    outer_x = c[0] - inner * rx
    if face.lid > 0:
        start = (outer_x, lid_at(outer_x))
    else:
        pen.line(arc_points(c, rx, 200, 340, n=16), OUTLINE, 3.6)
        start = (
            c[0] - inner * rx * math.cos(math.radians(20)),
            c[1] - ry * math.sin(math.radians(20)),
        )
    pen.line([start, (start[0] - inner * 4.5, start[1] - 3.5)], OUTLINE, 3.0)


def draw_eye(image: Image.Image, c: Point, side: int, face: Face, kind: str) -> None:
    pen = Pen(image)
    x, y = c
    if kind in ("open", "wide", "sparkle"):
        draw_open_eye(image, c, side, face, kind)
    elif kind == "happy":  # ^
        pen.line(quad((x - 10, y + 4), (x, y - 13), (x + 10, y + 4)), OUTLINE, 4.0)
    elif kind == "closed":  # content, gently shut
        pen.line(quad((x - 10, y - 1), (x, y + 10), (x + 10, y - 1)), OUTLINE, 4.0)
        outer = x + side * 10
        pen.line([(outer, y - 1), (outer + side * 4, y - 4)], OUTLINE, 3.0)
    elif kind == "squeeze":  # > <
        d = -side
        pen.line([(x - d * 8, y - 7), (x + d * 7, y), (x - d * 8, y + 7)], OUTLINE, 4.2)
    elif kind == "heart":
        pts = heart_points((x, y + 1), 13)
        pen.polygon(pts, fill=HEART, outline=HEART_EDGE, width=2.2)
        pen.ellipse((x - 5, y - 4), 2.6, 2.0, fill=WHITE)
    else:
        raise ValueError(f"unknown eye kind {kind!r}")


def draw_brows(pen: Pen, face: Face) -> None:
    for side, raise_ in ((-1, face.brow_raise[0]), (1, face.brow_raise[1])):
        cx = CX + side * (EYE_DX + 1)
        cy = BROW_Y + raise_
        inner = (cx - side * 11, cy - face.brow_tilt)
        outer = (cx + side * 11, cy + face.brow_tilt * 0.6)
        mid = ((inner[0] + outer[0]) / 2, (inner[1] + outer[1]) / 2 - face.brow_arch * 2)
        pen.line(quad(inner, mid, outer, n=12), HAIR, 4.6)


def draw_mouth(image: Image.Image, face: Face) -> None:
    pen = Pen(image)
    cx, cy = CX + face.mouth_dx, MOUTH_Y
    w, h = face.mouth_w, face.mouth_h
    kind = face.mouth
    if kind == "curve":
        pen.line(quad((cx - w, cy), (cx, cy + 2 * h), (cx + w, cy)), OUTLINE, 3.4)
    elif kind == "smirk":
        pts = quad((cx - w, cy + 1), (cx + w * 0.15, cy + h * 0.9), (cx + w, cy - h * 0.7))
        pen.line(pts, OUTLINE, 3.4)
        end = pts[-1]
        pen.line([(end[0] - 1, end[1] - 3.5), (end[0] + 2.5, end[1] + 2.5)], OUTLINE, 2.6)
    elif kind == "wavy":
        pts = [
            (cx - w + 2 * w * i / 40, cy + h * math.sin(i / 40 * 2.5 * 2 * math.pi))
            for i in range(41)
        ]
        pen.line(pts, OUTLINE, 3.2)
    elif kind == "tongue":
        tc = (cx + 3, cy + h)
        pen.ellipse((tc[0], tc[1] + 1), 6.5, 8.5, fill=TONGUE, outline=OUTLINE, width=2.2)
        pen.line([(tc[0], tc[1] + 1), (tc[0], tc[1] + 5)], mix(TONGUE, MOUTH, 0.6), 1.8)
        # Upper half of the tongue hidden behind the lips.
        pen.rounded_rect((tc[0] - 9, tc[1] - 10, tc[0] + 9, tc[1] - 0.5), 2, fill=SKIN)
        pen.line(quad((cx - w, cy), (cx, cy + 2 * h), (cx + w, cy)), OUTLINE, 3.4)
    elif kind == "o":
        c = (cx, cy + h * 0.3)

        def inside(p: Pen) -> None:
            p.ellipse(c, w, h, fill=MOUTH)
            p.ellipse((c[0], c[1] + h * 0.9), w * 0.8, h * 0.5, fill=TONGUE)

        clipped(image, lambda p: p.ellipse(c, w, h, fill=255), inside)
        pen.ellipse(c, w, h, outline=OUTLINE, width=2.8)
    elif kind == "open":
        upper = quad((cx - w, cy), (cx, cy + face.mouth_top), (cx + w, cy))
        lower = quad((cx + w, cy), (cx, cy + 2 * h), (cx - w, cy))
        outline = upper + lower
        low = max(y for _, y in outline)
        high = min(y for _, y in outline)

        def inside(p: Pen) -> None:
            p.polygon(outline, fill=MOUTH)
            if face.tongue:
                p.ellipse((cx + 1, low + 1), w * 0.62, (low - high) * 0.42, fill=TONGUE)
            if face.teeth:
                p.polygon([(x, y + 5.5) for x, y in reversed(upper)] + upper, fill=WHITE)

        clipped(image, lambda p: p.polygon(outline, fill=255), inside)
        pen.line(outline, OUTLINE, 2.8, closed=True)
    elif kind == "grimace":
        box = (cx - w, cy - h / 2, cx + w, cy + h / 2)
        pen.rounded_rect(box, 4, fill=WHITE)
        pen.line([(cx - w + 1, cy), (cx + w - 1, cy)], OUTLINE, 1.8)
        for i in range(1, 4):
            x = cx - w + 2 * w * i / 4
            pen.line([(x, cy - h / 2 + 1), (x, cy + h / 2 - 1)], OUTLINE, 1.6)
        pen.draw.rounded_rectangle(
            tuple(_px(v) for v in box), radius=_px(4), outline=OUTLINE, width=_px(2.6)
        )
    else:
        raise ValueError(f"unknown mouth kind {kind!r}")


def draw_nose(pen: Pen) -> None:
    pen.line(quad((CX - 2.5, 160), (CX + 1, 163.5), (CX + 3.5, 159.5), n=8), SKIN_SHADE, 2.4)


def draw_blush(pen: Pen, level: int) -> None:
    color = BLUSH_STRONG if level > 1 else BLUSH
    for side in (-1, 1):
        c = (CX + side * CHEEK_DX, CHEEK_Y)
        pen.ellipse(c, 11.5, 6.2, fill=color)
        if level > 1:
            for k in (-5.5, 0.0, 5.5):
                pen.line([(c[0] + k - 1.8, c[1] + 3), (c[0] + k + 1.8, c[1] - 3)], BLUSH_LINE, 1.8)


# --- extras ----------------------------------------------------------------------------------


def draw_drop(pen: Pen, c: Point, r: float) -> None:
    pen.polygon(drop_points(c, r), fill=TEAR, outline=TEAR_EDGE, width=2.0)
    pen.ellipse((c[0] - r * 0.35, c[1] + r * 0.1), r * 0.22, r * 0.32, fill=WHITE)


def draw_heart(pen: Pen, c: Point, size: float, tilt: float = 0.0) -> None:
    pts = rotate(heart_points(c, size), c, tilt)
    pen.polygon(pts, fill=HEART, outline=HEART_EDGE, width=2.0)
    hl = rotate([(c[0] - size * 0.45, c[1] - size * 0.35)], c, tilt)[0]
    pen.ellipse(hl, size * 0.18, size * 0.14, fill=WHITE)


def draw_sparkle(pen: Pen, c: Point, r: float, color: Color = GOLD) -> None:
    pen.polygon(star_points(c, r, 0.3), fill=color)
    pen.ellipse(c, r * 0.18, fill=WHITE)


def draw_cloud(pen: Pen, c: Point, scale: float, fill: Color, edge: Color) -> None:
    bumps = [(-18, 4, 11), (-8, -6, 13), (7, -7, 12), (18, 3, 10), (0, 6, 13)]
    for width, color in ((2.4, edge), (0.0, fill)):
        for dx, dy, r in bumps:
            pen.ellipse((c[0] + dx * scale, c[1] + dy * scale), r * scale + width, fill=color)


def draw_z(pen: Pen, x: float, y: float, s: float, color: Color) -> None:
    pen.line([(x, y), (x + s, y), (x, y + s), (x + s, y + s)], color, max(2.2, s / 5))


def draw_letters_ha(pen: Pen, c: Point, h: float, tilt: float, color: Color) -> None:
    w = h * 0.7
    x, y = c[0] - w - 2, c[1] - h / 2
    strokes = [
        [(x, y), (x, y + h)],
        [(x + w, y), (x + w, y + h)],
        [(x, y + h / 2), (x + w, y + h / 2)],
    ]
    x += w + 4
    strokes += [
        [(x, y + h), (x + w / 2, y), (x + w, y + h)],
        [(x + w * 0.25, y + h * 0.62), (x + w * 0.75, y + h * 0.62)],
    ]
    for stroke in strokes:
        pen.line(rotate(stroke, c, tilt), color, 3.0)


def draw_head_extras(pen: Pen, face: Face) -> None:
    """Extras that belong to the head and turn with it."""
    ex = face.extras
    if "tear_streams" in ex:
        for side in (-1, 1):
            x = CX + side * EYE_DX
            pts = quad((x, 150), (x + side * 4, 172), (x + side * 2, 194), n=10)
            pen.line(pts, TEAR_EDGE, 9.0)
            pen.line(pts, TEAR, 5.6)
    if "gloom_blue" in ex or "gloom_green" in ex:
        color = GLOOM_BLUE if "gloom_blue" in ex else GLOOM_GREEN
        for i, length in enumerate((5, 9, 11, 9, 11, 9, 5)):
            x = CX - 27 + i * 9
            pen.line([(x, 104), (x, 104 + length)], color, 2.2)
    if "eye_fire" in ex:
        for side in (-1, 1):
            c = (CX + side * EYE_DX + 2.5, EYE_Y - 1)
            pen.ellipse(c, 1.6, fill=WHITE)
    if "party_hat" in ex:
        a, b, apex = (100.0, 64.0), (166.0, 72.0), (146.0, 8.0)
        pen.polygon([a, b, apex], fill=(88, 170, 238), outline=OUTLINE, width=2.4)
        for u, v in ((0.5, 0.4), (0.2, 0.65), (0.62, 0.18), (0.3, 0.35), (0.18, 0.2)):
            w = 1 - u - v
            p = (a[0] * u + b[0] * v + apex[0] * w, a[1] * u + b[1] * v + apex[1] * w)
            pen.ellipse(p, 3.2, fill=(255, 226, 90))
        pen.ellipse(apex, 7, fill=(255, 120, 150), outline=OUTLINE, width=2.2)


def draw_overlay_extras(image: Image.Image, face: Face) -> None:
    """Extras drawn around the head, not turned with it."""
    pen = Pen(image)
    ex = face.extras
    if "confetti" in ex:
        colors = [(238, 74, 108), (88, 170, 238), (120, 200, 90), (255, 178, 40), (160, 110, 220)]
        for i in range(60):
            x = (i * 73 + 17) % 244 + 6
            y = (i * 151 + 29) % 244 + 6
            if ((x - CX) / 86) ** 2 + ((y - 128) / 92) ** 2 < 1 or y > 200:
                continue
            color = colors[i % len(colors)]
            if i % 3 == 0:
                pen.ellipse((x, y), 3.0, fill=color)
            else:
                rect = [(x - 5, y - 2.2), (x + 5, y - 2.2), (x + 5, y + 2.2), (x - 5, y + 2.2)]
                pen.polygon(rotate(rect, (x, y), i * 37), fill=color)
    if "heart_one" in ex:
        draw_heart(pen, (208, 70), 15, tilt=-12)
        draw_heart(pen, (228, 38), 8, tilt=10)
    if "heart_small" in ex:
        draw_heart(pen, (212, 66), 11, tilt=-10)
    if "hearts" in ex:
        draw_heart(pen, (40, 56), 15, tilt=14)
        draw_heart(pen, (214, 54), 18, tilt=-12)
        draw_heart(pen, (228, 120), 9, tilt=-20)
        draw_heart(pen, (26, 118), 9, tilt=18)
    if "sparkles" in ex:
        draw_sparkle(pen, (38, 64), 13)
        draw_sparkle(pen, (222, 92), 9)
        draw_sparkle(pen, (60, 30), 7)
    if "sparkles_more" in ex:
        draw_sparkle(pen, (210, 34), 14)
        draw_sparkle(pen, (28, 128), 8)
        draw_sparkle(pen, (232, 150), 7)
    if "sparkle_small" in ex:
        draw_sparkle(pen, (206, 62), 10)
        draw_sparkle(pen, (226, 86), 6)
    if "exclaim" in ex or "exclaim_small" in ex:
        s = 1.0 if "exclaim" in ex else 0.65
        x, y = (206.0, 44.0) if "exclaim" in ex else (44.0, 52.0)
        for dx in (-8.0, 8.0) if s == 1.0 else (0.0,):
            pen.line([(x + dx, y - 18 * s), (x + dx * 0.9, y + 6 * s)], INK_ORANGE, 7 * s)
            pen.ellipse((x + dx * 0.85, y + 17 * s), 4.2 * s, fill=INK_ORANGE)
    if "question" in ex:
        c = (208.0, 40.0)
        pts = arc_points(c, 12, 190, 400, n=30)
        end = pts[-1]
        pts += quad(end, (c[0], c[1] + 12), (c[0], c[1] + 22), n=8)
        pen.line(pts, INK_PURPLE, 6.5)
        pen.ellipse((c[0], c[1] + 34), 4.4, fill=INK_PURPLE)
    if "sweat" in ex:
        draw_drop(pen, (200, 98), 9)
    if "sweat_left" in ex:
        draw_drop(pen, (52, 96), 9)
    if "tear_drops" in ex:
        draw_drop(pen, (62, 120), 6)
        draw_drop(pen, (196, 114), 6)
        draw_drop(pen, (48, 150), 4.5)
        draw_drop(pen, (210, 146), 4.5)
    if "shiver" in ex:
        for side in (-1, 1):
            for k in range(3):
                x = CX + side * (88 + k * 7)
                pen.line([(x, 110 + k * 4), (x, 140 - k * 4)], INK_BLUE, 2.4)
    if "anger_mark" in ex:
        c = (186.0, 70.0)
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            centre = (c[0] + sx * 11, c[1] + sy * 11)
            toward = math.degrees(math.atan2(-sy, -sx))
            pen.line(arc_points(centre, 7, toward - 48, toward + 48, n=12), INK_RED, 4.0)
    if "steam" in ex:
        for side in (-1, 1):
            x = CX + side * 92
            for k in range(2):
                pts = [
                    (x + side * k * 8 + 3 * math.sin(i / 3), 70 - k * 12 - i * 2.2)
                    for i in range(10)
                ]
                pen.line(pts, (250, 250, 250), 3.0)
    if "stink" in ex:
        for k in range(3):
            x = 196 + k * 10
            pts = [(x + 4 * math.sin(i / 2.5), 180 - i * 3.0 - k * 6) for i in range(12)]
            pen.line(pts, GLOOM_GREEN, 3.0)
    if "focus_lines" in ex:
        for a in (195, 215, 235, 305, 325, 345):
            p0 = (CX + 90 * math.cos(math.radians(a)), 134 + 96 * math.sin(math.radians(a)))
            p1 = (CX + 106 * math.cos(math.radians(a)), 134 + 112 * math.sin(math.radians(a)))
            pen.line([p0, p1], INK_TEAL, 3.6)
    if "haha" in ex:
        draw_letters_ha(pen, (42, 52), 16, 14, INK_ORANGE)
        draw_letters_ha(pen, (214, 44), 16, -12, INK_ORANGE)
    if "sound_waves" in ex or "sound_waves_small" in ex:
        radii = (9, 17, 25) if "sound_waves" in ex else (9, 17)
        for r in radii:
            pen.line(arc_points((204, 140), r, -40, 40, n=12), INK_TEAL, 3.2)
            pen.line(arc_points((52, 140), r, 140, 220, n=12), INK_TEAL, 3.2)
    if "thought_dots" in ex or "thought_scribble" in ex:
        draw_cloud(pen, (204, 40), 1.05, WHITE, OUTLINE)
        pen.ellipse((180, 78), 5.2, fill=WHITE, outline=OUTLINE, width=2.2)
        pen.ellipse((172, 92), 3.4, fill=WHITE, outline=OUTLINE, width=2.0)
        if "thought_dots" in ex:
            for dx in (-10, 0, 10):
                pen.ellipse((204 + dx, 41), 3.0, fill=OUTLINE)
        else:
            pts = [
                (204 + (2 + i * 0.42) * math.cos(i * 0.55), 41 + (2 + i * 0.3) * math.sin(i * 0.55))
                for i in range(34)
            ]
            pen.line(pts, INK_RED, 2.6)
    if "rain_cloud" in ex:
        draw_cloud(pen, (204, 36), 1.0, (176, 186, 206), (118, 128, 156))
        for dx in (-12, 0, 12):
            pen.line([(204 + dx, 56), (201 + dx, 66)], TEAR_EDGE, 2.6)
    if "zzz" in ex:
        draw_z(pen, 184, 70, 10, INK_BLUE)
        draw_z(pen, 198, 48, 15, INK_BLUE)
        draw_z(pen, 216, 20, 20, INK_BLUE)
    if "puff" in ex:
        for c, r in (((62.0, 198.0), 7.0), ((50.0, 190.0), 9.0), ((38.0, 198.0), 7.0)):
            pen.ellipse(c, r + 2, fill=(150, 180, 190))
        for c, r in (((62.0, 198.0), 7.0), ((50.0, 190.0), 9.0), ((38.0, 198.0), 7.0)):
            pen.ellipse(c, r, fill=WHITE)
    if "dots" in ex:
        for i in range(3):
            pen.ellipse((198 + i * 11, 64), 3.2, fill=OUTLINE)
    if "thumbs_up" in ex:
        pen.rounded_rect((186, 230, 222, 262), 4, fill=SHIRT, outline=OUTLINE, width=2.4)
        pen.rounded_rect((188, 170, 202, 212), 7, fill=SKIN, outline=OUTLINE, width=2.4)
        pen.rounded_rect((184, 196, 226, 234), 9, fill=SKIN, outline=OUTLINE, width=2.4)
        for y in (206, 215, 224):
            pen.line([(212, y), (224, y)], OUTLINE, 2.0)


# --- composition -----------------------------------------------------------------------------


def render(face: Face) -> Image.Image:
    size = SIZE * SS
    canvas = Image.new("RGBA", (size, size), (*face.bg, 255))
    Pen(canvas).ellipse((CX, 128), 118, fill=mix(face.bg, WHITE, 0.45))

    back = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw_back_hair(Pen(back))

    front = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = Pen(front)
    draw_face_base(pen)
    draw_front_hair(pen)
    for side, kind in ((-1, face.eyes[0]), (1, face.eyes[1])):
        draw_eye(front, (CX + side * EYE_DX, EYE_Y), side, face, kind)
    if face.blush:
        draw_blush(pen, face.blush)
    draw_brows(pen, face)
    draw_nose(pen)
    draw_mouth(front, face)
    draw_head_extras(pen, face)

    pivot = (PIVOT[0] * SS, PIVOT[1] * SS)
    if face.tilt:
        back = back.rotate(face.tilt, resample=Image.Resampling.BICUBIC, center=pivot)
        front = front.rotate(face.tilt, resample=Image.Resampling.BICUBIC, center=pivot)

    canvas.alpha_composite(back)
    draw_body(Pen(canvas))
    canvas.alpha_composite(front)
    draw_overlay_extras(canvas, face)

    small = canvas.convert("RGB").resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return small.quantize(
        colors=PALETTE_COLORS,
        method=Image.Quantize.FASTOCTREE,
        dither=Image.Dither.NONE,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, face in FACES.items():
        path = out / f"{name}.png"
        render(face).save(path, format="PNG", optimize=True)
        total += path.stat().st_size
    print(f"wrote {len(FACES)} images to {out} ({total} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
