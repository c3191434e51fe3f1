"""Tests for amounts of money and the project budget."""
import pytest

from pipelines.extract.money import Amount, parse_amounts, project_budget


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("dock högst 5 094 000 kronor", 5094000, "SEK"),
        ("Budget: 1 871 000 sek", 1871000, "SEK"),
        ("Budget: 1 871 000.", 1871000, "SEK"),
        ("EU-stöd: 144 000 SEK", 144000, "SEK"),
        ("Totalt får kommunerna dela på 10,4 miljoner kronor.", 10400000, "SEK"),
        ("1,5 miljoner till Överhogdalsbonaderna", 1500000, "SEK"),
        ("Projektet omsluter 2,4 MSEK.", 2400000, "SEK"),
        ("Budgeten är 1,2 mnkr.", 1200000, "SEK"),
        ("Budgeten är 3 mkr.", 3000000, "SEK"),
        ("budgetomslutningen uppgår till cirka 20 miljoner kronor", 20000000, "SEK"),
        ("Projektet får drygt 4 miljoner.", 4000000, "SEK"),
        ("Kommunen bidrar med 500 tkr.", 500000, "SEK"),
        ("Kommunen bidrar med 300 tusen kronor.", 300000, "SEK"),
        ("Stödet är 1.871.000 kr.", 1871000, "SEK"),
        ("Stödet är 75 000 kr.", 75000, "SEK"),
        ("Entréavgiften är 5000:-", 5000, "SEK"),
        ("Projektet får tre miljoner kronor.", 3000000, "SEK"),
        ("Projektet får en halv miljon kronor.", 500000, "SEK"),
        ("Den totala budgeten är 2 401 926 euro.", 2401926, "EUR"),
        ("varav 375 000 EUR är norska Interregmedel", 375000, "EUR"),
        ("åtta projekt får drygt fyra miljoner euro i stöd", 4000000, "EUR"),
        ("Budgeten är 1,5 MEUR.", 1500000, "EUR"),
        ("På norsk sida är budgeten 11 miljoner norska kronor.", 11000000, "NOK"),
        ("Stödet uppgår\u00a0till 2\u00a0500\u00a0000 kronor.", 2500000, "SEK"),
    ],
)
def test_parse_amount_value(text, value, currency):
    amounts = [a for a in parse_amounts(text) if a.kind != "share"]
    assert len(amounts) == 1
    assert (amounts[0].sek, amounts[0].currency) == (value, currency)
    assert amounts[0].evidence == text


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Tillväxtverket beviljar stöd med 90 % av bidragsgrundande kostnader.", [90]),
        ("På norsk sida uppgår den till cirka 11 miljoner kronor, varav 35% utgör EU-medel.", [35]),
        ("100 % EU-stöd.", [100]),
        ("53 procent i medfinansiering ifrån projektägaren.", [53]),
    ],
)
def test_percentages_are_shares_not_money(text, values):
    shares = [a for a in parse_amounts(text) if a.kind == "share"]
    assert [a.sek for a in shares] == values
    assert all(a.currency == "%" for a in shares)


@pytest.mark.parametrize(
    "text",
    [
        "För Gällivares del innebär projektet att på sikt bli 20 000 invånare.",
        "Det finns en halv miljon svenskar som inte använder internet alls och ytterligare 600 000 sällananvändare.",
        "Organisationsnummer: 212000-0000",
        "Box 100, 671 81 Arvika. Tfn 0570-816 95",
        "Projektet pågår 2016-2019 och riktar sig till 3 miljoner invånare.",
        "",
    ],
)
def test_no_money(text):
    assert [a for a in parse_amounts(text) if a.kind != "share"] == []


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Projektet har en totalbudget om 24 miljoner kronor.", "budget"),
        ("Projektets budget är på 1,5 miljoner kronor och finansieras av Landsbygdsprogrammet.", "budget"),
        ("Budget: 1 871 000 sek", "budget"),
        ("EU-stöd: 144 000 SEK", "grant"),
        ("Tillväxtverket beviljar högst 1 760 000 kronor till Övertorneå kommun under 2018.", "grant"),
        ("50 miljoner kronor utlyses i \"Matchning till kompetens\" inom Programområde 1", "pool"),
        ("ESF-rådet utlyser 100 miljoner kronor till socialfondsprojekt", "pool"),
        ("Totalt får kommunerna dela på 10,4 miljoner kronor.", "pool"),
        ("Internetstiftelsen väljer att skjuta till 2,4 miljoner kronor utöver de beviljade medlen.", "pool"),
        ("Deltagaravgiften är 500 kronor per person.", "rate"),
        ("Projektet kostar 1 200 000 kr/år.", "rate"),
    ],
)
def test_amount_kind(sentence, kind):
    money = [a for a in parse_amounts(sentence) if a.kind != "share"]
    assert money[0].kind == kind


def test_part_of_a_total_is_a_part():
    sentence = ("Den totala budgeten är 2 401 926 euro, varav 657 818 euro är EU-stöd och 356 470 euro är "
                "norska Interregmedel.")
    assert [a.kind for a in parse_amounts(sentence)] == ["budget", "part", "part"]


