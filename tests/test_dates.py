"""Tests for the project period and page date finder."""
import pytest

from pipelines.extract.dates import Period, find_period, page_dates


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # phrasings of the shapes seen on real pages (invented text)
        ("Projektet pågår mellan 1 mars 2023 till 28 februari 2027.", "2023-03-01", "2027-02-28"),
        ("Projektet pågår från den 1 april 2016 till och med den 31 mars 2019.", "2016-04-01", "2019-03-31"),
        ("Tranås kommun blir projektägare och ”Steg för steg i Tranås” kommer att pågå mellan "
         "mars 2021 och april 2023.", "2021-03", "2023-04"),
        ("Tidsperiod: 1 februari 2021 – 31 januari 2023", "2021-02-01", "2023-01-31"),
        ("Projektperiod: 2020-04-01–2020-11-30", "2020-04-01", "2020-11-30"),
        ("Projektet pågår under 2021 - 2022 och Destination Fjällbygd medfinansierar projektet.",
         "2021", "2022"),
        ("Under 2018-2020 driver Region Kronoberg projektet Närservice i hela länet.",
         "2018", "2020"),
        ("Det gemensamma projektet ska genomföras under perioden 2021–2024.", "2021", "2024"),
        ("Projektet startar i oktober 2023, löper på under fyra år och betalas av Svenska ESF-rådet.",
         "2023-10", "2027-09"),
        ("Projektet startade i mars 2022, löper på under två år.", "2022-03", "2024-02"),
        ("Den första mars 2019 inleds projekten Gränslöst lärande och Felles grensetrafikk och båda "
         "projekten är treåriga och har slutdatum 28 februari 2022.", "2019-03-01", "2022-02-28"),
        ("Tillväxtverket beviljar kommunen högst 1 380 000 kronor under 2019 för arbetet i "
         "projektet.", "2019", "2019"),
        ("Projektperiod: Förstudiefas: 2017-03-01–2017-08-31, genomförande: 2017-09-01–2019-12-31, "
         "utvärderingsfas: 2020-01-01– 2020-03-31.", "2017-03-01", "2020-03-31"),
        # other months, abbreviations and structures
        ("Projektet startar 1 nov 2022 och avslutas 20 mar 2024.", "2022-11-01", "2024-03-20"),
        ("Projektet löper 1 sept. 2021 – 31 aug. 2024.", "2021-09-01", "2024-08-31"),
        ("Projektet pågår 2023–2026.", "2023", "2026"),
        ("Projektet pågår 2023–26.", "2023", "2026"),
        ("Projektet pågår mellan 2019 och 2021.", "2019", "2021"),
        ("Projektet pågår januari–juni 2021.", "2021-01", "2021-06"),
        ("Projektet pågår november 2020–februari 2021.", "2020-11", "2021-02"),
        ("Tidsperiod: 1 april–30 september 2022", "2022-04-01", "2022-09-30"),
        ("Projektperiod:\n2020-04-01–2020-11-30", "2020-04-01", "2020-11-30"),
        ("Projektet pågår fr.o.m. 2020-01-01 t.o.m. 2021-12-31.", "2020-01-01", "2021-12-31"),
        ("Projektets löptid är 1/9 2020 – 31/8 2023.", "2020-09-01", "2023-08-31"),
        ("Startdatum: 2021-03-15 Slutdatum: 2023-03-14", "2021-03-15", "2023-03-14"),
        ("Projektet startade 2019 och avslutades 2021.", "2019", "2021"),
        ("Projektet genomförs under hösten 2024.", "2024-09", "2024-12"),
        ("Projekttid: vårterminen 2021 – höstterminen 2022", "2021-01", "2022-12"),
        ("Projektet inleds den första april 2020 och har slutdatum 31 mars 2023.", "2020-04-01", "2023-03-31"),
        ("Projektet är treårigt och startade i mars 2021.", "2021-03", "2024-02"),
        ("Projektet startar 15 mars 2021 och pågår i två år.", "2021-03-15", "2023-03-14"),
        ("Projektet pågår i 18 månader från 1 februari 2022.", "2022-02-01", "2023-07-31"),
        ("Projektet startar i augusti 2024 och pågår i 6 månader.", "2024-08", "2025-01"),
        ("Projektet pågår 2019–2021 och förlängs till juni 2022.", "2019", "2022-06"),
        ("Projektet pågår 2021-2022 (förlängt till 2023-06-30).", "2021", "2023-06-30"),
        ("Projektet pågår 1.9.2021–31.8.2024", "2021-09-01", "2024-08-31"),
        ("Projektet har pågått sedan hösten 2019 och avslutas i juni 2022.", "2019-09", "2022-06"),
        ("Under 2021 och 2022 kommer projektet att arbeta med frågan.", "2021", "2022"),
        ("Projektet genomförs 2022–2024 inom ramen för Landsbygdsprogrammet 2014–2022.", "2022", "2024"),
    ],
)
def test_find_period(text, start, end):
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Projektet pågår till 30 september 2019.", None, "2019-09-30"),
        ("Projektet pågår till och med 31 december 2025.", None, "2025-12-31"),
        ("Projektet ska vara klart senast december 2025.", None, "2025-12"),
        ("Projektet avslutas hösten 2024.", None, "2024-12"),
        ("Projektet startar hösten 2024.", "2024-09", None),
        ("Projektet startar 2022-11-01.", "2022-11-01", None),
        ("Projektet pågår sedan 2019.", "2019", None),
        ("Projektet drar igång vid årsskiftet 2023/2024.", "2024-01", None),
        ("Projektet avslutas vid årsskiftet 2024/2025.", None, "2024-12"),
        ("Projektet avslutades den 31 mars 2021.", None, "2021-03-31"),
    ],
)
def test_find_period_one_end(text, start, end):
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "Gällivare kommun har fått ett treårigt projekt beviljat om hur nya invånare tas emot.",
        "Projektperioden är 3 år.",
        "Publicerad: 2023-10-02",
        "Senast uppdaterad:\n2023-10-03",
        "Sidan uppdaterades\n\n2021-05-17",
        "Tillväxtverket beviljar stöd enligt ansökan inkommen 2019-03-14, dock högst 4 230 000 kronor.",
        "Regionstyrelsen beslutade i april 2024 att uppdra åt förvaltningen att ta fram en plan.",
        "Programmet har nu två öppna utlysningar t.o.m. 30 april 2019.",
        "Sista ansökningsdag är 15 mars 2024.",
        "Projektet finansieras av Landsbygdsprogrammet 2014-2020.",
        "Projektet ingår i Leader 2023-2027.",
        "Ovanåkers kommun är med i projektet Hälsingeleder 2022.",
        "BYA är en förstudie i LEADER-område Tornedalen 2020 med stöd från Jordbruksverket.",
        "Yttrande över EU-kommissionens förslag till nya förordningar för perioden 2028–2034.",
        "Under februari 2024 träffades projektgruppen för första gången, i Arvidsjaur.",
        "Arbetet utgår från det tidigare projektet X, som pågick under åren 2017-2019.",
        "Sandvikens kommun tillhör åren 2015-2021 två olika Leaderområden.",
        "Under 2000 timmar arbetade deltagarna med projektet.",
        "Styrkommittén har den 12 oktober prioriterat fem projekt.",
        "Ett bättre företagsklimat, så att kommunen når plats 50 i rankingen 2022.",
        "2020-03-15 Projektet startar i höst.",
        "Nyhet 2020-03-15: Projektet startar i höst.",
        "I april 2019 fick kommunen beskedet att projektet beviljats.",
        "Tillväxtverket gav klartecken i maj 2024.",
        "Det är klart att vi i maj 2024 bjuder in till samråd.",
        "The project was approved in June 2023.",
        "The project was presented at a conference in Brussels in May 2024.",
    ],
)
def test_find_period_none(text):
    assert find_period(text) is None


