"""Main-content extraction: furniture goes, content blocks stay in order."""
from pathlib import Path

import pytest

from pipelines.clean import clean_html, clean_text
from pipelines.decode import BinaryContent, decode_page
from pipelines.runs import thin_text

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
    assert "Överkalix" in decode_page(html.encode("iso-8859-1"), "text/html; charset=iso-8859-1")


def test_malformed_html_still_reads():
    page = clean_html("<html><body><main><h1>Rubrik<p>Första stycket<div>Andra</span></p></main>", "u")
    assert [b.text for b in page.blocks][:1] == ["Rubrik"]
    assert "Första stycket" in page.text and "Andra" in page.text


def test_empty_input_gives_empty_page_and_binary_input_is_refused():
    assert clean_html(b"", "u").blocks == []
    with pytest.raises(BinaryContent):
        clean_html(bytes(range(256)) * 4, "u")


def test_plain_text_headings_bullets_and_paragraphs():
    page = clean_text("Projekt Ljus\n\nBakgrund\nProjektet startar i maj.\n• En punkt\n")
    assert [(b.kind, b.text) for b in page.blocks] == [
        ("h1", "Projekt Ljus"), ("h2", "Bakgrund"), ("p", "Projektet startar i maj."), ("li", "En punkt")]
    assert page.title == "Projekt Ljus"


def test_saved_page_without_url_takes_its_canonical_address():
    html = '<html><head><link rel="canonical" href="https://www.ale.se/projekt/x"></head><body><p>Hej</p></body></html>'
    assert clean_html(html, "").url == "https://www.ale.se/projekt/x"
    assert clean_html(html, "https://given.se/").url == "https://given.se/"


# One shape each, invented markup (the real pages are in tests/test_clean_real_html.py).
PROJECT_TEXT = ("Projektet Älvbrons framtid rustar gång- och cykelvägen längs älven under tre år och "
                "drivs av kommunens samhällsbyggnadsförvaltning tillsammans med två byalag.")


def page_with(body: str, head: str = "") -> str:
    return (f'<html lang="sv"><head><title>Älvbrons framtid - Bergby kommun</title>{head}</head><body>'
            '<header class="site-header"><a href="/">Bergby kommun</a><nav><a href="/a">Omsorg</a></nav></header>'
            f'<main id="innehall">{body}</main>'
            '<footer class="site-footer"><p>Bergby kommun, 999 99 Bergby, 0123-45 67 00</p></footer></body></html>')


def test_sitevision_skip_spacer_layout_is_kept():
    html = page_with('<div class="sv-layout sv-skip-spacer" id="svid10_1a"><div class="sv-text-portlet sv-portlet '
                     f'sv-skip-spacer" id="svid12_1b"><h1>Älvbrons framtid</h1><p>{PROJECT_TEXT}</p></div></div>')
    page = clean_html(html, "https://www.bergby.se/projekt/alvbron")
    assert [(b.kind, b.text) for b in page.blocks] == [("h1", "Älvbrons framtid"), ("p", PROJECT_TEXT)]
    assert page.title == "Älvbrons framtid"


def test_wrappers_named_after_furniture_words_keep_their_content():
    html = page_with(f'<div class="content-with-sidebar-wrp"><div class="sidebar-content-area"><h1>Älvbrons framtid</h1>'
                     f'<p>{PROJECT_TEXT}</p></div><div class="sidebar"><a href="/x">Relaterade sidor</a></div></div>')
    page = clean_html(html, "https://www.bergby.se/projekt/alvbron")
    assert PROJECT_TEXT in page.text and "Relaterade sidor" not in page.text


