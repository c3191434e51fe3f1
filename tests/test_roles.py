"""Role attribution from the sentence: funders, owners and partners by cue, with negatives."""
from __future__ import annotations

import pytest

from pipelines.extract.nlp import load_nlp


def roles(text: str) -> dict[str, str]:
    doc = load_nlp()(text)
    return {span.text: span.label_ for span in doc.spans["roles"]}


@pytest.mark.parametrize("text, expected", [
    ("Projektet finansieras av Tillväxtverket och Region Gävleborg.",
     {"Tillväxtverket": "funder", "Region Gävleborg": "funder"}),
    ("Satsningen delfinansieras av Europeiska regionala utvecklingsfonden via Interreg Nord.",
     {"Europeiska regionala utvecklingsfonden": "funder", "Interreg Nord": "funder"}),
    ("Medfinansiärer: Region Västerbotten, Skellefteå kommun och Norsjö kommun",
     {"Region Västerbotten": "funder", "Skellefteå kommun": "funder", "Norsjö kommun": "funder"}),
    ("Förstudien genomförs med stöd från Jordbruksverket.", {"Jordbruksverket": "funder"}),
    ("Vinnova har beviljat Luleå kommun 2 miljoner kronor.", {"Vinnova": "funder", "Luleå kommun": "owner"}),
    ("Region Örebro län medfinansierar projektet.", {"Region Örebro län": "funder"}),
    ("Projektägare: Kramfors kommun", {"Kramfors kommun": "owner"}),
    ("Sollefteå kommun är projektägare och driver arbetet tillsammans med Härnösands kommun.",
     {"Sollefteå kommun": "owner", "Härnösands kommun": "partner"}),
    ("Projektet drivs av Mittuniversitetet i samverkan med Sundsvalls kommun och Timrå kommun.",
     {"Mittuniversitetet": "owner", "Sundsvalls kommun": "partner", "Timrå kommun": "partner"}),
    ("Projektet är ett samarbete mellan Ljusdal, Nordanstig och Hudiksvalls kommun.",
     {"Ljusdal": "partner", "Nordanstig": "partner", "Hudiksvalls kommun": "partner"}),
    ("I projektet deltar kommunerna Sala, Heby och Tierp.", {"Sala": "partner", "Heby": "partner", "Tierp": "partner"}),
    ("Vetlanda och Eksjö kommuner är projektparter.", {"Vetlanda": "partner", "Eksjö": "partner"}),
    ("Projektet leds av Stiftelsen Gröna Dalen med Skogsstyrelsen och Åre kommun som partners.",
     {"Stiftelsen Gröna Dalen": "owner", "Skogsstyrelsen": "partner", "Åre kommun": "partner"}),
    ("Föreningen Bygdekraft har beviljats stöd från Leader Mittland.",
     {"Föreningen Bygdekraft": "owner", "Leader Mittland": "funder"}),
    # a place name that begins a longer name is no bare municipality
    ("Arbetet sker i samverkan med Torsby kommun och Torsby Folkets Hus.",
     {"Torsby kommun": "partner", "Torsby Folkets Hus": "partner", "Torsby": None}),
])
def test_roles_from_cues(text: str, expected: dict[str, str]) -> None:
    found = roles(text)
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize("text, name", [
    ("Strukturfondspartnerskapet i Norra Mellansverige prioriterade projektet i går.", "Strukturfondspartnerskapet"),
    ("Bergs kommun är delfinansiär i Leader Jämtlandsfjällen.", "Bergs kommun"),
    ("Folkhälsomyndigheten och Region Uppsala har skärpt råden för att minska smittspridningen.", "Region Uppsala"),
    ("Det tidigare projektet drevs av Region Kronoberg tillsammans med Växjö kommun.", "Region Kronoberg"),
])
def test_no_role_in_negative_contexts(text: str, name: str) -> None:
    assert roles(text).get(name) in (None, "none")


def test_programme_named_in_passing_is_no_funder() -> None:
    found = roles("Mer information om Interreg Aurora finns på programmets webbplats.")
    assert found.get("Interreg Aurora") in (None, "none")


def test_parenthesis_does_not_end_the_list() -> None:
    found = roles("Projektet finansieras av Svenska ESF-rådet (statlig myndighet med uppdrag från regeringen) "
                  "samt Region Jönköpings län.")
    assert found["Region Jönköpings län"] == "funder"
    assert found.get("regeringen") in (None, "none")


def test_capitalised_words_inside_a_name_are_no_cues() -> None:
    assert roles("Förstudien Leder i Fjällen är ett samarbete.").get("Fjällen") is None


def test_unknown_organisation_named_by_a_cue() -> None:
    assert roles("Projektet pågår 2022 och Utvecklingsrådet Norra Bygden medfinansierar projektet.") == {
        "Utvecklingsrådet Norra Bygden": "funder"}