def test_previous_project_does_not_win():
    text = (
        "Det gemensamma projektet ska genomföras under perioden 2021–2024.\n\n"
        "Det bygger på erfarenheter från det tidigare projektet Kustbanans möjligheter, som genomfördes "
        "under åren 2017-2019."
    )
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == ("2021", "2024")


def test_event_date_does_not_override_start_and_duration():
    text = (
        "Projektet startade i oktober 2023 och pågår i tre år.\n"
        "Under februari 2024 träffades projektgruppen för första gången, i Arvidsjaur.\n"
        "Senast uppdaterad:\n2024-03-18\nPublicerad:\n2024-03-18"
    )
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == ("2023-10", "2026-09")


def test_evidence_is_the_sentence_with_the_dates():
    text = "Projektet ska stärka servicen. Projektet pågår till 30 september 2019. Läs mer på webbplatsen."
    period = find_period(text)
    assert isinstance(period, Period)
    assert period.evidence == "Projektet pågår till 30 september 2019."


@pytest.mark.parametrize(
    ("lines", "published", "updated"),
    [
        (["Gå till innehåll", "Publiceringsdatum: 18 mar 2024", "Landa norr"], "2024-03-18", None),
        (["Sidinformation", "", "Senast uppdaterad:", "2023-10-03", "Publicerad:", "2023-10-02"],
         "2023-10-02", "2023-10-03"),
        (["Sidan publicerades första gången: 2023-03-06", "", "Sidan uppdaterades senast: 2023-03-07"],
         "2023-03-06", "2023-03-07"),
        (["Sidan uppdaterad: 2019-04-23", "Kontakta oss"], None, "2019-04-23"),
        (["Redaktör: Karin Ek", "", "Uppdaterad: 2017-05-09"], None, "2017-05-09"),
        (["Dela sidan", "", "Senast granskad 2017-06-20"], None, "2017-06-20"),
        (["Sidan uppdaterades", "", "2021-05-17", "", "Sidansvarig:"], None, "2021-05-17"),
        (["Sidan uppdaterad 2019-08-14 09.20", "av Maria Lind"], None, "2019-08-14"),
        (["Publicerad 13 september 2023, uppdaterad 14 oktober 2023"], "2023-09-13", "2023-10-14"),
        (["Publicerad 2019-05-12 | Senast ändrad 2020-01-13"], "2019-05-12", "2020-01-13"),
        (["Sidinformation Senast uppdaterad: 2024-03-18 Publicerad: 2024-03-17"], "2024-03-17", "2024-03-18"),
    ],
)
def test_page_dates(lines, published, updated):
    assert page_dates(lines) == (published, updated)


