"""A project's contact people: named project staff and the people of its contact box, with e-mail and phone."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.extract.contact_details import find_emails, find_phones
from pipelines.page import Block

CONTACTS = Path(__file__).with_name("data") / "contacts.json"
UPPER, LOWER = "A-ZÅÄÖÉÈÁÀÜÆØÓÍÚÑČŠŽ", "a-zåäöéèüæøáàíóúñčšžïë"
NAME_WORD = rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?"
NAME = rf"{NAME_WORD}(?: {NAME_WORD}){{1,2}}"
LONG_BLOCK = 160  # running text; a contact box holds short lines


@dataclass
class Contact:
    """A contact person as found on the page."""

    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    phone_e164: str | None = None
    evidence: str = ""

    def as_dict(self) -> dict:
        """The contact as an output record."""
        return {"name": self.name, "role": self.role, "email": self.email, "phone": self.phone,
                "phone_e164": self.phone_e164, "evidence": self.evidence}


@cache
def rules() -> dict:
    """contacts.json with its regular expressions compiled."""
    data = json.loads(CONTACTS.read_text(encoding="utf-8"))
    staff = "|".join(sorted(map(re.escape, data["staff_roles"]), key=len, reverse=True))
    every = "|".join(sorted(map(re.escape, data["staff_roles"] + data["roles"]), key=len, reverse=True))
    data["not_name"] = set(data["not_name_words"])
    copulas = "|".join(sorted(map(re.escape, data["copulas"]), key=len, reverse=True))
    determiners = "|".join(map(re.escape, data["title_determiners"]))
    data["staff_sentences"] = [  # case-insensitive only around the titles: names must be capitalised
        re.compile(rf"(?P<name>{NAME}),? (?i:{copulas}) (?i:(?:{determiners}) )?(?P<role>(?i:{staff}))"),
        re.compile(rf"(?P<role>(?i:{staff}))(?i:en|n)?(?: (?i:för) [^:,.]{{2,60}}?)?(?: (?i:är)|:|,)? "
                   rf"(?P<name>{NAME})"),
    ]
    quotes = "|".join(map(re.escape, data["quote_verbs"]))
    data["staff_sentences"] += [  # '..., säger Namn Namnsson, projektledare'; 'Org: Namn Namnsson (projektledare)'
        re.compile(rf"(?i:{quotes}) (?P<name>{NAME})(?: (?i:från|på|vid) [^,.]{{2,60}}?)?,? (?i:som är )?(?P<role>(?i:{staff}))"),
        re.compile(rf"^[^:]{{2,60}}: (?P<name>{NAME}) \((?P<role>(?i:{every}))\)"),
    ]
    verbs = "|".join(sorted(map(re.escape, data["contact_verbs"]), key=len, reverse=True))
    data["contact_sentence"] = re.compile(rf"(?<!\w)(?i:{verbs}) (?:(?P<title>[a-zåäö-]{{4,}}(?: [a-zåäö-]{{4,}}){{0,2}}) )?(?P<name>{NAME})"
                                          rf"(?:,? (?P<role>(?i:{every}))(?i:en|n)?\b)?")
    data["call_re"] = re.compile("|".join(map(re.escape, data["call_words"])), re.I)
    data["role_re"] = re.compile(rf"^(?P<role>[\w-]*?(?:{every}))(?:en|n)?\b", re.I)  # also "vattensamordnare"
    data["zone_re"] = re.compile(r"^(?:" + "|".join(map(re.escape, data["zone_starts"])) + r")\s*:?\s*$", re.I)
    labels = "|".join(sorted(map(re.escape, data["zone_labels"]), key=len, reverse=True))
    data["zone_label_re"] = re.compile(rf"^(?:{labels})\s*:\s*", re.I)
    return data


def person_name(text: str, org_texts: set[str]) -> str | None:
    """The text as a person's name (two or three capitalised words, not an organisation or a title), else None."""
    text = text.strip(" ,.;:")
    if not re.fullmatch(NAME, text):
        return None
    words = text.split()
    if words[0] in rules()["not_name"] or words[-1] in rules()["not_name"] or _role_of(words[0]):
        return None
    lowered = text.lower()
    if any(org in lowered or lowered in org for org in org_texts if len(org) > 3):
        return None
    return text


def _card_line(text: str, org_texts: set[str]) -> tuple[str, str | None] | None:
    """(name, title) of a contact-card line: 'Name', 'Name, title', 'Name – title', 'Title Name' or 'Name Title'."""
    parts = re.split(r"\s*[,–|]\s*|\s+-\s+", text.strip())
    words = parts[0].split()
    if len(words) > 2 and len(parts) == 1 and _role_of(words[-1]):  # 'Per Olsson Projektledare' under 'Kontakt'
        name = person_name(" ".join(words[:-1]), org_texts)
        if name:
            return name, _role_of(words[-1])
    name = person_name(parts[0], org_texts)
    if name:
        return name, _role_of(parts[1]) if len(parts) > 1 else None
    m = rules()["role_re"].match(parts[0])
    if m:
        name = person_name(parts[0][m.end():].strip(" :"), org_texts)
        if name:
            return name, m.group("role").capitalize()
    return None


def _role_of(text: str) -> str | None:
    """The title a short line starts with ("Projektledare för Bygdebussen" -> "Projektledare")."""
    m = rules()["role_re"].match(text.strip())
    return m.group("role").capitalize() if m else None


def _add_details(contact: Contact, text: str) -> None:
    """Attach the first e-mail and phone of a line to a contact that has none yet."""
    emails, phones = find_emails(text), find_phones(text)
    if emails and not contact.email:
        contact.email = emails[0][0]
    if phones and not contact.phone:
        contact.phone_e164, contact.phone = phones[0]


