"""What a benchmark volume holds, generated deterministically from one seed.

Three Drenthe municipalities of twenty wijken each; every wijk owns one postcode area (so residents'
addresses, signal locations and the housing corporations' intake agree); 150 koppels working those
wijken; and, per unit of scale, 100 000 residents with notes and consents, 1 000 000 contact moments,
200 000 signals, 50 000 needs with their referrals, 20 000 agenda items and 10 000 interventions (taking
up some of the signals), each with the history the service itself would have written (status changes, the change logs the feeds
read, audit events), spread over the two years before the anchor date.

Rows are yielded as tuples of COPY text fields (already formatted; None is NULL), so the seeder can
stream them into PostgreSQL without building the volume in memory.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from domain.residents import name_key

MUNICIPALITIES = (
    # code, name, first postcode area (the wijken take consecutive areas from here)
    ("GM0106", "Assen", 9401),
    ("GM0114", "Emmen", 7811),
    ("GM0118", "Hoogeveen", 7901),
)
WIJK_NAMES = {
    "GM0106": (
        "Assen-Oost", "Pittelo", "Lariks", "Marsdijk", "Kloosterveen", "Noorderpark", "Peelo", "Centrum",
        "Baggelhuizen", "Schildersbuurt", "Vredeveld", "Assen-West", "Het Rode Dorp", "Anreep",
        "Messchenveld", "Lonerland", "Kloosterveste", "Batavia", "Hertenkamp", "Bosrand",
    ),
    "GM0114": (
        "Emmerhout", "Angelslo", "Bargeres", "Emmermeer", "Rietlanden", "Noordbarge", "Delftlanden",
        "Emmen-Centrum", "Parc Sandur", "Westenesch", "Emmen-Noord", "Klazienaveen", "Nieuw-Amsterdam",
        "Erica", "Schoonebeek", "Nieuw-Dordrecht", "Zuidbarge", "Barger-Oosterveld", "Weerdinge", "Roswinkel",
    ),
    "GM0118": (
        "Krakeel", "Wolfsbos", "De Weide", "Erflanden", "Hoogeveen-Centrum", "Schoemakerskamp", "Venhuizen",
        "Trasselt", "Bentinckspark", "Hoogeveen-Noord", "Hoogeveen-Zuid", "De Wijk", "Hollandscheveld",
        "Elim", "Nieuwlande", "Tiendeveen", "Pesse", "Fluitenberg", "Nieuweroord", "Stuifzand",
    ),
}
INDICATORS = (
    "herstructurering", "zware_sociale_problematiek", "criminaliteit", "sociale_onrust", "wantrouwen",
    "moeilijke_toegankelijkheid", "vijandigheid_overheid",
)
GIVEN_NAMES = (
    "Jan", "Piet", "Kees", "Henk", "Gerrit", "Bert", "Johan", "Sander", "Bas", "Thijs", "Daan", "Luuk", "Milan",
    "Noah", "Sem", "Mohamed", "Yusuf", "Emre", "Ahmet", "Mehmet", "Ali", "Omar", "Wesley", "Kevin", "Dennis",
    "Anna", "Maria", "Johanna", "Annie", "Gerda", "Ineke", "Anneke", "Marieke", "Sanne", "Lotte", "Emma",
    "Julia", "Sophie", "Fleur", "Fatima", "Aisha", "Zeynep", "Elif", "Samira", "Nadia", "Linda", "Monique",
    "Priscilla", "Shanice", "Joke", "Truus", "Willemijn", "Roos", "Iris", "Hanneke", "Wilma", "Tineke",
)
FAMILY_NAMES = (
    "de Vries", "Jansen", "de Boer", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Jong", "Bos", "Vos",
    "Hoekstra", "Dijkstra", "Huisman", "Kuipers", "Brouwer", "Postma", "Boersma", "Wijnberg", "Zwiers",
    "Hadders", "Lubbers", "Drenth", "Oosting", "Lanting", "Schuiling", "Kamphuis", "Hendriks", "Peters",
    "van Dijk", "van der Veen", "van der Meer", "Kok", "Koster", "Prins", "Veenstra", "Tuin", "Strijker",
    "Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "El Amrani", "Bouzid", "Benali", "Haddou", "Martina",
    "Pinas", "Nguyen", "Kowalski", "Nowak", "Popescu", "Haile", "Tesfay", "Osman",
)
STREET_PLACES = (
    "Buurthuis De Schakel", "Winkelcentrum", "speeltuin", "bij de flat", "portiek", "wijkcentrum",
    "schoolplein", "bibliotheek", "moskee", "kerkzaal", "sportveld", "marktplein",
)
CONTACT_KINDS = (
    ("straatgesprek", 35), ("huisbezoek", 20), ("spreekuur", 15), ("koffieochtend", 10), ("bijeenkomst", 8),
    ("telefoon", 12),
)
CONTACT_SUMMARIES = (
    "Gesprek over overlast in de portiek; bewoners willen samen iets doen.",
    "Langs geweest over post en rekeningen; afspraak gemaakt voor volgende week.",
    "Vragen over de huurverhoging en de verwarming.",
    "Kennismaking met nieuwe bewoners in de straat.",
    "Zorgen over een buurman die zich terugtrekt.",
    "Jongeren bij de speeltuin aangesproken, rustig gesprek.",
    "Koffie met vaste bezoekers; idee voor een buurtbarbecue.",
    "Spreekuur: vragen over toeslagen en formulieren.",
    "Overleg met de wijkbeheerder over de groenstrook.",
    "Telefonisch nagevraagd hoe het gaat na het gesprek met de schuldhulp.",
)
NOTE_TEXTS = (
    "Gaf aan moeite te hebben met de post; wil hulp bij formulieren.",
    "Spreekt weinig Nederlands; dochter helpt met vertalen.",
    "Heeft zorgen over de buren; wil geen melding maar wel dat we het weten.",
    "Is actief in de buurt en wil meehelpen met de koffieochtend.",
    "Afspraak gemaakt om over twee weken terug te komen.",
    "Voelt zich eenzaam sinds het overlijden van haar man.",
    "Vocht in de slaapkamer; corporatie is ingelicht.",
    "Kent veel mensen in de flat; goede ingang voor bewonersavond.",
)
SIGNAL_CATEGORIES_BY_SOURCE = {
    "woningcorporatie": ("onderhoud", "vocht_schimmel", "burenruzie", "geluidsoverlast", "vervuiling", "verwaarlozing"),
    "bewoner": ("geluidsoverlast", "burenruzie", "vervuiling", "jongerenoverlast", "drugsoverlast", "vandalisme", "onveiligheid"),
    "buurtapp": ("onveiligheid", "jongerenoverlast", "vandalisme", "drugsoverlast", "vervuiling"),
    "koppel": ("verwaarlozing", "toezicht_kinderen", "onveiligheid", "vervuiling", "burenruzie"),
    "politie": ("drugsoverlast", "onveiligheid", "jongerenoverlast", "burenruzie"),
    "gemeente": ("vervuiling", "onderhoud", "verwaarlozing"),
    "instantie": ("verwaarlozing", "toezicht_kinderen", "burenruzie"),
}
SIGNAL_SOURCES = (
    ("bewoner", 30), ("buurtapp", 10), ("woningcorporatie", 30), ("koppel", 15), ("politie", 8), ("gemeente", 5),
    ("instantie", 2),
)
SIGNAL_TEXTS = (
    "Schimmel in de badkamer, huurder meldt het al maanden.",
    "Voordeur van de portiek sluit niet meer.",
    "Harde muziek tot diep in de nacht, meerdere buren klagen.",
    "Grofvuil naast de containers, al een week.",
    "Groep jongeren hangt elke avond bij de speeltuin.",
    "Tuin verwaarloosd, ratten gezien.",
    "Ruzie tussen buren over de gedeelde gang.",
    "Vermoedelijk handel vanuit een woning, veel aanloop.",
    "Lantaarnpaal kapot bij het fietspad, onveilig gevoel.",
    "Lift al dagen defect, oudere bewoners komen niet naar buiten.",
)
AGENDA_THEMES_BY_ADDRESSEE = {
    "politie": ("veiligheid", "jeugd", "leefbaarheid"),
    "gemeente": ("openbare_ruimte", "armoede", "voorzieningen", "zorg_welzijn", "leefbaarheid"),
    "woningcorporatie": ("wonen", "leefbaarheid", "openbare_ruimte"),
}
AGENDA_TITLES = (
    "Hangplek bij de speeltuin", "Drugsoverlast rond het winkelcentrum", "Verlichting fietspad",
    "Vocht en schimmel in de flats", "Zwerfafval rond de containers", "Onveilige oversteek bij de school",
    "Overlast van scooters in de avond", "Leegstand in het winkelcentrum", "Armoede onder gezinnen met jonge kinderen",
    "Eenzaamheid onder ouderen in de flats",
)
NEED_CATEGORIES = (
    "financien", "schulden", "zorg", "ggz", "eenzaamheid", "opvoeding", "wonen", "werk_inkomen", "taal", "juridisch",
)
AGENCIES = (
    ("Schuldhulpmaatje", ("schulden", "financien")),
    ("GGZ Drenthe", ("ggz", "zorg")),
    ("Humanitas", ("eenzaamheid", "opvoeding")),
    ("Het Juridisch Loket", ("juridisch", "werk_inkomen")),
    ("Taalhuis", ("taal",)),
    ("Beter Buren", ("wonen", "financien")),
)
LANGUAGES = (("nl",), ("nl",), ("nl",), ("nl",), ("nl", "en"), ("nl", "tr"), ("tr",), ("ar", "nl"), ("ti",), ("pl",))

# A resident's identity disclosed to a koppel member: the fields the audit trail names for a read.
READ_FIELDS = ["givenName", "familyName", "address", "phone", "email", "birthYear", "isKeyFigure", "languages", "wijkId"]


def copy_value(value: object) -> str:
    """One COPY text field (no value here contains a tab, newline or backslash)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass
