"""Contacts: project staff and contact boxes, not quoted people or the page owner."""
from __future__ import annotations

from pipelines.extract.contacts import find_contacts, person_name
from pipelines.page import Block


def names(blocks: list[Block]) -> dict[str, dict]:
    return {c["name"]: c for c in find_contacts(blocks, {"region dalarna"})}


def test_staff_named_in_text_is_a_contact() -> None:
    found = names([Block("p", "Karin Lindqvist är projektledare för satsningen och nås på 023-77 70 00.")])
    assert found["Karin Lindqvist"]["role"] == "Projektledare"


def test_contact_box_with_role_email_and_phone() -> None:
    found = names([Block("h2", "Kontakt"), Block("p", "Projektsamordnare"), Block("p", "Jonas Berg"),
                   Block("p", "E-post jonas.berg@heby.se"), Block("p", "Telefon 0243-123 45")])
    contact = found["Jonas Berg"]
    assert contact["role"] == "Projektsamordnare"
    assert contact["email"] == "jonas.berg@heby.se"
    assert contact["phone_e164"] == "+4624312345"


def test_label_line_contact() -> None:
    found = names([Block("p", "Kontaktperson: Lena Holm på näringslivsenheten.")])
    assert "Lena Holm" in found


def test_quoted_person_is_not_a_contact() -> None:
    text = ("– Det här är ett viktigt steg för hela länet, säger Per Olsson, kommunalråd, och fortsätter med "
            "att beskriva hur arbetet ska bedrivas under de kommande åren tillsammans med näringslivet i regionen.")
    assert names([Block("p", text)]) == {}


def test_organisations_are_not_names() -> None:
    assert person_name("Region Dalarna", {"region dalarna"}) is None
    assert person_name("Gamla Bron", set()) is None
    assert person_name("Eva Ek", set()) == "Eva Ek"