def test_place_after_preposition_is_no_organisation() -> None:
    assert "Jämtland" not in roles("Tre kommuner från Jämtland får stöd från Vinnova.")


def test_sourced_ner_keeps_its_weights() -> None:
    from pipelines.extract.nlp import build_nlp, has_model
    from pipelines.ner import MODEL_DIR

    if not has_model(MODEL_DIR):
        pytest.skip("the NER model has not been trained yet")
    import spacy

    text = "Anna Berg arbetar på Volvo i Göteborg och leder projektet."
    expected = [(e.text, e.label_) for e in spacy.load(MODEL_DIR)(text).ents]
    assert [(e.text, e.label_) for e in build_nlp(MODEL_DIR)(text).ents] == expected


@pytest.mark.parametrize("text, expected", [
    # names with lower-case words, foreign organisations and company forms that are in no list
    ("Projektet drivs i samverkan med Norrbottens läns bostadsbolag och Skogsägarna Norrskog.",
     {"Norrbottens läns bostadsbolag": "partner"}),
    ("I projektet deltar Östersunds sportklubb, Jämtlands bildningsförbund och Mora stadsbibliotek.",
     {"Östersunds sportklubb": "partner", "Jämtlands bildningsförbund": "partner", "Mora stadsbibliotek": "partner"}),
    ("Projektet genomförs tillsammans med Rovaniemen kaupunki, Pohjois-Pohjanmaan liitto och Bodø kommune.",
     {"Rovaniemen kaupunki": "partner", "Pohjois-Pohjanmaan liitto": "partner", "Bodø kommune": "partner"}),
    ("Projektet leds av University of Oulu i samarbete med Narvik Havn AS och Kemi Shipping Oy.",
     {"University of Oulu": "owner", "Narvik Havn AS": "partner", "Kemi Shipping Oy": "partner"}),
    ("Projektet drivs av Luleå kommun i samverkan med Norrlands Sten och Betong AB.",
     {"Luleå kommun": "owner", "Norrlands Sten och Betong AB": "partner"}),
    ("Projektet genomförs med medel från Kungliga Vitterhets- och Antikvitetsakademien.",
     {"Kungliga Vitterhets- och Antikvitetsakademien": "funder"}),
    ("Arbetet sker i samverkan med LRF Jämtland och Coompanion Västernorrland.",
     {"LRF Jämtland": "partner", "Coompanion Västernorrland": "partner"}),
    ("Projektet genomförs i samarbete med företaget Fjällvind Teknik AB.", {"Fjällvind Teknik AB": "partner"}),
])
def test_organisation_shapes(text: str, expected: dict[str, str]) -> None:
    found = roles(text)
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize("text, expected", [
    ("Kalix kommun har beviljats 2,5 miljoner kronor av Tillväxtverket.", {"Kalix kommun": "owner", "Tillväxtverket": "funder"}),
    ("Ragunda kommun står för 25 procent av kostnaderna.", {"Ragunda kommun": "funder"}),
    ("Föreningen får 120 000 kronor i LONA-bidrag från Länsstyrelsen Dalarna.", {"Länsstyrelsen Dalarna": "funder"}),
    ("Verksamheten finansieras med statsbidrag från Socialstyrelsen.", {"Socialstyrelsen": "funder"}),
    ("Finansiering: Vinnova 60 % | Region Gävleborg 40 %", {"Vinnova": "funder", "Region Gävleborg": "funder"}),
    ("Resten delas lika mellan Sala kommun och Heby kommun.", {"Sala kommun": "funder", "Heby kommun": "funder"}),
    ("Bollnäs kommun är en av parterna i projektet.", {"Bollnäs kommun": "partner"}),
    ("I projektet samverkar vi med Ovanåkers kommun och Hälsinglands Sparbank.",
     {"Ovanåkers kommun": "partner", "Hälsinglands Sparbank": "partner"}),
    ("Med oss har vi Arvidsjaurs kommun och Piteå Science Park.", {"Arvidsjaurs kommun": "partner"}),
    ("På finsk sida är Kemin kaupunki och Tornion kaupunki partners.",
     {"Kemin kaupunki": "partner", "Tornion kaupunki": "partner"}),
    ("Från näringslivet deltar Grustaget i Bjurholm AB och Vindelälvens Turism.", {"Vindelälvens Turism": "partner"}),
    ("Kiruna kommun deltar inte i projektet.", {"Kiruna kommun": "none"}),
    # an agency granting money out of a fund: both pay (gold: 'finansieras av Jordbruksverket via Landsbygdsfonden')
    ("Tillväxtverket har beviljat stöd ur Europeiska regionala utvecklingsfonden till projektet.",
     {"Tillväxtverket": "funder", "Europeiska regionala utvecklingsfonden": "funder"}),
    ("Jordbruksverket har beviljat 1,8 miljoner kronor ur Landsbygdsfonden till Brattfors kommun.",
     {"Jordbruksverket": "funder", "Landsbygdsfonden": "funder", "Brattfors kommun": None}),
    ("Länsstyrelsen har beviljat medel från Havs- och fiskerifonden.",
     {"Länsstyrelsen": "funder", "Havs- och fiskerifonden": "funder"}),
    ("Länsstyrelsen har beviljat stöd inom ramen för Landsbygdsprogrammet.",
     {"Länsstyrelsen": "funder", "Landsbygdsprogrammet": "funder"}),
    ("Tillväxtverket beviljar stöd från Europeiska regionala utvecklingsfonden till projektet.",
     {"Tillväxtverket": "funder", "Europeiska regionala utvecklingsfonden": "funder"}),
    ("Föreningen har beviljats stöd från Tillväxtverket ur Europeiska regionala utvecklingsfonden.",
     {"Tillväxtverket": "funder", "Europeiska regionala utvecklingsfonden": "funder"}),
    # the English page of a Swedish body's EU project
    ("The project is funded by the European Regional Development Fund through Interreg Aurora.",
     {"European Regional Development Fund": "funder", "Interreg Aurora": "funder"}),
    ("The pilot is a project between Brattfors Municipality and Northfield College, with support from the "
     "European Social Fund Plus.", {"Brattfors Municipality": "partner", "Northfield College": "partner",
                                    "European Social Fund Plus": "funder"}),
    ("The project is coordinated by Brattfors Municipality.", {"Brattfors Municipality": "owner"}),
    ("Brattfors Municipality is the project owner and works with Northfield College.",
     {"Brattfors Municipality": "owner"}),
    ("Programme: Interreg Aurora", {"Interreg Aurora": "funder"}),
    ("The project is implemented by Brattfors Municipality in cooperation with Northfield College.",
     {"Brattfors Municipality": "owner", "Northfield College": "partner"}),
    ("Region Brattfors participates in the project together with the Municipality of Eastvik.",
     {"Region Brattfors": "partner", "Municipality of Eastvik": "partner"}),
    ("Together with the City of Tartu in Estonia, Riga Technical University in Latvia and the Åland Government, "
     "we develop new services.", {"City of Tartu": "partner", "Riga Technical University": "partner",
                                  "Åland Government": "partner"}),
    ("The project involves Brattfors Municipality, Eastvik Harbour and Northfield College.",
     {"Brattfors Municipality": "partner", "Eastvik Harbour": "partner", "Northfield College": "partner"}),
    # a fund in parentheses after the EU is the fund the EU pays through, not another name of the EU
    ("The project is part-financed by the European Union (European Regional Development Fund).",
     {"European Union": "funder", "European Regional Development Fund": "funder"}),
    ("Projektet delfinansieras av Europeiska unionen (Europeiska socialfonden).",
     {"Europeiska unionen": "funder", "Europeiska socialfonden": "funder"}),
])
def test_funder_and_partner_phrasings(text: str, expected: dict[str, str]) -> None:
    found = roles(text)
    assert {k: found.get(k) for k in expected} == expected


