"""Page preparation and the split of listing pages into projects."""
from __future__ import annotations

import pytest

from pipelines.clean import clean_text
from pipelines.extract.nlp import load_nlp
from pipelines.extract.segment import page_title, prepare, split_projects

LISTING = """Pågående projekt
Här presenteras kommunens pågående utvecklingsprojekt.
Grön omställning i Fjällbygden
Projektägare: Bergs kommun
Projektperiod: 2021-01-01–2022-12-31
Projektet ska minska energianvändningen i kommunens lokaler.
Digitala byar
Projektägare: Region Jämtland Härjedalen
Projektperiod: 2022-03-01–2023-06-30
Projektet prövar nya digitala tjänster på landsbygden.
"""

SINGLE = """Hoppa till innehåll
Lyssna på sidan
Nya vägar till arbete
Projektet ”Nya vägar till arbete” finansieras av Europeiska socialfonden och drivs av Bjuvs kommun.
Syfte
Syftet är att fler ska komma i arbete.
"""


def split(text: str):
    page = clean_text(text)
    page_text = prepare(page)
    doc = load_nlp()(page_text.text)
    return page_text, split_projects(page_text, doc, page.title)


def test_listing_splits_by_project_headings() -> None:
    page_text, (sections, preamble) = split(LISTING)
    assert [s.title for s in sections] == ["Grön omställning i Fjällbygden", "Digitala byar"]
    assert preamble == sections[0].first
    assert "Bergs kommun" in page_text.blocks[sections[0].first + 1].text


def test_single_project_takes_the_quoted_name_and_skips_furniture() -> None:
    page_text, (sections, _) = split(SINGLE)
    assert len(sections) == 1 and sections[0].title == "Nya vägar till arbete"
    assert page_title(page_text, "") == "Nya vägar till arbete"
    assert all(b.text not in ("Hoppa till innehåll", "Lyssna på sidan") for b in page_text.blocks)


def test_page_owner_box_is_cut_off() -> None:
    text = SINGLE + "Sidansvarig:\nAnna Andersson\n070-123 45 67\n"
    page_text = prepare(clean_text(text))
    assert page_text.blocks[page_text.owner_box].text == "Sidansvarig:"


def test_link_labels_are_cut_out_of_text() -> None:
    page_text = prepare(clean_text("Rubrik\nFinansieras av Region Skåne Länk till annan webbplats, öppnas i nytt fönster., "
                                   "och Lunds kommun."))
    assert "Region Skåne, och Lunds kommun." in page_text.text


def test_table_rows_and_definitions_become_fact_lines() -> None:
    from pipelines.page import Block, CleanPage

    page = CleanPage(url="", title="X", blocks=[Block("h1", "Projekt X"), Block("tr", "Projektägare | Bergs kommun"),
                                                Block("dt", "Projektperiod"), Block("dd", "2021–2023")])
    assert [b.text for b in prepare(page).blocks] == ["Projekt X", "Projektägare: Bergs kommun", "Projektperiod: 2021–2023"]


def test_section_headings_label_values_and_list_items_do_not_split_a_project() -> None:
    text = """Cykelvänliga Ånge
Publicerad 2024-05-02
Projektet ska bygga nya cykelstråk mellan byarna.
Vem gör vad?
Ånge kommun är projektägare.
Projektpartners:
Ånge Energi och Miljö AB
Medelpads Cykelklubb
Finansiering och tid
Projektet finansieras av Trafikverket.
Projektperiod
1 maj 2024 – 30 april 2026
Kontaktperson
070-123 45 67
"""
    page = clean_text(text)
    page_text = prepare(page)
    doc = load_nlp()(page_text.text)
    sections, _ = split_projects(page_text, doc, page.title)
    assert len(sections) == 1 and sections[0].title == "Cykelvänliga Ånge"