def test_closed_accordion_tab_and_details_panels_are_kept():
    html = page_with(
        f'<h1>Älvbrons framtid</h1><p>{PROJECT_TEXT}</p>'
        '<div class="accordion"><button aria-expanded="false" aria-controls="p1">Finansiering</button>'
        '<div id="p1" hidden><p>Projektet finansieras av Europeiska regionala utvecklingsfonden.</p></div></div>'
        '<div role="tabpanel" aria-hidden="true" style="display: none"><p>Projekttid: 2024-01-01 till 2026-12-31.</p></div>'
        '<details><summary>Kontakt</summary><p>Projektledare Eva Lind, eva.lind@bergby.se</p></details>')
    text = clean_html(html, "https://www.bergby.se/projekt/alvbron").text
    for kept in ("Europeiska regionala utvecklingsfonden", "Projekttid: 2024-01-01", "Projektledare Eva Lind"):
        assert kept in text


def test_skip_links_and_screen_reader_duplicates_are_dropped():
    html = ('<html><body><a class="skip" href="#innehall">Hoppa till innehållet</a>'
            '<div><a href="#main">Gå till huvudinnehåll</a></div><main id="innehall"><h1>Älvbrons framtid</h1>'
            f'<p>{PROJECT_TEXT}<span class="sr-only"> Länk till annan webbplats</span></p></main></body></html>')
    text = clean_html(html, "https://www.bergby.se/projekt/alvbron").text
    assert "Hoppa till" not in text and "Gå till" not in text and "Länk till annan webbplats" not in text
    assert PROJECT_TEXT in text


def test_block_texts_never_hold_newlines():
    html = page_with(f'<h1>Älvbrons\n framtid</h1><p>Av <span>Anna\n   Berg</span>, projektledare.</p><p>{PROJECT_TEXT}</p>'
                     '<ul><li>Första\netappen</li></ul>')
    page = clean_html(html, "https://www.bergby.se/projekt/alvbron")
    assert "Av Anna Berg, projektledare." in [b.text for b in page.blocks]
    assert all("\n" not in b.text for b in page.blocks)


def test_definition_lists_and_table_rows_keep_their_kinds():
    html = page_with(f'<h1>Älvbrons framtid</h1><p>{PROJECT_TEXT}</p><dl><dt>Projektägare</dt><dd>Bergby kommun</dd></dl>'
                     '<table><tr><th>Budget</th><td>2 400 000 kronor</td></tr></table>')
    blocks = [(b.kind, b.text) for b in clean_html(html, "https://www.bergby.se/projekt/alvbron").blocks]
    assert ("dt", "Projektägare") in blocks and ("dd", "Bergby kommun") in blocks
    assert ("tr", "Budget | 2 400 000 kronor") in blocks


def test_meta_dates_case_insensitive_and_iso():
    head = ('<meta name="DC.Date.Created" content="14 sep 2023"><meta name="dc.date.modified" '
            'content="2024-03-01T08:00:00+01:00">')
    page = clean_html(page_with(f"<h1>X</h1><p>{PROJECT_TEXT}</p>", head), "https://www.bergby.se/p")
    assert (page.published, page.updated) == ("2023-09-14", "2024-03-01")
    page = clean_html(page_with("<p>x</p>", '<meta name="pubdate" content="2014-12-17"><meta name="moddate" '
                                'content="2017-05-05">'), "u")
    assert (page.published, page.updated) == ("2014-12-17", "2017-05-05")
    page = clean_html(page_with("<p>x</p>", '<meta property="og:updated_time" content="1521561174000">'), "u")
    assert (page.published, page.updated) == (None, "2018-03-20")


def test_visible_swedish_date_lines():
    body = f'<h1>X</h1><p>{PROJECT_TEXT}</p><p>Publicerad 12 mars 2024</p><p>Sidan uppdaterades: 2024-05-02</p>'
    page = clean_html(page_with(body), "https://www.bergby.se/p")
    assert (page.published, page.updated) == ("2024-03-12", "2024-05-02")
    page = clean_html(page_with(f"<p>{PROJECT_TEXT} Planen uppdaterad 2019 gäller.</p><p>Senast uppdaterad den 3 juni "
                                "2023</p>"), "u")
    assert (page.published, page.updated) == (None, "2023-06-03")
    page = clean_html(page_with(f'<p>{PROJECT_TEXT}</p><p>Senast uppdaterad:<br><span>2023-09-14</span></p>'), "u")
    assert page.updated == "2023-09-14"


