"""Tests for e-mail and phone number finding."""
import pytest

from pipelines.extract.contact_details import find_emails, find_phones


@pytest.mark.parametrize(
    ("text", "address", "written"),
    [
        ("Nils Bergkvist, nils.bergkvist@example.se, tel.070-5550123", "nils.bergkvist@example.se",
         "nils.bergkvist@example.se"),
        ("E-post Leyla.haddad@ovanaker.se", "Leyla.haddad@ovanaker.se", "Leyla.haddad@ovanaker.se"),
        ("Mejla maria.lindqvist@example.se.", "maria.lindqvist@example.se", "maria.lindqvist@example.se"),
        ("E-post: anna.andersson(at)Kiruna.SE", "anna.andersson@kiruna.se", "anna.andersson(at)Kiruna.SE"),
        ("E-post: anna.andersson [at] kiruna.se", "anna.andersson@kiruna.se", "anna.andersson [at] kiruna.se"),
        ("E-post: anna.andersson at kiruna.se", "anna.andersson@kiruna.se", "anna.andersson at kiruna.se"),
        ("per.olsson(snabel-a)region(punkt)se", "per.olsson@region.se", "per.olsson(snabel-a)region(punkt)se"),
        ("anna (snabel-a) vilhelmina (punkt) se", "anna@vilhelmina.se", "anna (snabel-a) vilhelmina (punkt) se"),
        ("Mejla anna punkt berg at kommunen punkt se", "anna.berg@kommunen.se", "anna punkt berg at kommunen punkt se"),
        ("<a href=\"mailto:info@region-x.se\">", "info@region-x.se", "info@region-x.se"),
        ("eva_l@abc.nu;", "eva_l@abc.nu", "eva_l@abc.nu"),
        ("åsa.öhman@example.se", "åsa.öhman@example.se", "åsa.öhman@example.se"),
    ],
)
def test_find_email(text, address, written):
    assert find_emails(text) == [(address, written)]


@pytest.mark.parametrize(
    "text",
    [
        "Kontaktuppgifter: Projektledare för Landa norr, Linnea Hjortsberg, E-post",
        "Please look at example.com for details.",
        "Read more at www.kiruna.se or at visitsweden.se",
        "logo@2x.png",
        "Alla medarbetare nås på fornamn.efternamn@ovanaker.se",
        "Skriv till namn@example.com",
        "a@b.c",
        "Tel. 0970-55 01 23",
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
        ("Tel. 0970-55 01 23", "+46970550123", "0970-55 01 23"),
        ("Eva Strand\n070-555 12 34\nSkicka e-post", "+46705551234", "070-555 12 34"),
        ("Telefon: 070 - 555 48 21", "+46705554821", "070 - 555 48 21"),
        ("Nils Bergkvist, nils.bergkvist@example.se, tel.070-5550123", "+46705550123", "070-5550123"),
        ("Tfn 0570-123 45", "+4657012345", "0570-123 45"),
        ("Jürgen Almqvist, tfn: 036-55 01 23.", "+4636550123", "036-55 01 23"),
        ("Maria Lindqvist, maria.lindqvist@example.se, Tel: 026-55 01 24", "+4626550124", "026-55 01 24"),
        ("Mobil: +46 (0)70 123 45 67", "+46701234567", "+46 (0)70 123 45 67"),
        ("Växel 08-123 456 78", "+46812345678", "08-123 456 78"),
        ("Ring (0970) 55 01 23", "+46970550123", "(0970) 55 01 23"),
        ("Ring 0046 70 123 45 67", "+46701234567", "0046 70 123 45 67"),
        ("Mob: 073-8034567", "+46738034567", "073-8034567"),
        ("Kundtjänst 0771-555 555", "+46771555555", "0771-555 555"),
    ],
)
def test_find_phone(text, e164, written):
    assert find_phones(text) == [(e164, written)]


def test_phones_written_one_after_another():
    text = "Tfn 0970-55 01 23 070-123 45 67"
    assert find_phones(text) == [("+46970550123", "0970-55 01 23"), ("+46701234567", "070-123 45 67")]


def test_phones_deduplicated():
    assert [e for e, _ in find_phones("0970-55 01 23, 0970 550123, +46 970 55 01 23")] == ["+46970550123"]


@pytest.mark.parametrize(
    "text",
    [
        "Organisationsnummer: 212000-0000",
        "Senast uppdaterad: 2023-10-03",
        "Box 200, 671 99 Arvika",
        "Sandvikens kommun tillhör åren 2015-2021 två olika Leaderområden.",
        "dock högst 4 230 000 kronor",
        "Budget: 2 340 000 sek",
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