def test_reader_addressing_headings_are_not_project_titles():
    from pipelines.clean import clean_html
    from pipelines.extract.engine import Extractor

    html = ("<html><body><main><h1>Levande fäbodar</h1><p>Levande fäbodar är ett projekt som finansieras av "
            "Jordbruksverket genom Leader Sjöriket och pågår 2024–2026.</p><h2>Så kan du delta</h2>"
            "<p>Anmäl dig till en träff i din by.</p><h2>Vill du vara med?</h2><p>Hör av dig till oss.</p>"
            "</main></body></html>")
    record = next(Extractor().extract([clean_html(html, "https://www.mora.se/projekt/fabodar")]))
    assert [project["title"] for project in record["projects"]] == ["Levande fäbodar"]


NAMED_IN_INTRO = """Två nya samverkansprojekt i länet
Nämnden har beviljat medel till två projekt. I mars startar projekten Stigar i skogen och Vatten för alla, båda treåriga.
Stigar i skogen, inom området friluftsliv, leds av Orsa kommun tillsammans med Älvdalens kommun.
Vatten för alla, inom området miljö, drivs av Region Dalarna med Mora kommun som partner.
"""


def test_projects_named_in_the_introduction_split_at_the_paragraphs_that_open_with_them() -> None:
    page_text, (sections, preamble) = split(NAMED_IN_INTRO)
    assert [s.title for s in sections] == ["Stigar i skogen", "Vatten för alla"]
    assert preamble == sections[0].first and all(s.named for s in sections)
    assert "Orsa kommun" in page_text.blocks[sections[0].first].text


def test_an_organisation_opening_a_paragraph_is_not_a_named_project() -> None:
    text = ("Nyheter om projekten\nProjekten leds av Orsa kommun och Mora kommun.\n"
            "Orsa kommun, som leder arbetet, har anställt en projektledare.\n"
            "Mora kommun, som deltar, bidrar med lokaler.\n")
    _, (sections, _) = split(text)
    assert len(sections) == 1


LISTED_THEN_DESCRIBED = """Miljoner till länets projekt
Följande projekt har fått medel:
• Grön dal, 12 miljoner kronor (projektägare Region Gävleborg)
• Bygdekraft, 4,5 miljoner kronor (projektägare Ovanåkers kommun)
Om projekten
Projektet Grön dal ska minska utsläppen. Orterna som ingår i projektet är: Bollnäs, Söderhamn och Ljusdal.
"""


def test_a_paragraph_below_a_listing_about_one_listed_project_joins_that_project() -> None:
    page_text, (sections, _) = split(LISTED_THEN_DESCRIBED)
    assert [s.title for s in sections] == ["Grön dal", "Bygdekraft"]
    described = next(i for i, b in enumerate(page_text.blocks) if b.text.startswith("Projektet Grön dal"))
    assert sections[0].more == (described,) and sections[1].more == ()


def test_bare_municipalities_after_ingar_i_projektet_are_partners() -> None:
    from pipelines.clean import clean_text as text_page
    from pipelines.extract.engine import Extractor
    record = next(Extractor().extract([text_page(LISTED_THEN_DESCRIBED)]))
    partners = {p["name"] for p in record["projects"][0]["partners"]}
    assert {"Bollnäs kommun", "Söderhamns kommun", "Ljusdals kommun"} <= partners
    assert not record["projects"][1]["partners"]


THEME_TITLE_OWNER = """Nya projekt i länet
Två av de beviljade projekten leds från länet:
Hållbart friluftsliv: Leder i skogen - Skogsstyrelsen
Projektet ska rusta upp vandringsleder i länets skogar.
Kontaktperson
: projektledare Eva Berg, Skogsstyrelsen, 0123-456 78
Energi och klimat: Solkraft i byarna - Region Dalarna
Projektet bygger solcellsparker tillsammans med Leksands kommun.
"""


def test_theme_title_owner_lines_above_projektet_are_listed_projects_with_their_contact() -> None:
    page_text, (sections, _) = split(THEME_TITLE_OWNER)
    assert [(s.title, s.owner) for s in sections] == [("Leder i skogen", "Skogsstyrelsen"),
                                                     ("Solkraft i byarna", "Region Dalarna")]
    first = page_text.blocks[sections[0].first:sections[0].last]
    assert any("Eva Berg" in b.text for b in first)