def test_visible_chars_measure_the_whole_page():
    page = clean_html(page_with(f"<p>{PROJECT_TEXT}</p>"), "u")
    assert page.visible_chars > len(page.text) > 0


def start_page_with(beside_main: str, main: str) -> str:
    return ('<html lang="sv"><head><title>Bergby kommun</title></head><body>'
            '<header><a href="/">Bergby kommun</a><nav><a href="/a">Omsorg och stöd</a></nav></header>'
            f'{beside_main}<div id="content">{main}</div>'
            '<footer><p>Bergby kommun, 999 99 Bergby, 0123-45 67 00</p></footer></body></html>')


def test_start_page_teasers_beside_the_main_element_are_kept():
    hero = ('<div class="hero"><div class="card"><a href="/bad"><h2>Nya badplatsen öppnar i juni</h2>'
            '<p>Kommunen bygger en ny badplats vid sjön.</p></a></div></div>')
    languages = '<div class="lang-list"><h2><a href="/en">English</a></h2><h2><a href="/fi">Suomeksi</a></h2></div>'
    main = '<h2>Nyheter</h2><p>Budgeten för 2025 är antagen av kommunfullmäktige.</p>'
    page = clean_html(start_page_with(hero + languages, main), "https://www.bergby.se/")
    assert [b.text for b in page.blocks] == ["Nya badplatsen öppnar i juni", "Kommunen bygger en ny badplats vid sjön.",
                                             "Nyheter", "Budgeten för 2025 är antagen av kommunfullmäktige."]
    assert "Omsorg och stöd" not in page.text and "0123-45 67 00" not in page.text
    # on a page that is no start page, the main element alone is the main content
    assert "Nya badplatsen" not in clean_html(start_page_with(hero, main), "https://www.bergby.se/nyheter/budget").text


def test_start_page_lists_of_short_links_are_furniture_but_teaser_cards_are_not():
    shortcuts = ('<h2>Genvägar</h2><ul><li><a href="/a"><span>Lediga jobb</span></a></li><li><a href="/b">Taxor och '
                 'avgifter</a></li><li><a href="/c">Felanmälan</a></li></ul>')
    tools = '<div><div><a href="/t"><img src="t.png">Teckenspråk</a></div><div><a href="/l">Lättläst</a></div>' \
            '<div><a href="/e">In English</a></div></div>'
    cards = ''.join(f'<div class="teaser"><a href="/{n}"><div><strong>{n}</strong> - en handbok</div></a></div>'
                    for n in ("Bygglov", "Strandskydd", "Detaljplaner"))
    main = f'<h2>Nyheter</h2><p>Budgeten för 2025 är antagen.</p>{shortcuts}{tools}<div class="grid">{cards}</div>'
    text = clean_html(start_page_with("", main), "https://www.bergby.se/").text
    assert "Budgeten för 2025 är antagen." in text and "Bygglov - en handbok" in text
    for furniture in ("Lediga jobb", "Felanmälan", "Teckenspråk", "Lättläst", "In English"):
        assert furniture not in text
    headlines = ''.join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(
        ("Ny förskola öppnar i Norrby", "Budgeten för nästa år antagen", "Vägarbete på Storgatan i maj")))
    assert "Budgeten för nästa år antagen" in clean_html(start_page_with("", f"<ul>{headlines}</ul>"),
                                                         "https://www.bergby.se/").text  # news headlines, no shortcuts
    # on other pages a list of linked names may be a project's partners
    assert "Lediga jobb" in clean_html(start_page_with("", main), "https://www.bergby.se/projekt/x").text