@pytest.mark.parametrize(
    "lines",
    [
        ["Publicerad", "", "Nytt samarbete för unga utan jobb får stöd från EU"],
        ["Publicerad:", "", "Skriv en kommentar"],
        ["Rapporten publicerades 2019-05-01 och visar att fler använder internet."],
        ["Projektet pågår 2020-01-01 till 2021-12-31."],
        [],
    ],
)
def test_page_dates_none(lines):
    assert page_dates(lines) == (None, None)


def test_robust_on_empty_huge_and_english_text():
    assert find_period("") is None
    assert page_dates([""]) == (None, None)
    english = "The project runs from March to May and was presented at a conference in Brussels. " * 20
    assert find_period(english) is None
    prose = "Projektet ska stärka samverkan mellan kommunerna och regionen, säger projektledaren. " * 12000
    huge = prose + "Projektet pågår mellan 1 mars 2023 till 28 februari 2027."
    assert len(huge) > 1_000_000
    period = find_period(huge)
    assert period is not None and (period.start, period.end) == ("2023-03-01", "2027-02-28")
    assert page_dates(huge.splitlines()) == (None, None)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Tid: 2021–2023", "2021", "2023"),
        ("År: 2024–2025", "2024", "2025"),
        ("Projekttid\n2022-2024", "2022", "2024"),
        ("Projektperiod\n1 april 2023 – 31 mars 2025", "2023-04-01", "2025-03-31"),
        ("Bron ska stå klar hösten 2026 och bygget startar i maj 2025.", "2025-05", "2026-12"),
    ],
)
def test_labels_and_label_headings(text, start, end):
    period = find_period(text)
    assert period is not None and (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # the English page of a Swedish body's EU project (invented wordings)
        ("The project runs from 1 January 2020 to 31 December 2022.", "2020-01-01", "2022-12-31"),
        ("The project runs from March 2024 to February 2027.", "2024-03", "2027-02"),
        ("The project runs March 2024 – February 2027 with partners in three countries.", "2024-03", "2027-02"),
        ("The project runs 2024–2027.", "2024", "2027"),
        ("Project period: 2024–2027", "2024", "2027"),
        ("Project duration: 1 March 2024 – 28 February 2027", "2024-03-01", "2027-02-28"),
        ("Start date: 2024-03-01 End date: 2027-02-28", "2024-03-01", "2027-02-28"),
        ("The project runs until December 2026.", None, "2026-12"),
        ("The pilot started in September 2023 and will be completed in August 2026.", "2023-09", "2026-08"),
        ("The project will be carried out between 2025 and 2026.", "2025", "2026"),
        ("Duration: May 2023 - April 2026", "2023-05", "2026-04"),
        ("The project starts in autumn 2024 and runs until the end of 2026.", "2024-09", "2026-12"),
        ("The project is expected to be finished in spring 2026.", None, "2026-06"),
        ("The network started in September 2023 and will end in August 2026.", "2023-09", "2026-08"),
    ],
)
def test_english_project_period(text, start, end):
    period = find_period(text)
    assert period is not None and (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        # an end without a start: 'klart', a planned end label, an end verb before 'under <season>'
        ("Klart hösten 2025.", "2025-12"),
        ("Bygget av scenen är klart våren 2026.", "2026-06"),
        ("Planerat slut: december 2026", "2026-12"),
        ("Beräknat klart: hösten 2025", "2025-12"),
        ("Projektet avslutas under våren 2026.", "2026-06"),
        ("Förstudien blir klar under 2027.", "2027"),
        ("Satsningen pågår till och med 2027.", "2027"),
        ("Projektet löper till utgången av 2026.", "2026-12"),
        ("Pågår till: 2027", "2027"),
    ],
)
def test_end_without_start(text, end):
    period = find_period(text)
    assert period is not None and (period.start, period.end) == (None, end)


def test_event_time_label_is_not_a_period():
    assert find_period("Tidpunkt: 12 mars 2024") is None
