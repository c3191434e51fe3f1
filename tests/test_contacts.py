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


def test_person_after_a_contact_verb() -> None:
    found = names([Block("p", "Vill du veta mer? Kontakta Sanna Lindholm, projektledare, sanna.lindholm@kramfors.se.")])
    assert found["Sanna Lindholm"]["email"] == "sanna.lindholm@kramfors.se"
    found = names([Block("p", "Frågor besvaras av miljöstrateg Olle Brandt på 0612-800 00.")])
    assert found["Olle Brandt"]["phone_e164"] == "+4661280000"
    assert names([Block("p", "Kontakta Medborgarservice Ånge för mer information.")]) == {}


def test_owner_box_counts_when_it_names_project_staff() -> None:
    box = [Block("h2", "Kontakta oss"), Block("h2", "Projektledare"), Block("p", "Åsa Ekström"),
           Block("p", "asa.ekstrom@ange.se"), Block("h2", "Kommunikatör"), Block("p", "Jonas Berg")]
    found = {c["name"] for c in find_contacts([], set(), box)}
    assert found == {"Åsa Ekström", "Jonas Berg"}
    plain = [Block("h2", "Kontakta oss"), Block("p", "Lena Ström"), Block("p", "Kommundirektör"), Block("p", "lena.strom@ange.se")]
    assert find_contacts([], set(), plain) == []


def test_names_with_accents_and_name_labels() -> None:
    assert "Ánde Sárri" in names([Block("h2", "Kontakt"), Block("p", "Ánde Sárri, språkkonsulent")])
    assert "Erik Holm" in names([Block("h2", "Kontaktperson"), Block("p", "Namn: Erik Holm"), Block("p", "Telefon: 0640-161 00")])


def test_a_supervisor_in_the_project_is_staff() -> None:
    found = names([Block("p", "– Gruppen växer varje vecka, säger Lisa Borg från Norrviks kommun som är handledare i "
                              "förbundets delprojekt.")])
    assert found["Lisa Borg"]["role"].lower() == "handledare"


def test_title_before_the_name_after_a_contact_verb_and_a_heading_is_not_a_name() -> None:
    blocks = [Block("h2", "Skogsriket Härjedalen"), Block("p", "Projektet leds av Hembygdsförbundet."),
              Block("p", "Vid frågor kontakta kommunal näringslivsstrateg Lotta Ekberg, lotta.ekberg@herjedalen.se.")]
    found = names(blocks)
    assert set(found) == {"Lotta Ekberg"}
    assert found["Lotta Ekberg"]["role"] == "Kommunal näringslivsstrateg"
    assert found["Lotta Ekberg"]["email"] == "lotta.ekberg@herjedalen.se"


def test_the_title_after_the_name_wins_over_the_contact_label() -> None:
    found = names([Block("p", "Kontaktperson: Sofia Åberg, processledare, sofia.aberg@ljusdal.se")])
    assert found["Sofia Åberg"]["role"] == "Processledare"
    assert found["Sofia Åberg"]["email"] == "sofia.aberg@ljusdal.se"
    assert names([Block("p", "Kontaktperson: Nils Ek")])["Nils Ek"]["role"] is None


def test_english_contact_label_and_title_lines() -> None:
    # the English page of a Swedish body's EU project (invented names)
    found = names([Block("p", "Contact: Maria Sundin, project manager"), Block("p", "maria.sundin@example.se")])
    assert found["Maria Sundin"]["role"] == "Project manager"
    assert found["Maria Sundin"]["email"] == "maria.sundin@example.se"
    found = names([Block("p", "Project coordinator: Olof Brandt")])
    assert found["Olof Brandt"]["role"] == "Project coordinator"
    found = names([Block("h2", "Contact"), Block("p", "Tove Lindgren, project leader, +46 70 123 45 67")])
    assert found["Tove Lindgren"]["role"] == "Project leader"


def test_english_staff_sentences_and_quotes_with_a_staff_title() -> None:
    assert names([Block("p", "Olof Brandt is the project manager.")])["Olof Brandt"]["role"] == "Project manager"
    assert "Olof Brandt" in names([Block("p", "– We are glad to start, says Olof Brandt, project coordinator.")])
    assert "Olof Brandt" in names([Block("p", "The project leader, Olof Brandt, says the work has begun.")])
    assert names([Block("p", "– It is a good day for the region, says Olof Brandt, mayor.")]) == {}
