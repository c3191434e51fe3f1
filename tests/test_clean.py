"""Main-content extraction: furniture goes, content blocks stay in order."""
from pathlib import Path

from pipelines.clean import clean_html, clean_text, decode_html

FILES = Path(__file__).parent / "files"


def cms_page():
    return clean_html((FILES / "cms_page.html").read_bytes(), "https://www.bollnas.se/leader")


def test_keeps_main_content_blocks_in_order():
    kinds_texts = [(b.kind, b.text) for b in cms_page().blocks]
    assert kinds_texts == [
        ("h1", "Leader Ljusnan"),
        ("p", "Projektet Ljusnans leder finansieras av Jordbruksverket."),
        ("p", "Projektet pågår 2024–2026."),
        ("p", "Text directly in a div."),
        ("li", "Första punkten"),
        ("li", "Andra punkten"),
        ("tr", "Budget | 1 200 000 kronor"),
    ]


def test_drops_navigation_footer_cookies_and_scripts():
    text = cms_page().text
    for furniture in ("Omsorg och stöd", "Startsida", "0278-250 00", "kakor", "Dela på", "Relaterat", "not content"):
        assert furniture not in text


def test_title_site_language_and_meta_dates():
    page = cms_page()
    assert (page.title, page.site_org, page.lang, page.published) == ("Leader Ljusnan", "Bollnäs kommun", "sv", "2024-02-01")


def test_site_org_from_title_suffix_without_og():
    page = clean_html("<html><head><title>Projekt X | Ale kommun</title></head><body><p>Hej</p></body></html>", "u")
    assert page.site_org == "Ale kommun"


def test_latin1_bytes_decode_by_meta_charset():
    html = '<html><head><meta charset="iso-8859-1"></head><body><main><p>Överkalix - älvdalen på åren</p></main></body></html>'
    page = clean_html(html.encode("iso-8859-1"), "http://x")
    assert page.blocks[0].text == "Överkalix - älvdalen på åren"
    assert "Överkalix" in decode_html(html.encode("iso-8859-1"), "text/html; charset=iso-8859-1")


def test_malformed_html_still_reads():
    page = clean_html("<html><body><main><h1>Rubrik<p>Första stycket<div>Andra</span></p></main>", "u")
    assert [b.text for b in page.blocks][:1] == ["Rubrik"]
    assert "Första stycket" in page.text and "Andra" in page.text


def test_empty_and_binary_input_give_empty_page():
    assert clean_html(b"", "u").blocks == []
    assert clean_html(bytes(range(256)) * 4, "u").title == ""


def test_plain_text_headings_bullets_and_paragraphs():
    page = clean_text("Projekt Ljus\n\nBakgrund\nProjektet startar i maj.\n• En punkt\n")
    assert [(b.kind, b.text) for b in page.blocks] == [
        ("h1", "Projekt Ljus"), ("h2", "Bakgrund"), ("p", "Projektet startar i maj."), ("li", "En punkt")]
    assert page.title == "Projekt Ljus"


def test_saved_page_without_url_takes_its_canonical_address():
    html = '<html><head><link rel="canonical" href="https://www.ale.se/projekt/x"></head><body><p>Hej</p></body></html>'
    assert clean_html(html, "").url == "https://www.ale.se/projekt/x"
    assert clean_html(html, "https://given.se/").url == "https://given.se/"