def test_a_quoted_name_after_a_decision_word_titles_its_section() -> None:
    text = ("Utvecklingsarbete\nTurism\nVerket beviljar högst 900 000 kronor till Hjo kommun för att bedriva den "
            "verksamhet som anges i detta beslut ”Hållbar turism i Hjo”.\nFiske\nVerket beviljar Hjo kommun stöd "
            "för att genomföra projektet ”Fiske för alla”, dock högst 300 000 kronor.\n")
    _, (sections, _) = split(text)
    assert [s.title for s in sections] == ["Hållbar turism i Hjo", "Fiske för alla"]


def test_a_project_granted_money_in_passing_is_listed_and_a_cut_off_owner_is_dropped() -> None:
    from pipelines.clean import clean_text as text_page
    from pipelines.extract.engine import Extractor
    text = LISTED_THEN_DESCRIBED + "Dessutom får projektet ”Sjöfart 3” 9,5 miljoner kronor. Det ägs av Hav\n"
    record = next(Extractor().extract([text_page(text)]))
    last = record["projects"][-1]
    assert [p["title"] for p in record["projects"]] == ["Grön dal", "Bygdekraft", "Sjöfart 3"]
    assert last["budget_sek"] == 9_500_000 and last["owner"] is None


def test_a_heading_that_calls_itself_a_project_starts_one() -> None:
    text = ("Landsbygdsutveckling\nHär berättar vi om kommunens arbete med landsbygden.\nBygdeliv\n"
            "Bygdeliv är ett projekt med stöd från Leader Mittland och Hjo kommun.\nStigfinnare - ett EU-projekt\n"
            "Under åren 2019-2021 pågick ett EU-projekt om vandringsleder.\n")
    _, (sections, _) = split(text)
    assert [s.title for s in sections][-2:] == ["Bygdeliv", "Stigfinnare"]


ACRONYMS = """Två projekt som ska stärka besöksnäringen
Två EU-projekt ska stärka kommunens arbete med turism.
I maj beviljades ett regionalfondsprojekt vid namn LUPP, som ska utveckla besöksmål längs kusten.
Strax därefter kom beskedet att samarbetsprojektet KUSTNÄRA får pengar från Interreg Europa.
Kort info om projekten
Projektnamn: LUPP (Levande utvecklade platser)
Partners: Hjo kommun och Högskolan i Skövde
"""


def test_acronym_named_projects_of_a_news_text_each_take_their_own_fact_box() -> None:
    page_text, (sections, _) = split(ACRONYMS)
    assert [s.title for s in sections] == ["LUPP (Levande utvecklade platser)", "KUSTNÄRA"]
    partners_line = next(i for i, b in enumerate(page_text.blocks) if b.text.startswith("Partners:"))
    assert partners_line in sections[0].more and partners_line not in sections[1].more


def test_one_acronym_project_with_its_forerunner_is_one_project() -> None:
    text = ("Nytt projekt\nProjektet LUPP ska utveckla besöksmål. Det bygger på förprojektet KUSTNÄRA.\n"
            "Förprojektet KUSTNÄRA avslutades 2022.\n")
    _, (sections, _) = split(text)
    assert len(sections) == 1