def test_list_items_below_a_label_with_unlisted_names() -> None:
    found = roles("Projektpartners:\nMälarenergi och Vatten AB\nRäddningsmissionen\nGöteborgsregionen (GR)\n"
                  "Sparbanksstiftelsen Bergslagen\nSkellefteå kommun")
    assert found == {"Mälarenergi och Vatten AB": "partner", "Räddningsmissionen": "partner",
                     "Göteborgsregionen": "partner", "Sparbanksstiftelsen Bergslagen": "partner",
                     "Skellefteå kommun": "partner"}


def test_logo_of_the_owner_is_not_a_funder() -> None:
    found = roles("Projektägare: Gränskommittén Nord\nFinansiärer\nLogotyp Gränskommittén Nord\nLogotyp Region Norrbotten")
    assert found == {"Gränskommittén Nord": "owner", "Region Norrbotten": "funder"}


def test_parts_and_sentence_words_are_not_names() -> None:
    found = roles("Inom staden deltar även stadsdelarna Majorna och Tynnered.")
    assert "Majorna" not in found and "Tynnered" not in found
    assert "AB" not in roles("Projektet genomförs tillsammans med Norrfors lantbruk AB.")


def test_name_boundaries_ampersand_suspended_compound_and_coordinated_legal_forms() -> None:
    from pipelines.extract.nlp import load_nlp
    doc = load_nlp()("Projektet ägs av Samordningsförbundet Berg & Dal. Partners: Kultur- och Fritidsrådet, "
                     "Ljusdal-Hudik Regionen och Region Gävleborg.")
    roles = {(s.text, s.label_) for s in doc.spans["roles"]}
    assert ("Samordningsförbundet Berg & Dal", "owner") in roles
    assert ("Kultur- och Fritidsrådet", "partner") in roles
    assert ("Ljusdal-Hudik Regionen", "partner") in roles
    assert not any(text in ("Dal", "Fritidsrådet", "Regionen") for text, _ in roles)


