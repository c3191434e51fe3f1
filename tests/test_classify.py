"""Project pages versus calls, agendas and funding information."""
from __future__ import annotations

from pipelines.classify import is_project_page, swedish_share
from pipelines.clean import clean_text

FACTS = [{"funders": [{"name": "Vinnova"}], "partners": [], "owner": None, "start": "2021", "end": None}]


def test_project_page() -> None:
    page = clean_text("Smart belysning\nProjektet pågår 2021–2023 och finansieras av Vinnova. Projektägare är kommunen.")
    assert is_project_page(page, FACTS)


def test_call_for_applications_is_not_a_project() -> None:
    page = clean_text("Ny utlysning\nVinnova utlyser 20 miljoner kronor. Sista ansökningsdag är 1 mars och du kan söka "
                      "stöd för projektet du planerar.")
    assert not is_project_page(page, FACTS)


def test_agenda_is_not_a_project() -> None:
    page = clean_text("Sammanträde 12 mars\nFöredragningslista för nämndens sammanträde. Projektet X redovisas.")
    assert not is_project_page(page, FACTS)


def test_no_facts_no_project() -> None:
    page = clean_text("Om projektet\nProjektet är viktigt för oss.")
    empty = [{"funders": [], "partners": [], "owner": None, "start": None, "end": None}]
    assert not is_project_page(page, empty)


def test_language() -> None:
    assert swedish_share("Projektet finansieras av kommunen och pågår till 2024 med stöd från regionen.") > 0.2
    assert swedish_share("Hanketta rahoittaa Euroopan aluekehitysrahasto ja Lapin liitto.") < 0.05


def test_project_page_without_the_word_projektet() -> None:
    page = clean_text("Ny lekplats i Backe\nSatsningen görs med stöd från Boverket och ska stå klar 2025.")
    assert is_project_page(page, FACTS)


def test_fact_box_listing_counts_as_swedish() -> None:
    page = clean_text("Pågående projekt\nLjusare vägar\nProjektägare: Ånge kommun\nFinansiär: Trafikverket\nProjekttid: 2024–2025")
    assert is_project_page(page, FACTS)


def test_procurement_notice_is_not_a_project() -> None:
    page = clean_text("Upphandling av följeforskning\nKommunen inbjuder till anbud på utvärdering av projektet Gröna gårdar, "
                      "som finansieras av Vinnova. Sista dag för anbud är 1 oktober.")
    assert not is_project_page(page, FACTS)


def test_indefinite_project_phrasing_is_a_project_cue():
    from pipelines.classify import project_cue_score

    assert project_cue_score("Bygdebussen är ett treårigt projekt i norra Dalarna.") >= 1.0
    assert project_cue_score("Det är ett Leaderprojekt som drivs av byalaget.") >= 1.0
    assert project_cue_score("Vi söker en handläggare till vår enhet.") == 0


def test_short_english_project_page_and_an_english_call() -> None:
    facts = [{"funders": [{"name": "European Regional Development Fund"}], "partners": [{"name": "Norrvik Municipality"}],
              "owner": None, "start": "2024", "end": "2026"}]
    page = clean_text("Green Docks\nGreen Docks is an Interreg Baltic Sea Region project on cleaner ports. "
                      "Partners: Norrvik Municipality, Port of Eastvik. The work runs until December 2026.")
    assert is_project_page(page, facts)
    call = clean_text("Call for proposals 2025\nThe programme opens a call for proposals in March 2025. The project "
                      "must have partners in two countries. The application deadline is 15 May 2025.")
    assert not is_project_page(call, facts)