@pytest.mark.parametrize(("headline", "body", "title"), [
    ("Nytt Leaderprojekt: Vandringsleder i Ekedalen",
     "Föreningen Ekedalens vänner har beviljats stöd från Leader Skogsbygd.", "Vandringsleder i Ekedalen"),
    ("Nu startar projektet Unga entreprenörer",
     "Projektet drivs av Hagfors kommun och pågår till och med 2026.", "Unga entreprenörer"),
    ("Projektet Säkra skolvägar drar igång",
     "Projektet Säkra skolvägar drivs av Sunne kommun.", "Säkra skolvägar"),
    ("Klartecken för förstudien Fiber till byarna", "Förstudien drivs av Torsby kommun.", "Fiber till byarna"),
    # no project noun in the headline: the name counts where the text names it as a project
    ("Levande torg beviljas medel",
     "Projektet Levande torg har beviljats 1,2 miljoner kronor från Boverket.", "Levande torg"),
    ("Klartecken för Framtidens mötesplats",
     "Länsstyrelsen har beviljat medel till projektet Framtidens mötesplats.", "Framtidens mötesplats"),
    ("Nu drar Torget i Byn igång", "Projektet Torget i Byn drivs av Sunne kommun.", "Torget i Byn"),
    ("Bygdens hjärta – nytt projekt för föreningslivet", "Det drivs av Hagfors kommun.", "Bygdens hjärta"),
    ("Sunne kommun får 3 miljoner till Vatten i Sunne",
     "Projektet Vatten i Sunne ska ge renare sjöar.", "Vatten i Sunne"),
    ("Pressmeddelande: Grön hamn får EU-stöd", "Projektet Grön hamn drivs av Hagfors kommun.", "Grön hamn"),
    ("New project: Bright Shores", "The project Bright Shores is led by Sunne Municipality.", "Bright Shores"),
    ("Nu är projektet Trygga gårdar igång", "Projektet drivs av Sunne kommun.", "Trygga gårdar"),
    ("Beviljat: Trygga gårdar", "Projektet Trygga gårdar drivs av Sunne kommun.", "Trygga gårdar"),
    ("Uppstart för projektet Trygga gårdar", "Projektet drivs av Sunne kommun.", "Trygga gårdar"),
    ("Trygga gårdar förlängs", "Projektet Trygga gårdar drivs av Sunne kommun.", "Trygga gårdar"),
    ("Avslutat projekt: Trygga gårdar", "Projektet drivs av Sunne kommun.", "Trygga gårdar"),
    ("Bright Shores receives EU funding", "The project Bright Shores is led by Sunne Municipality.", "Bright Shores"),
])
def test_a_news_headline_titles_the_project_by_its_name(headline, body, title) -> None:
    _, (sections, _) = split(f"{headline}\n{body}\n")
    assert [s.title for s in sections] == [title]


@pytest.mark.parametrize("text", [
    "Hembygdsföreningen Ekbacken får stöd\nHembygdsföreningen Ekbacken har beviljats stöd från Leader Skogsbygd.\n",
    "Kommunen får stöd för Ekbacken Arena\nArenan byggs om under året.\n",
])
def test_a_headline_without_a_name_the_text_calls_a_project_keeps_its_words(text) -> None:
    _, (sections, _) = split(text)
    assert [s.title for s in sections] == [text.split("\n")[0]]


def test_english_furniture_and_a_facts_heading_neither_title_nor_split_a_project() -> None:
    _, (sections, _) = split("Skip to content\nListen\nThis website uses cookies. Read more about cookies\n"
                             "Salt Meadows – restoring coastal grazing\n"
                             "Northby Municipality is lead partner in Salt Meadows, an Interreg Aurora project.\n"
                             "Facts\nFunding: European Regional Development Fund\n"
                             "Project period: 1 March 2024 – 28 February 2027\n")
    assert [s.title for s in sections] == ["Salt Meadows – restoring coastal grazing"]


def test_a_new_project_headline_without_its_name_takes_the_one_project_its_text_names() -> None:
    _, (sections, _) = split("Nytt projekt ska ge fler gröna jobb\nProjektet Gröna jobb i Sunne drivs av Sunne kommun.\n")
    assert [s.title for s in sections] == ["Gröna jobb i Sunne"]


def test_a_headline_about_an_organisation_takes_the_one_project_its_text_names() -> None:
    _, (sections, _) = split("Ekbackens hembygdsförening får stöd\n"
                             "Ekbackens hembygdsförening har beviljats stöd från Leader Skogsbygd för projektet "
                             "Bygdens skafferi. Projektet pågår till och med 2027.\n")
    assert [s.title for s in sections] == ["Bygdens skafferi"]
