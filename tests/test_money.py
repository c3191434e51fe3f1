"""Tests for amounts of money and the project budget."""
import pytest

from pipelines.extract.money import Amount, parse_amounts, project_budget


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("dock högst 4 230 000 kronor", 4230000, "SEK"),
        ("Budget: 2 340 000 sek", 2340000, "SEK"),
        ("Budget: 2 340 000.", 2340000, "SEK"),
        ("EU-stöd: 186 000 SEK", 186000, "SEK"),
        ("Sammanlagt får kommunerna dela på 9,6 miljoner kronor.", 9600000, "SEK"),
        ("1,7 miljoner till Vävstugan i Ytterbyn", 1700000, "SEK"),
        ("Projektet omsluter 2,4 MSEK.", 2400000, "SEK"),
        ("Budgeten är 1,2 mnkr.", 1200000, "SEK"),
        ("Budgeten är 3 mkr.", 3000000, "SEK"),
        ("budgetomslutningen uppgår till cirka 14 miljoner kronor", 14000000, "SEK"),
        ("Projektet får drygt 4 miljoner.", 4000000, "SEK"),
        ("Kommunen bidrar med 500 tkr.", 500000, "SEK"),
        ("Kommunen bidrar med 300 tusen kronor.", 300000, "SEK"),
        ("Stödet är 2.340.000 kr.", 2340000, "SEK"),
        ("Stödet är 75 000 kr.", 75000, "SEK"),
        ("Entréavgiften är 5000:-", 5000, "SEK"),
        ("Projektet får tre miljoner kronor.", 3000000, "SEK"),
        ("Projektet får en halv miljon kronor.", 500000, "SEK"),
        ("Den totala budgeten är 1 836 540 euro.", 1836540, "EUR"),
        ("varav 412 000 EUR kommer från norska Interregmedel", 412000, "EUR"),
        ("sex projekt delar på drygt tre miljoner euro", 3000000, "EUR"),
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
        ("Tillväxtverket beviljar stöd med 85 % av de stödberättigade kostnaderna.", [85]),
        ("På norsk sida är budgeten cirka 8 miljoner kronor, varav 40% utgör EU-medel.", [40]),
        ("100 % EU-stöd.", [100]),
        ("47 procent i medfinansiering från projektägaren.", [47]),
    ],
)
def test_percentages_are_shares_not_money(text, values):
    shares = [a for a in parse_amounts(text) if a.kind == "share"]
    assert [a.sek for a in shares] == values
    assert all(a.currency == "%" for a in shares)


@pytest.mark.parametrize(
    "text",
    [
        "Målet är att kommunen på sikt ska ha 25 000 invånare.",
        "Närmare en halv miljon svenskar går aldrig ut på nätet och ytterligare 400 000 sällananvändare.",
        "Organisationsnummer: 212000-0000",
        "Box 200, 671 99 Arvika. Tfn 0570-123 45",
        "Projektet pågår 2016-2019 och riktar sig till 3 miljoner invånare.",
        "",
    ],
)
def test_no_money(text):
    assert [a for a in parse_amounts(text) if a.kind != "share"] == []


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Insatsen har en totalbudget om 18 miljoner kronor.", "budget"),
        ("Projektets budget är på 2,2 miljoner kronor och betalas av Landsbygdsprogrammet.", "budget"),
        ("Budget: 2 340 000 sek", "budget"),
        ("EU-stöd: 186 000 SEK", "grant"),
        ("Tillväxtverket beviljar kommunen högst 1 380 000 kronor under 2019.", "grant"),
        ("40 miljoner kronor utlyses i \"Vägar till jobb\" inom Programområde 2", "pool"),
        ("ESF-rådet utlyser 80 miljoner kronor till nya projekt", "pool"),
        ("Sammanlagt får kommunerna dela på 9,6 miljoner kronor.", "pool"),
        ("Internetstiftelsen lägger till 1,8 miljoner kronor utöver pengarna från regeringen.", "pool"),
        ("Deltagaravgiften är 500 kronor per person.", "rate"),
        ("Projektet kostar 1 200 000 kr/år.", "rate"),
    ],
)
def test_amount_kind(sentence, kind):
    money = [a for a in parse_amounts(sentence) if a.kind != "share"]
    assert money[0].kind == kind


def test_part_of_a_total_is_a_part():
    sentence = ("Den totala budgeten är 1 836 540 euro, varav 702 300 euro är EU-stöd och 288 150 euro är "
                "norska Interregmedel.")
    assert [a.kind for a in parse_amounts(sentence)] == ["budget", "part", "part"]


@pytest.mark.parametrize(
    ("sentences", "value"),
    [
        (["Övertorneå kommun beviljas stöd av Tillväxtverket med 85 % av de stödberättigade kostnaderna för "
          "projektet enligt ansökan inkommen 2019-03-14, dock högst 4 230 000 kronor."], 4230000),
        (["Tillväxtverket beviljar kommunen högst 1 380 000 kronor under 2019."], 1380000),
        (["Projektägare: Ronneby kommun", "EU-stöd: 186 000 SEK"], 186000),
        (["Projektägare: Strömstads kommun", "Budget: 2 340 000 sek"], 2340000),
        (["2,2 miljoner till Vävstugan i Ytterbyn",
          "Projektets budget är på 2,2 miljoner kronor och betalas av Landsbygdsprogrammet 2014-2020."], 2200000),
        (["På svensk sida är budgetomslutningen för projektets tre år cirka 14 miljoner kronor, "
          "varav hälften kommer från EU.",
          "På norsk sida är budgeten cirka 8 miljoner kronor, varav 40% utgör EU-medel."], 14000000),
        (["På norsk sida är budgeten 11 miljoner kronor.", "På svensk sida är budgeten 9 miljoner kronor."],
         9000000),
        (["Insatsen har en totalbudget om 18 miljoner kronor."], 18000000),
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
        ["Därför skjuter Internetstiftelsen till 1,8 miljoner kronor av egna medel, utöver pengarna från "
         "regeringen.", "Sammanlagt får kommunerna dela på 9,6 miljoner kronor."],
        ["ESF-rådet utlyser 80 miljoner kronor till nya projekt",
         "40 miljoner kronor utlyses i \"Vägar till jobb\" inom Programområde 2"],
        ["Projektägare är Eda kommun. Den totala budgeten är 2 150 400 euro, varav 860 160 euro är EU-stöd."],
        ["Målet är att kommunen på sikt ska ha 25 000 invånare."],
        ["Fyra projekt i Västmanland om totalt ca 18,5 miljoner kronor prioriterades i går."],
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