class Organisation:
    id: str
    name: str
    kind: str
    municipality_code: str | None


@dataclass
class User:
    id: str
    username: str
    display_name: str
    role: str
    organisation_id: str


@dataclass
class Wijk:
    id: str
    code: str
    name: str
    municipality_code: str
    postcode_area: int
    weight: float
    koppels: list[int] = field(default_factory=list)  # indexes into World.koppels
    residents: list[str] = field(default_factory=list)  # resident ids, filled while generating


@dataclass
class Koppel:
    id: str
    name: str
    starts_on: date
    members: list[User]
    wijken: list[int]  # indexes into World.wijken


@dataclass
class Client:
    id: str
    client_id: str
    name: str
    role: str
    organisation_id: str


@dataclass
class Offer:
    id: str
    organisation_id: str
    categories: tuple[str, ...]
    municipality_code: str


@dataclass(frozen=True)
class Volume:
    """Row counts for one scale factor."""

    residents: int
    contact_moments: int
    signals: int
    needs: int
    agenda_items: int
    interventions: int

    @classmethod
    def at(cls, scale: float) -> Volume:
        return cls(
            residents=int(100_000 * scale),
            contact_moments=int(1_000_000 * scale),
            signals=int(200_000 * scale),
            needs=int(50_000 * scale),
            agenda_items=int(20_000 * scale),
            interventions=int(10_000 * scale),
        )