def test_links_to_listings_are_furniture_read_more_links_are_not():
    main = ('<h1>Nyheter</h1><div class="news"><h3>Budgeten antagen</h3><p>Fullmäktige antog budgeten.</p>'
            '<p class="all"><a href="/nyheter">Gå till nyhetslistan</a></p></div><p><a href="/x">Visa alla '
            'händelser</a></p><p><a href="/uppdrag">Läs mer om vårt uppdrag</a></p><p>Se alla beslut i '
            '<a href="/arkiv">protokollsarkivet</a> för året.</p><p><a href="/f">Alla åldrars förening</a></p>')
    text = clean_html(page_with(main), "https://www.bergby.se/nyheter").text
    assert "Gå till nyhetslistan" not in text and "Visa alla händelser" not in text
    assert "Läs mer om vårt uppdrag" in text and "Se alla beslut i protokollsarkivet för året." in text
    assert "Alla åldrars förening" in text  # a name, not a link to a listing


def test_area_chooser_and_complementary_column_are_furniture():
    main = (f'<h1>Älvbrons framtid</h1><p>{PROJECT_TEXT}</p><div class="pane city-area-chooser"><h3>Inget område '
            'valt</h3><a class="btn" href="?omrade=#x">Välj område</a></div><div class="complementary"><h2>Tillsyn'
            '</h2><p><a href="/k">Kontaktuppgifter för tillsynen</a></p></div>')
    text = clean_html(page_with(main), "https://www.bergby.se/projekt/alvbron").text
    assert PROJECT_TEXT in text
    for furniture in ("Inget område valt", "Välj område", "Kontaktuppgifter för tillsynen"):
        assert furniture not in text


@pytest.mark.parametrize("depth", [250, 300, 2100, 5000])
def test_deeply_nested_text_is_kept_and_counted(depth: int) -> None:
    html = ("<html><head><title>Djup</title></head><body>" + "<div>" * depth + "<p>Första stycket</p><p>Andra "
            "<b>fet</b>stycket</p>" + "</div>" * depth + "<p>Sista stycket</p></body></html>")
    page = clean_html(html, "u")
    assert [b.text for b in page.blocks] == ["Första stycket", "Andra fetstycket", "Sista stycket"]
    assert page.visible_chars == len("Första stycket" "Andra fetstycket" "Sista stycket")


def test_an_unclosed_title_holds_no_markup_and_loses_no_text() -> None:
    page = clean_html("<html><head><title>Trasig sida<body><div><p>Projektet pågår.<div><p>Kontakt: Ada", "u")
    assert page.title == "Trasig sida"
    assert "Projektet pågår." in page.text and "Kontakt: Ada" in page.text and "<" not in page.text


def test_titles_are_capped() -> None:
    long_line = "Ord " * 100_000
    assert len(clean_text(long_line).title) <= 300
    assert len(clean_html(f"<html><head><title>{long_line}</title></head><body><p>x</p></body></html>", "u").title) <= 300


def test_a_very_long_line_is_split_into_bounded_blocks_and_the_text_cut_with_a_mark() -> None:
    sentence = "Projektet pågår länge och har många ord utan slut "
    page = clean_text("Rubrik\n" + sentence * 5_000)
    assert all(len(b.text) <= 2_000 for b in page.blocks) and len(page.blocks) > 10
    assert page.cut_at == 100_000 and len(page.text) <= 100_000
    short = clean_text("Rubrik\n" + sentence * 10)
    assert short.cut_at is None and short.blocks[1].text == (sentence * 10).strip()


