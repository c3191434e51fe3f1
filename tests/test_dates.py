"""Tests for the project period and page date finder."""
import pytest

from pipelines.extract.dates import Period, find_period, page_dates


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # phrasings from the gold pages
        ("Projektet pågår mellan 1 november 2022 till 31 oktober 2026.", "2022-11-01", "2026-10-31"),
        ("Projektet pågår från den 1 juli 2015 till och med den 30 juni 2018.", "2015-07-01", "2018-06-30"),
        ("Hylte kommun blir projektägare och ”Målmedvetenhet på hemmaplan” kommer att pågå mellan "
         "februari 2020 och maj 2022.", "2020-02", "2022-05"),
        ("Tidsperiod: 1 januari 2020 – 31 december 2021", "2020-01-01", "2021-12-31"),
        ("Projektperiod: 2019-03-01–2019-10-31", "2019-03-01", "2019-10-31"),
        ("Projektet pågår under 2020 - 2021 och Världsklass Örnsköldsvik medfinansierar projektet.",
         "2020", "2021"),
        ("Under 2017-2019 driver Region Kalmar län projektet Flernivåsamverkan för stärkt regional service.",
         "2017", "2019"),
        ("Det gemensamma projektet kommer att genomföras under perioden 2020–2023.", "2020", "2023"),
        ("Projektet startar i september 2023 och löper på under tre år och finansieras av Svenska ESF-rådet.",
         "2023-09", "2026-08"),
        ("Projektet startade i september 2023 och löper på under tre år.", "2023-09", "2026-08"),
        ("Den första januari 2018 inleds projekten Jobb på tvärs och Et sammenhængende transportsystem och båda "
         "projekten är treåriga med slutdatum 31 december 2020.", "2018-01-01", "2020-12-31"),
        ("Tillväxtverket beviljar högst 1 760 000 kronor till Övertorneå kommun under 2018 för att bedriva "
         "verksamheten.", "2018", "2018"),
        ("Projektperiod: Analysfas: 2016-02-01–2016-07-30, genomförande: 2016-08-01–2018-10-31, "
         "summeringsfas: 2018-11-01– 2019-01-31.", "2016-02-01", "2019-01-31"),
        # other months, abbreviations and structures
        ("Projektet startar 1 nov 2022 och avslutas 20 mar 2024.", "2022-11-01", "2024-03-20"),
        ("Projektet löper 1 sept. 2021 – 31 aug. 2024.", "2021-09-01", "2024-08-31"),
        ("Projektet pågår 2023–2026.", "2023", "2026"),
        ("Projektet pågår 2023–26.", "2023", "2026"),
        ("Projektet pågår mellan 2019 och 2021.", "2019", "2021"),
        ("Projektet pågår januari–juni 2021.", "2021-01", "2021-06"),
        ("Projektet pågår november 2020–februari 2021.", "2020-11", "2021-02"),
        ("Tidsperiod: 1 april–30 september 2022", "2022-04-01", "2022-09-30"),
        ("Projektperiod:\n2019-03-01–2019-10-31", "2019-03-01", "2019-10-31"),
        ("Projektet pågår fr.o.m. 2020-01-01 t.o.m. 2021-12-31.", "2020-01-01", "2021-12-31"),
        ("Projektets löptid är 1/9 2020 – 31/8 2023.", "2020-09-01", "2023-08-31"),
        ("Startdatum: 2021-03-15 Slutdatum: 2023-03-14", "2021-03-15", "2023-03-14"),
        ("Projektet startade 2019 och avslutades 2021.", "2019", "2021"),
        ("Projektet genomförs under hösten 2024.", "2024-09", "2024-12"),
        ("Projekttid: vårterminen 2021 – höstterminen 2022", "2021-01", "2022-12"),
        ("Projektet inleds den första januari 2018 och har slutdatum 31 december 2020.", "2018-01-01", "2020-12-31"),
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
        ("Projektet pågår till 31 augusti 2018.", None, "2018-08-31"),
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
        "Gällivare kommun har blivit beviljade ett treårigt projekt med fokus på mottagarkapacitet.",
        "Projektperioden är 3 år.",
        "Publicerad: 2023-09-13",
        "Senast uppdaterad:\n2023-09-14",
        "Sidan uppdaterades\n\n2020-07-06",
        "Tillväxtverket beviljar stöd enligt ansökan inkommen 2018-07-09, dock högst 5 094 000 kronor.",
        "Regionala utvecklingsnämnden beslutade i maj 2025 att ge regiondirektören i uppdrag.",
        "EU-programmet öppnar nu två utlysningar t.o.m. 31 maj 2018.",
        "Sista ansökningsdag är 15 mars 2024.",
        "Projektet finansieras av Landsbygdsprogrammet 2014-2020.",
        "Projektet ingår i Leader 2023-2027.",
        "Ovanåkers kommun deltar i projektet Samverkan Gävleborg 2022.",
        "LIST är en förstudie inom LEADER-område Tornedalen 2020 som finansieras av Jordbruksverket.",
        "Remiss av EU-kommissionens förslag till förordningar för perioden 2028–2034.",
        "Under januari 2024 hade projektgruppen sin första sammankomst i Jokkmokk.",
        "Projektet bygger vidare på det tidigare projektet X som genomfördes under åren 2016-2019.",
        "Gävle kommun ingår åren 2016-2020 i två Leaderområden.",
        "Under 2000 timmar arbetade deltagarna med projektet.",
        "De tre styrkommittéerna har den 18 maj prioriterat åtta projekt.",
        "Förbättra näringslivsklimatet så att kommunen hamnar bland de 100 bästa kommunerna 2021.",
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
        "Det gemensamma projektet kommer att genomföras under perioden 2020–2023.\n\n"
        "Projektet är en fortsättning på det tidigare projektet Norrbotniabanans nyttoeffekter som genomfördes "
        "under åren 2016-2019."
    )
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == ("2020", "2023")