class World:
    """The fixed part of the volume (organisations, people, wijken, koppels) and the generators of the
    part that grows with the scale. One `random.Random(seed)` drives everything, in a fixed order."""

    def __init__(self, seed: int, anchor: datetime, password_hash: str, client_secret_hash: str) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.anchor = anchor
        self.start = anchor - timedelta(days=730)
        self.password_hash = password_hash
        self.client_secret_hash = client_secret_hash
        self.organisations: list[Organisation] = []
        self.users: list[User] = []
        self.clients: list[Client] = []
        self.wijken: list[Wijk] = []
        self.koppels: list[Koppel] = []
        self.offers: list[Offer] = []
        self.welzijn: dict[str, Organisation] = {}
        self.corporations: dict[str, Organisation] = {}
        self.gemeenten: dict[str, Organisation] = {}
        self.housing_clients: dict[str, Client] = {}
        self.agencies: list[Organisation] = []
        # Signals interventions and agenda items may take up, per wijk: a quarter of those not turned
        # down, so a page of signals carries links as it does in use (and memory stays small at 10×).
        self._linkable: dict[str, list[str]] = {}
        self._build_fixed()

    # --- identifiers and time ------------------------------------------------------------------------

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def instant(self, after: datetime | None = None, within_days: float | None = None) -> datetime:
        """A working-hours moment in the two years before the anchor (or after `after`)."""
        rng = self.rng
        if after is None:
            day = self.start + timedelta(days=int(rng.random() * 730))
        else:
            span = within_days if within_days is not None else 30.0
            day = after + timedelta(days=rng.random() * span)
        moment = day.replace(hour=7 + int(rng.random() * 12), minute=int(rng.random() * 60), second=int(rng.random() * 60))
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=5 + int(rng.random() * 120))
        return min(moment, self.anchor - timedelta(minutes=1))

    def pick_weighted(self, options: tuple[tuple[str, int], ...]) -> str:
        total = sum(w for _, w in options)
        point = self.rng.random() * total
        for value, weight in options:
            point -= weight
            if point < 0:
                return value
        return options[-1][0]

    # --- the fixed part -----------------------------------------------------------------------------

    def _organisation(self, name: str, kind: str, municipality_code: str | None) -> Organisation:
        organisation = Organisation(self.new_id(), name, kind, municipality_code)
        self.organisations.append(organisation)
        return organisation

    def _user(self, username: str, display_name: str, role: str, organisation: Organisation) -> User:
        user = User(self.new_id(), username, display_name, role, organisation.id)
        self.users.append(user)
        return user

    def _person(self) -> str:
        return f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(FAMILY_NAMES)}"

    def _build_fixed(self) -> None:
        rng = self.rng
        self.police = self._organisation("Politie Eenheid Noord-Nederland", "politie", None)
        self.admin_organisation = self._organisation("Samenwerkingsverband Koppelwerk Drenthe", "welzijn", None)
        self._user("admin", "Functioneel beheer", "admin", self.admin_organisation)
        self._user("privacy", "Privacyloket", "privacy_officer", self.admin_organisation)
        self.police_client = Client(self.new_id(), "bench-police", "Politie koppelvlak", "police_system", self.police.id)
        self.clients.append(self.police_client)
        for code, town, _ in MUNICIPALITIES:
            self.welzijn[code] = self._organisation(f"Welzijn {town}", "welzijn", code)
            self.corporations[code] = self._organisation(f"Woonstichting {town}", "woningcorporatie", code)
            self.gemeenten[code] = self._organisation(f"Gemeente {town}", "gemeente", code)
            self._user(f"beleid.{town.lower()}", f"Beleid {town}", "gemeente", self.gemeenten[code])
            client = Client(self.new_id(), f"bench-housing-{town.lower()}", f"Woonstichting {town} koppelvlak",
                            "housing_system", self.corporations[code].id)
            self.clients.append(client)
            self.housing_clients[code] = client
        for name, categories in AGENCIES:
            agency = self._organisation(name, "instantie", None)
            self.agencies.append(agency)
            self._user(f"hulp.{name.split()[0].lower()}", f"{name} medewerker", "agency_worker", agency)
            for code, _, _ in MUNICIPALITIES:
                self.offers.append(Offer(self.new_id(), agency.id, categories, code))
        for code, _, first_area in MUNICIPALITIES:
            for n, name in enumerate(WIJK_NAMES[code]):
                self.wijken.append(
                    Wijk(self.new_id(), f"WK{code[2:]}{n + 1:02d}", name, code, first_area + n, 0.4 + rng.random() * 1.2)
                )
        # 150 koppels: 2 or 3 per wijk, every fifth one also working a neighbouring wijk.
        for k in range(150):
            home = k % len(self.wijken)
            wijk = self.wijken[home]
            wijken = [home]
            if k % 5 == 4:
                neighbour = home + 1 if (home + 1) % 20 else home - 1
                wijken.append(neighbour)
            number = f"{k + 1:03d}"
            members = [
                self._user(f"wijkagent.{number}", self._person(), "wijkagent", self.police),
                self._user(f"opbouwwerker.{number}", self._person(), "opbouwwerker", self.welzijn[wijk.municipality_code]),
            ]
            if k % 2 == 0:
                members.append(
                    self._user(f"wijkbeheerder.{number}", self._person(), "wijkbeheerder",
                               self.corporations[wijk.municipality_code])
                )
            starts_on = (self.start - timedelta(days=int(rng.random() * 365))).date()
            koppel = Koppel(self.new_id(), f"Koppel {wijk.name} {k // len(self.wijken) + 1}", starts_on, members, wijken)
            self.koppels.append(koppel)
            for index in wijken:
                self.wijken[index].koppels.append(k)

    # --- rows of the fixed part ------------------------------------------------------------------------

    def organisation_rows(self) -> Iterator[tuple[object, ...]]:
        created = self.start - timedelta(days=400)
        for o in self.organisations:
            yield (o.id, o.name, o.kind, o.municipality_code, True, 1, created, created)

    def user_rows(self) -> Iterator[tuple[object, ...]]:
        created = self.start - timedelta(days=400)
        for u in self.users:
            email = f"{u.username}@example.org"
            yield (u.id, u.username, u.display_name, email, self.password_hash, u.role, u.organisation_id, True, 1, created, created)

    def client_rows(self) -> Iterator[tuple[object, ...]]:
        created = self.start - timedelta(days=400)
        for c in self.clients:
            yield (c.id, c.client_id, c.name, self.client_secret_hash, c.role, c.organisation_id, True, 1, created, created)

    def wijk_rows(self) -> Iterator[tuple[object, ...]]:
        created = self.start - timedelta(days=400)
        for w in self.wijken:
            buurten = [f"BU{w.code[2:]}{b:02d}" for b in range(1, 4)]
            ranges = [[f"{w.postcode_area}AA", f"{w.postcode_area}ZZ"]]
            yield (w.id, w.code, w.name, w.municipality_code, buurten, None, True, 1, created, created, ranges)

    def wijk_indicator_rows(self) -> Iterator[tuple[object, ...]]:
        for w in self.wijken:
            for indicator in self.rng.sample(INDICATORS, 1 + int(self.rng.random() * 3)):
                yield (w.id, indicator)

    def koppel_rows(self) -> Iterator[tuple[object, ...]]:
        for k in self.koppels:
            created = datetime.combine(k.starts_on, datetime.min.time(), UTC)
            yield (k.id, k.name, "actief", k.starts_on, None, 1, created, created)

    def koppel_member_rows(self) -> Iterator[tuple[object, ...]]:
        for k in self.koppels:
            created = datetime.combine(k.starts_on, datetime.min.time(), UTC)
            for m in k.members:
                yield (self.new_id(), k.id, m.id, m.role, k.starts_on, None, 1, created, created)

    def koppel_wijk_rows(self) -> Iterator[tuple[object, ...]]:
        for k in self.koppels:
            created = datetime.combine(k.starts_on, datetime.min.time(), UTC)
            for index in k.wijken:
                yield (self.new_id(), k.id, self.wijken[index].id, k.starts_on, None, 1, created, created)

    def presence_rows(self) -> Iterator[tuple[object, ...]]:
        for k in self.koppels:
            created = datetime.combine(k.starts_on, datetime.min.time(), UTC)
            for weekday, start, end in ((1, "09:00", "11:00"), (3, "14:00", "16:00")):
                yield (self.new_id(), k.id, "weekly", weekday, None, start, end, self.rng.choice(STREET_PLACES), None,
                       f"1-{weekday}-{start}", 1, created, created)

    def service_area_rows(self) -> Iterator[tuple[object, ...]]:
        created = self.start - timedelta(days=400)
        for code, corporation in self.corporations.items():
            yield (self.new_id(), corporation.id, None, code, 1, created, created)

    def offer_rows(self) -> Iterator[tuple[object, ...]]:
        created = self.start - timedelta(days=400)
        for o in self.offers:
            yield (o.id, o.organisation_id, None, f"{self._agency_name(o)} ({o.municipality_code})",
                   "Hulp en begeleiding voor bewoners.", o.municipality_code, None, True,
                   "Aanmelden via de koppel", None, 1, created, created)

    def offer_category_rows(self) -> Iterator[tuple[object, ...]]:
        for o in self.offers:
            for category in o.categories:
                yield (o.id, category)

    def _agency_name(self, offer: Offer) -> str:
        return next(a.name for a in self.agencies if a.id == offer.organisation_id)

    # --- helpers for the growing part ----------------------------------------------------------------

    def _wijk_picker(self) -> list[int]:
        """A lookup table of wijk indexes, each as often as its weight (a cheap weighted choice)."""
        table: list[int] = []
        for index, w in enumerate(self.wijken):
            table.extend([index] * int(w.weight * 100))
        return table

    def _member_of(self, wijk: Wijk, roles: tuple[str, ...] = ("wijkagent", "opbouwwerker", "wijkbeheerder")) -> User:
        koppel = self.koppels[self.rng.choice(wijk.koppels)]
        candidates = [m for m in koppel.members if m.role in roles] or koppel.members
        return self.rng.choice(candidates)

    def _koppel_and_member(self, wijk: Wijk) -> tuple[Koppel, User]:
        koppel = self.koppels[self.rng.choice(wijk.koppels)]
        return koppel, self.rng.choice(koppel.members)

    def _postcode(self, wijk: Wijk) -> str:
        letters = "ABCDEGHJKLMNPRSTVWXZ"
        return f"{wijk.postcode_area}{self.rng.choice(letters)}{self.rng.choice(letters)}"

    def _audit(self, at: datetime, actor: User, action: str, resident_id: str, record_kind: str, record_id: str,
               fields: list[str]) -> tuple[object, ...]:
        return (self.new_id(), at, "user", actor.id, actor.role, actor.organisation_id, action, resident_id,
                record_kind, record_id, fields, None, uuid.UUID(int=self.rng.getrandbits(128)).hex)

    # --- residents, notes, consents ------------------------------------------------------------------

    def resident_rows(self, volume: Volume, notes: list[tuple[object, ...]], revisions: list[tuple[object, ...]],
                      consents: list[tuple[object, ...]], audit: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        """Residents; their notes, note revisions, consents and audit events are appended to the lists
        given (the caller flushes them as they grow)."""
        rng = self.rng
        picker = self._wijk_picker()
        for _ in range(volume.residents):
            wijk = self.wijken[rng.choice(picker)]
            rid = self.new_id()
            wijk.residents.append(rid)
            created = self.instant()
            creator = self._member_of(wijk)
            last_activity = created
            if rng.random() < 0.003:  # anonymised by a retention run
                yield (rid, wijk.id, None, None, None, None, None, None, None, None, None, None,
                       (rng.randrange(1935, 2007) // 10) * 10, False, [], created, created + timedelta(days=700),
                       "retention", 2, created, created + timedelta(days=700))
                continue
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            birth_year = rng.randrange(1935, 2007)
            phone = f"06{rng.randrange(10_000_000, 99_999_999)}" if rng.random() < 0.6 else None
            email = f"{given.lower()}.{rid[:6]}@example.nl" if rng.random() < 0.3 else None
            audit.append(self._audit(created, creator, "create", rid, "resident", rid, READ_FIELDS))
            for _n in range(int(rng.expovariate(1 / 1.5))):
                author = self._member_of(wijk)
                written = self.instant(after=created, within_days=600)
                note_id = self.new_id()
                revision = 2 if rng.random() < 0.1 else 1
                visibility = "koppel" if rng.random() < 0.7 else ("organisation" if rng.random() < 0.85 else "author")
                category = rng.choice(("contact", "hulpvraag", "afspraak", "zorgsignaal", "veiligheid", "wonen", "netwerk", "overig"))
                text = rng.choice(NOTE_TEXTS)
                updated = written
                if revision == 2:
                    updated = self.instant(after=written, within_days=60)
                    revisions.append((self.new_id(), note_id, rid, 1, category, visibility, text[:40], written, updated))
                retracted = updated if rng.random() < 0.02 else None
                notes.append((note_id, rid, author.id, author.organisation_id, author.role, category, visibility, text,
                              revision, retracted, revision + (1 if retracted else 0), written, updated))
                audit.append(self._audit(written, author, "create", rid, "note", note_id, ["text", "category", "visibility"]))
                last_activity = max(last_activity, updated)
            if rng.random() < 0.35:
                agency = rng.choice(self.agencies)
                given_at = self.instant(after=created, within_days=500)
                recorder = self._member_of(wijk)
                withdrawn = self.instant(after=given_at, within_days=200) if rng.random() < 0.1 else None
                scope = ["identity"] if rng.random() < 0.5 else ["contact_details", "identity"]
                consent_id = self.new_id()
                consents.append((consent_id, rid, agency.id, scope, "Toeleiding naar hulp", rng.choice(("spoken", "written")),
                                 given_at, recorder.id, recorder.organisation_id, withdrawn,
                                 recorder.id if withdrawn else None, 2 if withdrawn else 1, given_at, withdrawn or given_at))
                audit.append(self._audit(given_at, recorder, "create", rid, "consent", consent_id, ["scope"]))
                last_activity = max(last_activity, withdrawn or given_at)
            for _r in range(int(rng.expovariate(1 / 0.5))):
                reader = self._member_of(wijk)
                read_at = self.instant(after=created, within_days=700)
                audit.append(self._audit(read_at, reader, "read", rid, "resident", rid, READ_FIELDS))
            toevoeging = rng.choice(("A", "B", "1", "2")) if rng.random() < 0.1 else None
            yield (rid, wijk.id, given, family, name_key(given, family), self._postcode(wijk), rng.randrange(1, 250),
                   toevoeging, None, phone, email, birth_year, (birth_year // 10) * 10, rng.random() < 0.02,
                   list(rng.choice(LANGUAGES)), last_activity, None, None, 1, created, created)

    # --- contact moments -----------------------------------------------------------------------------

    def contact_moment_rows(self, volume: Volume, named: list[tuple[object, ...]],
                            audit: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        rng = self.rng
        picker = self._wijk_picker()
        for _ in range(volume.contact_moments):
            wijk = self.wijken[rng.choice(picker)]
            koppel, member = self._koppel_and_member(wijk)
            kind = self.pick_weighted(CONTACT_KINDS)
            occurred = self.instant()
            moment_id = self.new_id()
            place = rng.choice(STREET_PLACES) if kind in ("straatgesprek", "koffieochtend", "bijeenkomst") else None
            count = rng.choice((0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3)) if wijk.residents else 0
            for rid in {rng.choice(wijk.residents) for _ in range(count)}:
                named.append((moment_id, rid))
                audit.append(self._audit(occurred, member, "create", rid, "contact_moment", moment_id, ["kind", "occurredAt", "place", "summary"]))
            yield (moment_id, wijk.id, koppel.id, kind, occurred, place, rng.choice(CONTACT_SUMMARIES), None, member.id,
                   1, occurred, occurred)

    # --- signals ---------------------------------------------------------------------------------------

    def signal_rows(self, volume: Volume, history: list[tuple[object, ...]],
                    changes: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        """Signals with their status history; `changes` gets the feed's log entries (ordered later)."""
        rng = self.rng
        picker = self._wijk_picker()
        references: dict[str, int] = {}
        for _ in range(volume.signals):
            wijk = self.wijken[rng.choice(picker)]
            source = self.pick_weighted(SIGNAL_SOURCES)
            created = self.instant()
            sid = self.new_id()
            if source == "woningcorporatie":
                client = self.housing_clients[wijk.municipality_code]
                organisation_id, by_user, by_client = client.organisation_id, None, client.id
                references[organisation_id] = references.get(organisation_id, 0) + 1
                reference = f"WS-{created.year}-{references[organisation_id]:07d}"
                with_address = rng.random() < 0.95
            else:
                recorder = self._member_of(wijk)
                organisation_id, by_user, by_client, reference = recorder.organisation_id, recorder.id, None, None
                with_address = rng.random() < 0.6
            postcode = self._postcode(wijk) if with_address else None
            house_number = rng.randrange(1, 250) if with_address else None
            lat, lon = (52.99 + rng.random() * 0.1, 6.55 + rng.random() * 0.1) if rng.random() < 0.2 else (None, None)
            # The status path: older signals went further.
            age_days = (self.anchor - created).days
            path = ["nieuw"]
            if age_days > 3 or rng.random() < 0.3:
                if rng.random() < 0.08:
                    path.append("afgewezen")
                else:
                    path.append("in_behandeling")
                    if age_days > 14 or rng.random() < 0.4:
                        roll = rng.random()
                        if roll < 0.2:
                            path.append("doorgezet")
                            if age_days > 30 and rng.random() < 0.8:
                                path.append("afgehandeld")
                        elif roll < 0.95:
                            path.append("afgehandeld")
                        else:
                            path.append("afgewezen")
            at = created
            history.append((self.new_id(), sid, 1, None, "nieuw", None, by_user, by_client, created))
            changes.append((sid, organisation_id, "created", "nieuw", 1, created))
            first_action = None
            for version, (before, after) in enumerate(zip(path, path[1:], strict=False), start=2):
                at = self.instant(after=at, within_days=7 if before == "nieuw" else 20)
                first_action = first_action or at
                handler = self._member_of(wijk)
                reason = None
                if after == "afgewezen":
                    reason = "Geen taak voor de koppel; melder verwezen naar de gemeente."
                elif after == "doorgezet":
                    reason = "Doorgezet naar de woningcorporatie."
                history.append((self.new_id(), sid, version, before, after, reason, handler.id, None, at))
                changes.append((sid, organisation_id, "status_changed", after, version, at))
            status = path[-1]
            if status != "afgewezen" and rng.random() < 0.25:
                self._linkable.setdefault(wijk.id, []).append(sid)
            closed = at if status in ("afgehandeld", "afgewezen") else None
            category = rng.choice(SIGNAL_CATEGORIES_BY_SOURCE[source])
            yield (sid, wijk.id, source, category, rng.choice(SIGNAL_TEXTS), rng.choice(("laag", "normaal", "normaal", "hoog")),
                   postcode, house_number, None, lat, lon, status, organisation_id, reference, by_user, by_client,
                   first_action, closed, len(path), created, at)

    # --- needs and referrals --------------------------------------------------------------------------

    def need_rows(self, volume: Volume, referrals: list[tuple[object, ...]], referral_residents: list[tuple[object, ...]],
                  history: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        rng = self.rng
        picker = self._wijk_picker()
        offers_by = {(o.municipality_code, c): o for o in self.offers for c in o.categories}
        for _ in range(volume.needs):
            wijk = self.wijken[rng.choice(picker)]
            koppel, member = self._koppel_and_member(wijk)
            category = rng.choice(NEED_CATEGORIES)
            resident = rng.choice(wijk.residents) if wijk.residents else None
            created = self.instant()
            need_id = self.new_id()
            yield (need_id, wijk.id, koppel.id, resident, category, "Hulp gevraagd bij " + category.replace("_", " "),
                   rng.choice(("laag", "normaal", "hoog")), None, member.id, 1, created, created)
            offer = offers_by.get((wijk.municipality_code, category))
            if offer is None or resident is None:
                continue
            referral_id = self.new_id()
            age_days = (self.anchor - created).days
            path = ["voorgesteld"]
            if rng.random() < 0.85:
                path.append("aangemeld")
                if age_days > 10 and rng.random() < 0.85:
                    path.append("in_behandeling" if rng.random() < 0.9 else "afgewezen")
                    if path[-1] == "in_behandeling" and age_days > 60 and rng.random() < 0.8:
                        path.append("afgerond")
            elif age_days > 20:
                path.append("ingetrokken")
            at = created
            history.append((self.new_id(), referral_id, 1, None, "voorgesteld", None, member.id, created))
            registered = None
            for version, (before, after) in enumerate(zip(path, path[1:], strict=False), start=2):
                at = self.instant(after=at, within_days=14)
                registered = registered or (at if after == "aangemeld" else None)
                reason = "Past niet bij het aanbod." if after == "afgewezen" else (
                    "Bewoner wil het zelf oplossen." if after == "ingetrokken" else None)
                history.append((self.new_id(), referral_id, version, before, after, reason, member.id, at))
            status = path[-1]
            follow_up = ((registered or created) + timedelta(days=14)).date()
            followed_up = follow_up if (follow_up < self.anchor.date() and rng.random() < 0.7) else None
            closed = at if status in ("afgerond", "afgewezen", "ingetrokken") else None
            referrals.append((referral_id, need_id, offer.id, offer.organisation_id, wijk.id, koppel.id, category, False,
                              status, "Graag contact in de ochtend.",
                              "Past niet bij het aanbod." if status == "afgewezen" else None,
                              "Bewoner wil het zelf oplossen." if status == "ingetrokken" else None,
                              follow_up, followed_up, False, registered, closed, None, member.id, len(path), created, at))
            referral_residents.append((referral_id, resident))

    # --- interventions --------------------------------------------------------------------------------

    def _signals_to_link(self, wijk: Wijk, most: int) -> list[str]:
        """Up to `most` distinct signals of the wijk for an intervention or agenda item to take up."""
        pool = self._linkable.get(wijk.id, [])
        return self.rng.sample(pool, min(self.rng.randint(0, most), len(pool)))

    def intervention_rows(self, volume: Volume, history: list[tuple[object, ...]],
                          links: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        """Interventions with their phase history; `links` gets the signals each takes up (0–3)."""
        rng = self.rng
        picker = self._wijk_picker()
        phases = ("kwartier_maken", "activeren", "toeleiden", "nazorg", "agenderen", "evaluatie")
        for _ in range(volume.interventions):
            wijk = self.wijken[rng.choice(picker)]
            koppel, member = self._koppel_and_member(wijk)
            created = self.instant()
            iid = self.new_id()
            links.extend((iid, sid) for sid in self._signals_to_link(wijk, 3))
            age_days = (self.anchor - created).days
            reached = min(len(phases) - 1, int(rng.random() * (1 + age_days / 60)))
            path = [phases[0], *sorted(rng.sample(phases[1:reached + 1], k=min(reached, 1 + int(rng.random() * reached))), key=phases.index)] if reached else [phases[0]]
            at = created
            history.append((self.new_id(), iid, 1, None, path[0], None, None, None, member.id, None, created))
            for version, (before, after) in enumerate(zip(path, path[1:], strict=False), start=2):
                at = self.instant(after=at, within_days=45)
                history.append((self.new_id(), iid, version, before, after, None, None, None, member.id, None, at))
            closed = path[-1] == "evaluatie"
            outcome = rng.choice(("geslaagd", "deels_geslaagd", "niet_geslaagd")) if closed else None
            yield (iid, wijk.id, koppel.id, rng.choice(("buurtactiviteit", "huisbezoekenronde", "bemiddeling", "overlastaanpak",
                                                        "collectieve_actie", "overig")),
                   rng.choice(AGENDA_TITLES), "Aanpak met bewoners en partners.", path[-1], None, outcome,
                   "Evaluatie met bewoners besproken." if closed else None, at if closed else None, member.id, None,
                   len(path), created, at)

    # --- agenda items ---------------------------------------------------------------------------------

    def agenda_item_rows(self, volume: Volume, changes: list[tuple[object, ...]],
                         links: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        """Agenda items as they are now; `changes` gets every change-log entry of each (ordered later),
        `links` the signals each puts on the agenda (0–2)."""
        picker = self._wijk_picker()
        for _ in range(volume.agenda_items):
            wijk = self.wijken[self.rng.choice(picker)]
            item = self._agenda_item(wijk, changes)
            links.extend((item[0], sid) for sid in self._signals_to_link(wijk, 2))
            yield item

    def _agenda_item(self, wijk: Wijk, changes: list[tuple[object, ...]]) -> tuple[object, ...]:
        """One agenda item's life: raised as a concept, mostly submitted, answered and closed."""
        rng = self.rng
        raiser = self._member_of(wijk)
        roll = rng.random()
        addressee = "politie" if roll < 0.65 else ("gemeente" if roll < 0.85 else "woningcorporatie")
        if addressee == "politie":
            addressee_org = self.police.id if rng.random() < 0.6 else None
        elif addressee == "gemeente":
            addressee_org = self.gemeenten[wijk.municipality_code].id
        else:
            addressee_org = self.corporations[wijk.municipality_code].id
        item_id = self.new_id()
        created = self.instant()
        version, status, submitted_at, closed_at = 1, "concept", None, None
        reference = response = withdrawal = None
        at = created

        def log(kind: str) -> None:
            changes.append((item_id, kind, status, wijk.id, addressee, addressee_org, version, at, submitted_at is not None))

        log("created")
        for _e in range(rng.choice((0, 0, 1))):
            version, at = version + 1, self.instant(after=at, within_days=5)
            log("updated")
        fate = rng.random()
        if fate < 0.05:
            version, at, status, closed_at = version + 1, self.instant(after=at, within_days=10), "ingetrokken", None
            withdrawal = "Niet meer nodig, opgelost in de wijk."
            closed_at = at
            log("withdrawn")
        elif fate < 0.12:
            pass  # still a concept
        else:
            version, at, status = version + 1, self.instant(after=at, within_days=10), "geagendeerd"
            submitted_at = at
            log("submitted")
            for _e in range(rng.choice((0, 1, 1, 2))):
                version, at = version + 1, self.instant(after=at, within_days=10)
                log("updated")
            age_days = (self.anchor - at).days
            if age_days > 7 and rng.random() < 0.9:
                if rng.random() < 0.08:
                    version, at, status = version + 1, self.instant(after=at, within_days=14), "afgewezen"
                    response, closed_at = "Geen capaciteit; wordt meegenomen in de gebiedsscan.", at
                    log("updated")
                else:
                    version, at, status = version + 1, self.instant(after=at, within_days=14), "in_behandeling"
                    reference = f"BVH-{at.year}-{rng.randrange(10_000, 99_999)}" if addressee == "politie" else f"ZK-{rng.randrange(100_000, 999_999)}"
                    log("updated")
                    for _e in range(rng.choice((0, 1, 1, 2, 3))):
                        version, at = version + 1, self.instant(after=at, within_days=20)
                        response = "Extra surveillance in de avonduren; wordt vervolgd."
                        log("updated")
                    if age_days > 45 and rng.random() < 0.75:
                        version, at, status = version + 1, self.instant(after=at, within_days=30), "afgehandeld"
                        response, closed_at = "Afgerond: de hangplek is rustig, bewoners tevreden.", at
                        log("updated")
                    elif rng.random() < 0.05:
                        version, at, status = version + 1, self.instant(after=at, within_days=30), "ingetrokken"
                        withdrawal, closed_at = "De koppel trekt het punt in: opgelost met bewoners.", at
                        log("withdrawn")
        theme = rng.choice(AGENDA_THEMES_BY_ADDRESSEE[addressee])
        return (item_id, wijk.id, rng.choice(AGENDA_TITLES), "Bewoners melden dit al maanden; de koppel vraagt om aandacht.",
               theme, rng.choice(("laag", "normaal", "normaal", "hoog")), addressee, addressee_org, status, reference,
               response, withdrawal, raiser.id, None, submitted_at, closed_at, version, created, at)