def test_an_acronym_after_a_generic_organisation_head_belongs_to_the_name() -> None:
    found = roles("Projektet drivs av Lerums kommun och Riksförbundet RBU i samarbete med Förbundet SKPF och "
                  "Föreningen RSMH. Förbundet har beviljat 200 000 SEK.")
    assert {"Riksförbundet RBU", "Förbundet SKPF", "Föreningen RSMH"} <= set(found)
    assert not {"Riksförbundet", "Förbundet SKPF och", "SEK"} & set(found)


def test_a_department_counts_as_the_municipality_its_sentence_names() -> None:
    from pipelines.extract.nlp import load_nlp
    doc = load_nlp()("Från Orsa deltar socialförvaltningen. Miljönämnden i Mora kommun medverkar.")
    roles = {(s.id_, s.label_) for s in doc.spans["roles"]}
    assert ("kommun/2034", "partner") in roles and ("kommun/2062", "partner") in roles


def test_a_municipality_name_without_its_genitive_s_finds_the_municipality() -> None:
    from pipelines.extract.registry import load_registry
    assert load_registry().for_name("Jonkoping kommun").name == "Jönköpings kommun"


def test_a_site_name_spelt_a_little_differently_finds_its_municipality_and_no_other() -> None:
    from pipelines.extract.registry import load_registry
    registry = load_registry()
    assert registry.for_site_name("Gellivare kommun").name == "Gällivare kommun"
    assert registry.for_site_name("Ltkalmar kommun") is None and registry.for_site_name("Esf kommun") is None


def test_a_county_board_in_the_genitive_owns_its_project_and_ansvarar_for_att_leda_is_an_owner_cue() -> None:
    from pipelines.extract.nlp import load_nlp
    nlp = load_nlp()
    doc = nlp("Länsstyrelsen i Dalarnas projekt har beviljats 2 miljoner kronor.")
    assert [(s.id_, s.label_) for s in doc.spans["roles"] if s.label_ == "owner"] == [("lansstyrelse/20", "owner")]
    doc = nlp("Region Dalarna ansvarar för att leda arbetet i förstudien.")
    assert [(s.text, s.label_) for s in doc.spans["roles"]] == [("Region Dalarna", "owner")]


def test_a_short_name_or_acronym_of_the_owner_is_not_a_second_partner() -> None:
    from pipelines.clean import clean_text
    from pipelines.extract.engine import Extractor
    text = ("Rena vatten\nProjektägare: Kunskapscentrum Vatten och Miljö (KVM).\n"
            "KVM driver projektet i samverkan med Lekebergs kommun.\n")
    project = next(Extractor().extract([clean_text(text)]))["projects"][0]
    assert project["owner"]["name"] == "Kunskapscentrum Vatten och Miljö"
    assert [p["name"] for p in project["partners"]] == ["Lekebergs kommun"]


def test_a_country_is_no_organisation_and_not_part_of_a_partner_name() -> None:
    from pipelines.extract.nlp import load_nlp
    nlp = load_nlp()
    doc = nlp("Kommunen samarbetar med Tartu i Estland och med partners från Lettland och Finland.")
    assert [(s.text, s.label_) for s in doc.spans["roles"] if s.label_ == "partner"] == [("Tartu", "partner")]


def test_management_as_a_common_noun_is_no_department() -> None:
    from pipelines.extract.nlp import load_nlp
    doc = load_nlp()("Organisationen ska leda arbetet med förvaltning och utveckling av lederna.")
    assert not [s for s in doc.spans["orgs"] if s.text == "förvaltning"]
    doc = load_nlp()("Kommunens socialförvaltning leder projektet.")
    assert [s.id_ for s in doc.spans["orgs"] if s.text == "socialförvaltning"] == ["self"]


def test_samverka_med_gives_both_sides_and_kommunen_is_no_region() -> None:
    from pipelines.clean import clean_html
    from pipelines.extract.engine import Extractor
    html = ("<html><head><meta property='og:site_name' content='Region Dalarna'></head><body><main><h1>Vård nära</h1>"
            "<p>Kommunen och Högskolan Dalarna ska i projektet samverka med Vårdlabbet Nord. "
            "Projektet pågår 2024–2025.</p></main></body></html>")
    project = next(Extractor().extract([clean_html(html, "")]))["projects"][0]
    names = {p["name"] for p in project["partners"]} | {(project["owner"] or {}).get("name")}
    assert {"Högskolan Dalarna", "Vårdlabbet Nord"} <= names and "Region Dalarna" not in names