def test_event_date_does_not_override_start_and_duration():
    text = (
        "Projektet startade i september 2023 och löper på under tre år.\n"
        "Under januari 2024 hade projektgruppen sin första sammankomst i Jokkmokk.\n"
        "Senast uppdaterad:\n2024-03-20\nPublicerad:\n2024-03-20"
    )
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == ("2023-09", "2026-08")


def test_evidence_is_the_sentence_with_the_dates():
    text = "Projektet ska stärka servicen. Projektet pågår till 31 augusti 2018. Läs mer på webbplatsen."
    period = find_period(text)
    assert isinstance(period, Period)
    assert period.evidence == "Projektet pågår till 31 augusti 2018."


@pytest.mark.parametrize(
    ("lines", "published", "updated"),
    [
        (["Gå till innehåll", "Publiceringsdatum: 20 mar 2024", "Move on up"], "2024-03-20", None),
        (["Sidinformation", "", "Senast uppdaterad:", "2023-09-14", "Publicerad:", "2023-09-13"],
         "2023-09-13", "2023-09-14"),
        (["Sidan publicerades första gången: 2023-02-20", "", "Sidan uppdaterades senast: 2023-02-21"],
         "2023-02-20", "2023-02-21"),
        (["Sidan uppdaterad: 2018-01-29", "Kontakta oss"], None, "2018-01-29"),
        (["Redaktör: Monica Swärd", "", "Uppdaterad: 2016-04-06"], None, "2016-04-06"),
        (["Tipsa andra om den här sidan", "", "Senast granskad 2016-04-14"], None, "2016-04-14"),
        (["Sidan uppdaterades", "", "2020-07-06", "", "Sidansvarig:"], None, "2020-07-06"),
        (["Sidan uppdaterad 2018-07-11 14.55", "av Åsa Evertsdotter"], None, "2018-07-11"),
        (["Publicerad 13 september 2023, uppdaterad 14 oktober 2023"], "2023-09-13", "2023-10-14"),
        (["Publicerad 2019-05-12 | Senast ändrad 2020-01-13"], "2019-05-12", "2020-01-13"),
        (["Sidinformation Senast uppdaterad: 2024-03-20 Publicerad: 2024-03-19"], "2024-03-19", "2024-03-20"),
    ],
)
def test_page_dates(lines, published, updated):
    assert page_dates(lines) == (published, updated)


@pytest.mark.parametrize(
    "lines",
    [
        ["Publicerad", "", "Samverkansprojekt för individer långt ifrån arbetsmarknaden får EU-stöd"],
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
    huge = prose + "Projektet pågår mellan 1 november 2022 till 31 oktober 2026."
    assert len(huge) > 1_000_000
    period = find_period(huge)
    assert period is not None and (period.start, period.end) == ("2022-11-01", "2026-10-31")
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