def _from_sentences(blocks: list[Block], org_texts: set[str]) -> list[Contact]:
    """Project staff named in running text: 'X är projektledare', 'Kontaktperson: X', 'projektledaren X'."""
    found = []
    for block in blocks:
        for pattern in rules()["staff_sentences"]:
            for m in pattern.finditer(block.text):
                name = person_name(m.group("name"), org_texts)
                if name:
                    contact = Contact(name, _staff_role(m.group("role"), block.text[m.end():]), evidence=block.text)
                    if len(block.text) < LONG_BLOCK:
                        _add_details(contact, block.text)
                    found.append(contact)
        for m in rules()["contact_sentence"].finditer("" if rules()["call_re"].search(block.text) else block.text):
            name = person_name(m.group("name"), org_texts)
            role = m.group("role") or m.group("title")
            if name and (role or _is_contactish(block.text[m.end():])):
                contact = Contact(name, role and role.capitalize(), evidence=block.text)
                _add_details(contact, block.text[m.start():])
                found.append(contact)
    return found


def _staff_role(role: str, after: str) -> str | None:
    """The role of a staff sentence; a field label's ('Kontaktperson: X, projektledare') is the title after the name."""
    if role.lower() not in rules()["zone_labels"]:
        return role.capitalize()
    return _role_of(after.lstrip(" ,–-"))


def _is_contactish(text: str) -> bool:
    """Whether a short line carries contact details, a title or opens a contact box."""
    return bool(find_emails(text) or find_phones(text) or rules()["zone_re"].match(text) or _role_of(text))


def _from_boxes(blocks: list[Block], org_texts: set[str]) -> list[Contact]:
    """People of contact boxes ('Kontakt' + short lines) and contact cards (a name next to details or a title)."""
    found: list[Contact] = []
    in_zone, role = False, None
    for i, block in enumerate(blocks):
        text = block.text.strip()
        if rules()["zone_re"].match(text):
            in_zone, role = True, None
            continue
        if len(text) >= LONG_BLOCK or block.kind == "h1":
            in_zone, role = False, None
            continue
        label = rules()["zone_label_re"].match(text)
        if label:  # 'Kontaktperson: lena Berg' (a form's lower-case first name)
            in_zone, text = True, text[label.end():]
            text = text[:1].upper() + text[1:]
        several = _several_cards(text, org_texts) if in_zone else []
        if len(several) > 1:  # 'projektledare A 073-... och vd B, 0701-..., Org.'
            for part, (name, title) in several:
                contact = Contact(name, title, evidence=text)
                _add_details(contact, part)
                found.append(contact)
            role = None
            continue
        card = _card_line(text, org_texts)
        near = [b.text for b in blocks[max(0, i - 2):i + 3] if b is not block and len(b.text) < LONG_BLOCK]
        if block.is_heading and not in_zone:  # a heading outside a contact box is a title unless its next line is a card's
            near = [b.text for b in blocks[i + 1:i + 2]]
        called = any(rules()["call_re"].search(b.text) for b in blocks[max(0, i - 2):i])  # an adviser for applicants
        if card and not called and (in_zone or find_emails(text) or find_phones(text) or _is_staff(card[1]) or
                                    any(map(_is_contactish, near))):
            contact = Contact(card[0], role or card[1], evidence=text)
            _add_details(contact, text)
            found.append(contact)
            role = None
        elif in_zone and _role_of(text) and not find_emails(text) and not find_phones(text):
            if found and found[-1].role is None and i > 0 and _card_line(blocks[i - 1].text, org_texts):
                found[-1].role = _role_of(text)
            else:
                role = _role_of(text)
        elif found and (in_zone or find_emails(text) or find_phones(text)):
            _add_details(found[-1], text)
    return found


def _several_cards(text: str, org_texts: set[str]) -> list[tuple[str, tuple[str, str | None]]]:
    """(part, (name, title)) of each person a contact-box line names when it joins several with 'och' or ';'."""
    parts = re.split(r"\s+och\s+|\s*;\s*", text.strip(" :;"))
    if len(parts) < 2:
        return []
    out = []
    for part in parts:
        bare = part
        for _, raw in find_emails(part) + find_phones(part):
            bare = bare.replace(raw, " ")
        card = _card_line(re.sub(r"\s+", " ", bare).strip(" ,"), org_texts)
        if card:
            out.append((part, card))
    return out


def _is_staff(role: str | None) -> bool:
    """Whether a title is a project staff title ('Projektledare', 'Delprojektledare')."""
    return bool(role) and any(role.lower().startswith(r) or role.lower().endswith(r) for r in rules()["staff_roles"])


def find_contacts(blocks: list[Block], org_texts: set[str], owner_box: Sequence[Block] = ()) -> list[dict]:
    """The contacts of a project from its blocks, merged by name; the page-owner box's people too when one of them
    is project staff (a 'Kontakta oss' box naming the project manager)."""
    boxed = _from_boxes(list(owner_box), org_texts)
    boxed = boxed if any(_is_staff(c.role) for c in boxed) else []
    merged: dict[str, Contact] = {}
    for contact in _from_sentences(blocks, org_texts) + _from_boxes(blocks, org_texts) + boxed:
        known = merged.get(contact.name)
        if known is None:
            merged[contact.name] = contact
            continue
        known.role = known.role or contact.role
        known.email = known.email or contact.email
        if not known.phone:
            known.phone, known.phone_e164 = contact.phone, contact.phone_e164
    return [c.as_dict() for c in merged.values()]