@pytest.mark.parametrize(
    ("sentences", "value"),
    [
        (["Tillväxtverket beviljar Övertorneå kommun stöd med 90 % av bidragsgrundande kostnader för att "
          "genomföra projektet enligt ansökan inkommen 2018-07-09, dock högst 5 094 000 kronor."], 5094000),
        (["Tillväxtverket beviljar högst 1 760 000 kronor till Övertorneå kommun under 2018."], 1760000),
        (["Projektägare: Olofströms kommun", "EU-stöd: 144 000 SEK"], 144000),
        (["Projektägare: Svinesundskommittén", "Budget: 1 871 000 sek"], 1871000),
        (["1,5 miljoner till Överhogdalsbonaderna",
          "Projektets budget är på 1,5 miljoner kronor och finansieras av Landsbygdsprogrammet 2014-2020."], 1500000),
        (["På svensk sida uppgår budgetomslutningen under de tre projektåren till cirka 20 miljoner kronor, "
          "varav hälften är EU-medel.",
          "På norsk sida uppgår den till cirka 11 miljoner kronor, varav 35% utgör EU-medel."], 20000000),
        (["På norsk sida är budgeten 11 miljoner kronor.", "På svensk sida är budgeten 9 miljoner kronor."],
         9000000),
        (["Projektet har en totalbudget om 24 miljoner kronor."], 24000000),
        (["Region Västerbotten bidrar med 300 000 kronor.", "Projektets totala budget är 3,2 miljoner kronor, "
          "varav 1,6 miljoner kronor är EU-stöd."], 3200000),
        (["Jordbruksverket har beviljat projektet 750 000 kronor i stöd."], 750000),
        (["Den totala projektkostnaden beräknas till 12 miljoner kronor."], 12000000),
        (["Totalbudget: 4 300 000 kr. EU-stöd: 2 150 000 kr."], 4300000),
        (["Beviljat stöd: 1 250 000 kronor"], 1250000),
        (["Projektet beräknas kosta 3 miljoner kronor."], 3000000),
    ],
)
def test_project_budget(sentences, value):
    budget = project_budget(sentences)
    assert isinstance(budget, Amount)
    assert budget.sek == value
    assert budget.currency == "SEK"


@pytest.mark.parametrize(
    "sentences",
    [
        ["Något som gör att Internetstiftelsen väljer att skjuta till 2,4 miljoner kronor utöver de beviljade "
         "medlen från regeringen.", "Totalt får kommunerna dela på 10,4 miljoner kronor."],
        ["ESF-rådet utlyser 100 miljoner kronor till socialfondsprojekt",
         "50 miljoner kronor utlyses i \"Matchning till kompetens\" inom Programområde 1"],
        ["Projektägare är Arvika kommun. Den totala budgeten är 2 983 100 euro, varav 904 675 euro är EU-stöd."],
        ["För Gällivares del innebär projektet att på sikt bli 20 000 invånare."],
        ["Fem projekt som omfattar Sörmland om totalt ca 29,5 miljoner kronor prioriterades igår."],
        ["Deltagaravgiften är 500 kronor per person."],
        ["Kommunen får 2 miljoner kronor per år i tre år."],
        ["Leader Gästrikebygden har beviljat 32 projekt totalt 12 miljoner kronor."],
        ["Landsbygdsprogrammet omfattar totalt 36 miljarder kronor."],
        [],
    ],
)
def test_no_project_budget(sentences):
    assert project_budget(sentences) is None


def test_robust_on_empty_huge_and_english_text():
    assert parse_amounts("") == []
    assert project_budget([""]) is None
    english = "The project received funding from the European Union and the budget is not yet known."
    assert parse_amounts(english) == []
    sentence = "Projektet ska stärka samverkan mellan kommunerna och regionen, säger projektledaren. "
    huge = sentence * 12000 + "Projektets budget är 2 miljoner kronor."
    assert len(huge) > 1_000_000
    assert [a.sek for a in parse_amounts(huge)] == [2000000]
    budget = project_budget(huge.split(". "))
    assert budget is not None and budget.sek == 2000000


def test_a_grant_is_the_budget_only_as_the_one_amount():
    assert project_budget(["Föreningen har fått 300 000 kronor i bidrag från Leader Bergslagen."]).sek == 300_000
    assert project_budget(["Föreningen har fått 300 000 kronor från Leader Bergslagen.",
                           "Kommunen bidrar med 40 000 kronor."]) is None
    assert project_budget(["Projektet får 2 miljoner kronor från Vinnova.",
                           "Den totala budgeten är 3,5 miljoner kronor."]).sek == 3_500_000


def test_budget_label_heading_and_its_value_line():
    assert project_budget(["Budget", "2 450 000 kr"]).sek == 2_450_000
    assert project_budget(["Totalt omfattar projektet 6,2 mnkr."]).sek == 6_200_000


def test_a_partners_share_of_the_budget_is_not_the_budget():
    assert project_budget(["Umeå kommuns del av budgeten är 1,2 miljoner kronor."]) is None


def test_english_amounts_with_the_currency_first_and_million() -> None:
    # the English page of a Swedish body's project
    budget = project_budget(["Total budget: SEK 4.5 million"])
    assert budget is not None and (budget.sek, budget.currency) == (4_500_000, "SEK")
    budget = project_budget(["The project has been granted SEK 1.2 million from the regional fund."])
    assert budget is not None and budget.sek == 1_200_000
    assert project_budget(["Total budget: EUR 2.3 million"]) is None  # euro only: no budget in kronor
    assert [(a.sek, a.currency) for a in parse_amounts("The project received 2.5 million SEK.")] == [(2_500_000, "SEK")]
