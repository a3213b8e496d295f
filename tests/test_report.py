"""HTML report and heatmap: self-contained, escaped, linked; rendered in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from matrix_data import sample_inputs

from pipeline.coverage import build_coverage
from pipeline.params import MatrixParams
from pipeline.report import write_report

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = build_coverage(*sample_inputs(), MatrixParams(), by="document")
    paths = write_report(result, out)
    return out, paths, (out / "report.html").read_text("utf-8")


def test_report_files(report):
    out, paths, _ = report
    assert [p.name for p in paths] == ["heatmap.png", "report.html"]
    png = (out / "heatmap.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


def test_html_is_self_contained(report):
    html = report[2]
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    assert "@import" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_untrusted_text_is_escaped(report):
    html = report[2]
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;script" in html


def test_every_covered_cell_links_to_its_evidence(report):
    html = report[2]
    links = re.findall(r'href="#(ev-[^"]+)"', html)
    assert len(links) == 4  # doc1 B, G, I and doc2 D
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert set(links) <= ids
    assert set(re.findall(r'href="#(u-[^"]+)"', html)) <= ids
    assert html.count(">NA</span></td>") == 2 * 9  # two documents not assessed
    assert "Not assessed (NA)" in html


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(report, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,1600",
            (report[0] / "report.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_heatmap_of_many_documents_is_capped(tmp_path):
    """A batch of thousands of documents must not fail at the picture: rows are capped."""
    from pipeline.report import write_heatmap

    predictions, manifest, metadata = sample_inputs()
    capped = build_coverage(predictions, manifest, metadata, MatrixParams(heatmap_max_rows=2))
    assert len(capped.level) > 2
    assert write_heatmap(capped, tmp_path / "capped.png").stat().st_size > 1000
