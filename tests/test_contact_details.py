"""Tests for e-mail and phone number finding."""
import pytest

from pipelines.extract.contact_details import find_emails, find_phones


@pytest.mark.parametrize(
    ("text", "address", "written"),
    [
        ("Lars Engstrand, lars.engstrand@gavle.se, tel.070-4140634", "lars.engstrand@gavle.se",
         "lars.engstrand@gavle.se"),
        ("E-post Khaled.zouroum@ovanaker.se", "Khaled.zouroum@ovanaker.se", "Khaled.zouroum@ovanaker.se"),
        ("Mejla sofie.ullstrom@gavle.se.", "sofie.ullstrom@gavle.se", "sofie.ullstrom@gavle.se"),
        ("E-post: anna.andersson(at)Kiruna.SE", "anna.andersson@kiruna.se", "anna.andersson(at)Kiruna.SE"),
        ("E-post: anna.andersson [at] kiruna.se", "anna.andersson@kiruna.se", "anna.andersson [at] kiruna.se"),
        ("E-post: anna.andersson at kiruna.se", "anna.andersson@kiruna.se", "anna.andersson at kiruna.se"),
        ("per.olsson(snabel-a)region(punkt)se", "per.olsson@region.se", "per.olsson(snabel-a)region(punkt)se"),
        ("anna (snabel-a) vilhelmina (punkt) se", "anna@vilhelmina.se", "anna (snabel-a) vilhelmina (punkt) se"),
        ("Mejla anna punkt berg at kommunen punkt se", "anna.berg@kommunen.se", "anna punkt berg at kommunen punkt se"),
        ("<a href=\"mailto:info@region-x.se\">", "info@region-x.se", "info@region-x.se"),
        ("eva_l@abc.nu;", "eva_l@abc.nu", "eva_l@abc.nu"),
        ("åsa.evertsdotter@herjedalen.se", "åsa.evertsdotter@herjedalen.se", "åsa.evertsdotter@herjedalen.se"),
    ],
)
def test_find_email(text, address, written):
    assert find_emails(text) == [(address, written)]


@pytest.mark.parametrize(
    "text",
    [
        "Kontaktuppgifter: Projektledare för Move on up, Malin Kristoffersson, E-post",
        "Please look at example.com for details.",
        "Read more at www.kiruna.se or at visitsweden.se",
        "logo@2x.png",
        "Alla medarbetare nås på fornamn.efternamn@ovanaker.se",
        "Skriv till namn@example.com",
        "a@b.c",
        "Tel. 0970-81 83 39",
    ],
)
def test_no_email(text):
    assert find_emails(text) == []


def test_emails_are_deduplicated_in_order():
    text = "anna@x.se, bo@y.se och ANNA@X.SE igen, anna(at)x.se"
    assert [a for a, _ in find_emails(text)] == ["anna@x.se", "bo@y.se"]


@pytest.mark.parametrize(
    ("text", "e164", "written"),
    [
        ("Tel. 0970-81 83 39", "+46970818339", "0970-81 83 39"),
        ("Åsa Ringlöv\n070-634 97 00\nSkicka e-post", "+46706349700", "070-634 97 00"),
        ("Telefon: 070 - 528 49 58", "+46705284958", "070 - 528 49 58"),
        ("Lars Engstrand, lars.engstrand@gavle.se, tel.070-4140634", "+46704140634", "070-4140634"),
        ("Tfn 0570-816 95", "+4657081695", "0570-816 95"),
        ("Holger Brügel, tfn: 036-34 57 38.", "+4636345738", "036-34 57 38"),
        ("Sofie Ullström, sofie.ullstrom@gavle.se, Tel: 026-17 81 68", "+4626178168", "026-17 81 68"),
        ("Mobil: +46 (0)70 123 45 67", "+46701234567", "+46 (0)70 123 45 67"),
        ("Växel 08-123 456 78", "+46812345678", "08-123 456 78"),
        ("Ring (0970) 81 83 39", "+46970818339", "(0970) 81 83 39"),
        ("Ring 0046 70 123 45 67", "+46701234567", "0046 70 123 45 67"),
        ("Mob: 073-8034567", "+46738034567", "073-8034567"),
        ("Kundtjänst 0771-670 670", "+46771670670", "0771-670 670"),
    ],
)
def test_find_phone(text, e164, written):
    assert find_phones(text) == [(e164, written)]


def test_phones_written_one_after_another():
    text = "Tfn 0970-81 83 39 070-123 45 67"
    assert find_phones(text) == [("+46970818339", "0970-81 83 39"), ("+46701234567", "070-123 45 67")]


def test_phones_deduplicated():
    assert [e for e, _ in find_phones("0970-81 83 39, 0970 818339, +46 970 81 83 39")] == ["+46970818339"]


@pytest.mark.parametrize(
    "text",
    [
        "Organisationsnummer: 212000-0000",
        "Senast uppdaterad: 2023-09-14",
        "Box 100, 671 81 Arvika",
        "Gävle kommun ingår åren 2016-2020 i två Leaderområden.",
        "dock högst 5 094 000 kronor",
        "Budget: 1 871 000 sek",
        "personnummer 19800101-1234",
        "Bankgiro 5050-1055",
        "Ring 112 vid nödläge.",
    ],
)
def test_no_phone(text):
    assert find_phones(text) == []


def test_robust_on_empty_huge_and_english_text():
    assert find_emails("") == [] and find_phones("") == []
    english = "Call us at the office or write to the team at any time; we answer within 2 days."
    assert find_emails(english) == [] and find_phones(english) == []
    prose = "Projektet ska stärka samverkan mellan kommunerna 2020-2023 och regionen, säger projektledaren. "
    huge = prose * 11000 + "Kontakt: anna.berg@kommunen.se, 070-123 45 67"
    assert len(huge) > 1_000_000
    assert find_emails(huge) == [("anna.berg@kommunen.se", "anna.berg@kommunen.se")]
    assert find_phones(huge) == [("+46701234567", "070-123 45 67")]
