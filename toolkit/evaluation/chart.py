"""A PNG chart of a run: accuracy per intent/skill with 95% Wilson intervals, drawn with Pillow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

ROW_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 420
MARGIN = 16
HEADER = 56
BAR_COLOUR = (66, 133, 244)
OVERALL_COLOUR = (15, 157, 88)
INTERVAL_COLOUR = (40, 40, 40)
GRID_COLOUR = (220, 220, 220)


def draw_chart(report: dict[str, Any], path: Path) -> None:
    metrics = report["metrics"]
    rows = [("all (unique sentences)", metrics["accuracy"], OVERALL_COLOUR)]
    rows += [(name, rate, BAR_COLOUR) for name, rate in metrics["by_category"].items()]
    width = LABEL_WIDTH + BAR_WIDTH + 3 * MARGIN + 90
    height = HEADER + ROW_HEIGHT * len(rows) + 2 * MARGIN
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    run = report["run"]
    model = Path(run["model"]).name if run.get("model") else "no model"
    draw.text(
        (MARGIN, MARGIN), f"{run['name']}: {run['mode']} on {model}, suite {run['suite']}", fill="black", font=font
    )
    draw.text((MARGIN, MARGIN + 18), "accuracy per intent / skill, bars = 95% Wilson interval", fill="gray", font=font)
    left = MARGIN + LABEL_WIDTH
    for tick in range(0, 101, 25):
        x = left + BAR_WIDTH * tick / 100
        draw.line([(x, HEADER - 6), (x, height - MARGIN)], fill=GRID_COLOUR)
        draw.text((x - 8, HEADER - 18), f"{tick}%", fill="gray", font=font)
    for index, (label, rate, colour) in enumerate(rows):
        top = HEADER + index * ROW_HEIGHT + 3
        draw.text((MARGIN, top + 2), label[:40], fill="black", font=font)
        if not rate["n"]:
            draw.text((left, top + 2), "no cases", fill="gray", font=font)
            continue
        draw.rectangle([left, top, left + BAR_WIDTH * rate["rate"], top + ROW_HEIGHT - 8], fill=colour)
        low, high = left + BAR_WIDTH * rate["low"], left + BAR_WIDTH * rate["high"]
        middle = top + (ROW_HEIGHT - 8) / 2
        draw.line([(low, middle), (high, middle)], fill=INTERVAL_COLOUR, width=2)
        for x in (low, high):
            draw.line([(x, top + 2), (x, top + ROW_HEIGHT - 10)], fill=INTERVAL_COLOUR, width=2)
        text = f"{100 * rate['rate']:.0f}% ({rate['k']}/{rate['n']})"
        draw.text((left + BAR_WIDTH + MARGIN, top + 2), text, fill="black", font=font)
    image.save(path, format="PNG")