def test_a_start_page_is_titled_by_its_title_element_not_a_teaser_heading():
    """On a start page an <h1> may be a news teaser's; the <title> less the site's suffix names the page (on
    ../shared/html it matches the gold title on all 9 start pages, an <h1> on the 3 that have one)."""
    teaser = '<article class="news"><h1><a href="/nyheter/bad">Nya badplatsen öppnar i juni</a></h1><p>Kommunen ' \
             'bygger en ny badplats vid sjön.</p></article>'
    html = start_page_with("", teaser).replace("<title>Bergby kommun</title>", "<title>Startsida - Bergby kommun</title>")
    for url in ("https://www.bergby.se/", "https://www.bergby.se", "https://www.bergby.se/sv/"):
        assert clean_html(html, url).title == "Startsida", url
    assert clean_html(start_page_with("", teaser), "https://www.bergby.se/").title == "Bergby kommun"  # no suffix
    # any other page keeps its own heading
    assert clean_html(html, "https://www.bergby.se/nyheter/bad").title == "Nya badplatsen öppnar i juni"
    # a start page with no <title> falls back to og:title, then to its heading
    bare = html.replace("<title>Startsida - Bergby kommun</title>", "")
    assert clean_html(bare, "https://www.bergby.se/").title == "Nya badplatsen öppnar i juni"


CONSENT_TEXT = ('<p>Vi använder kakor (cookies) för att webbplatsen ska fungera och för att förbättra den. Läs mer om '
                'hur vi använder kakor.</p><button>Godkänn alla</button><button>Endast nödvändiga</button>')
# Consent banners as the common consent tools and CMSs name them (invented text).
CONSENT_BANNERS = {
    "sitevision": f'<div class="sv-cookie-consent-banner">{CONSENT_TEXT}</div>',
    "wordpress": f'<div id="cookie-notice" class="cn-notice">{CONSENT_TEXT}</div>',
    "onetrust": f'<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk">{CONSENT_TEXT}</div></div>',
    "cookiebot": f'<div id="CybotCookiebotDialog">{CONSENT_TEXT}</div>',
    "complianz": f'<div class="cmplz-cookiebanner">{CONSENT_TEXT}</div>',
}


@pytest.mark.parametrize("banner", list(CONSENT_BANNERS))
@pytest.mark.parametrize("main", ["<main></main>", '<main><div id="app"></div></main>', '<div id="app"></div>'])
def test_a_page_whose_only_text_is_a_consent_banner_is_empty(banner: str, main: str) -> None:
    """A page rendered by script shows nothing but the consent banner: its main text is empty (crawl_errors
    kind empty_text), not the banner."""
    html = (f'<html lang="sv"><head><title>Projekt Ljus - Bergby kommun</title></head><body>{CONSENT_BANNERS[banner]}'
            f'{main}</body></html>')
    page = clean_html(html, "https://www.bergby.se/projekt/ljus")
    assert page.text == "" and page.visible_chars > 100
    assert thin_text(len(page.text), page.visible_chars).startswith("empty main text")


def test_a_consent_banner_class_on_a_wrapper_or_inside_the_main_content_keeps_the_text() -> None:
    """A body wrapper flagged while the banner shows, and a page about cookies, are no banners."""
    text = "<h1>Projekt Ljus</h1><p>Projektet finansieras av Europeiska socialfonden och pågår 2024-2026.</p>"
    wrapped = f'<html><body><div class="page cookie-consent-visible"><main>{text}</main></div></body></html>'
    assert "Europeiska socialfonden" in clean_html(wrapped, "https://www.bergby.se/projekt/ljus").text
    wrapped_empty = f'<html><body><div class="page has-cookie-banner"><div id="content">{text}</div></div></body></html>'
    assert "Europeiska socialfonden" in clean_html(wrapped_empty, "https://www.bergby.se/projekt/ljus").text
    about = ('<html><body><main><h1>Kakor</h1><div class="cookie-info"><p>Webbplatsen använder kakor för statistik. '
             'Du kan när som helst ändra ditt samtycke i inställningarna.</p></div></main></body></html>')
    assert "ändra ditt samtycke" in clean_html(about, "https://www.bergby.se/om-webbplatsen/kakor").text
