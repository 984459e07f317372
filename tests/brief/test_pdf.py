"""The brief on paper: A4 and US Letter, portrait, read back with pdftoppm and pdftotext (poppler-utils),
with the school, the period, the date made and "Page n of N" on every page."""
from __future__ import annotations

import shutil
import sys
import types
import subprocess
from pathlib import Path

import pytest

from tests.brief.conftest import END, START

PAPER_POINTS = {"a4": (595, 842), "letter": (612, 792)}  # portrait, at 72 dpi: one pixel per point
pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) is not installed")


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("version", ["leadership", "staff"])
def test_pdf_pages_are_portrait_on_the_paper_chosen_and_say_where_and_when(login_as, brief_school, tmp_path, paper, version):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{brief_school.id}/brief.pdf",
                          query_string={"start": START, "end": END, "paper": paper, "version": version})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 1 <= len(pages) <= 6
    from PIL import Image

    for page in pages:
        with Image.open(page) as image:
            width, height = PAPER_POINTS[paper]  # A4 is 595.3 x 841.9 points: pdftoppm rounds up
            assert abs(image.width - width) <= 1 and abs(image.height - height) <= 1
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    sheets = text.split("\f")[:len(pages)]
    for number, sheet in enumerate(sheets, start=1):
        assert "Lincoln Middle School" in sheet and "16 Nov – 29 Nov 2026" in sheet
        assert f"Page {number} of {len(pages)}" in sheet and "Generated " in sheet and f"{version} version" in sheet
    assert ("Quentin Observerson" in text) == (version == "leadership")


def test_pdf_of_bad_choices_is_the_form_with_what_to_change(login_as, brief_school):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{brief_school.id}/brief.pdf", query_string={"paper": "b5"})
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "The paper size “b5” is not one of the choices" in response.get_data(as_text=True)


def test_pdf_pages_are_kept_for_a_look(app, login_as, brief_school):
    """Writes the pages to tests/.artifacts/brief/ (one set per engine) so a person can look at every page."""
    client, _ = login_as("principal")
    response = client.get(f"/schools/{brief_school.id}/brief.pdf", query_string={"start": START, "end": END})
    folder = Path(__file__).resolve().parents[1] / ".artifacts" / "brief"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"fixture-a4-{app.config['ENGINE_NAME']}"
    (folder / f"{name}.pdf").write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(folder / f"{name}.pdf"), str(folder / name)], check=True, timeout=60)
    assert list(folder.glob(f"{name}-*.png"))


class WithoutPango(types.ModuleType):
    """What importing WeasyPrint does on a server without Pango: cffi's dlopen raises OSError."""

    def __getattr__(self, name):
        raise OSError("cannot load library 'libpango-1.0-0': No such file or directory")


def test_a_server_without_the_pdf_libraries_says_so_instead_of_failing(login_as, brief_school, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", WithoutPango("weasyprint"))
    client, _ = login_as("principal")
    response = client.get(f"/schools/{brief_school.id}/brief.pdf", query_string={"start": START, "end": END})
    assert response.status_code == 503 and "PDF libraries (Pango) are not installed" in response.get_data(as_text=True)
    assert client.get(f"/schools/{brief_school.id}/brief", query_string={"start": START, "end": END}).status_code == 200
