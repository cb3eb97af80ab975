"""Open a report in a real headless Chromium and read back what a person would see.

No new dependency: Chromium's own ``--dump-dom`` prints the DOM after the page ran, so a test copy of the page
gets a small probe script (the report itself has none) that measures the rendered page and writes the figures
into the DOM as JSON: the document's width against the window's (A4 is 794 CSS pixels wide at 96 dpi), each
section's rendered text and size, each chart's size and number of drawn paths, every figure with its text.
``--print-to-pdf`` checks the print layout; ``--screenshot`` takes the picture the README shows.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

A4_WIDTH, A4_HEIGHT = 794, 1123  # CSS pixels at 96 dpi
FLAGS = ("--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run")

PROBE = """
<script>
(function () {
  var doc = document.documentElement;
  var out = {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, innerWidth: window.innerWidth,
             sections: {}, charts: {}, figures: [], wide: []};
  document.querySelectorAll("section").forEach(function (s) {
    var box = s.getBoundingClientRect();
    out.sections[s.id] = {text: s.innerText, width: box.width, height: box.height,
                          visible: getComputedStyle(s).visibility === "visible" && box.height > 0};
  });
  document.querySelectorAll(".chart").forEach(function (c) {
    var svg = c.querySelector("svg");
    var box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    out.charts[c.id] = {paths: svg ? svg.querySelectorAll("path").length : 0, width: box.width,
                        height: box.height};
  });
  document.querySelectorAll("[data-figure]").forEach(function (f) {
    out.figures.push({path: f.dataset.figure, value: f.dataset.value, text: f.innerText});
  });
  document.querySelectorAll("body *").forEach(function (e) {
    var box = e.getBoundingClientRect();
    if (box.right > window.innerWidth + 0.5) {
      out.wide.push(e.tagName + "." + e.className + " " + box.right);
    }
  });
  var pre = document.createElement("pre");
  pre.id = "moteur-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""
_PROBE_OUT = re.compile(r'<pre id="moteur-probe">(.*?)</pre>', re.DOTALL)


def _run(chromium: str, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [chromium, *FLAGS, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def rendered(chromium: str, page: Path, tmp: Path, width: int = A4_WIDTH) -> dict[str, Any]:
    """What the probe measured on ``page`` rendered in a window ``width`` pixels wide."""
    probe = tmp / f"probe-{page.stem}.html"
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text.lower(), "the report itself must hold no script"
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _run(chromium, f"--window-size={width},{A4_HEIGHT}", "--dump-dom", probe.as_uri())
    found = _PROBE_OUT.search(dom)
    assert found, "the probe wrote nothing: the page did not render"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def screenshot(chromium: str, page: Path, out: Path, height: int = A4_HEIGHT) -> None:
    _run(chromium, f"--window-size={A4_WIDTH},{height}", f"--screenshot={out}", page.as_uri())
    assert out.is_file() and out.stat().st_size > 10_000


def print_pdf(chromium: str, page: Path, out: Path) -> int:
    """Print ``page`` to PDF; every page A4 (the page's ``@page``, whatever Chromium's default); how many."""
    _run(chromium, "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri())
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data):  # A4: 595 × 842 points, from @page
        width, height = (round(float(v)) for v in box.split()[2:4])
        assert (width, height) == (595, 842), box
    return len(re.findall(rb"/Type\s*/Page[^s]", data))
