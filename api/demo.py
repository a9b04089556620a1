"""Demo data for a living service on first start: `koppelwerk serve --demo`.

Every account's password is DEMO_PASSWORD; the README lists them. Loading is idempotent.
Never load this into a production database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain import accounts, consents, koppels, notes, offers, presence, residents, wijken
from domain.agenda import (
    Addressee,
    AddresseeKind,
    AgendaMove,
    AgendaStatus,
    AgendaTheme,
    NewAgendaItem,
    create_agenda_item,
    move_agenda_item,
)
from domain.audit import Access
from domain.casework import Priority
from domain.categories import NeedCategory as Need
from domain.consents import ConsentForm, ConsentScope, NewConsent
from domain.contact_moments import ContactKind, NewContactMoment, record_contact_moment
from domain.dates import local_today
from domain.geo import GeoPoint
from domain.goals import NewGoal, NewReview, Target, create_goal, create_review
from domain.identity import Organisation, OrganisationKind, Principal, PrincipalKind, Role
from domain.interventions import (
    InterventionKind,
    NewIntervention,
    Phase,
    PhaseMove,
    create_intervention,
    move_intervention,
)
from domain.koppels import KoppelRole, KoppelStatus, NewAssignment, NewKoppel, NewMember
from domain.needs import NewNeed, record_need
from domain.notes import NewNote, NoteCategory
from domain.offers import NewOffer, OfferFilter
from domain.pagination import PageRequest
from domain.ports import SecretHasher, UnitOfWork
from domain.presence import NewPresence, PresenceKind, Weekday
from domain.referrals import NewReferral, ReferralMove, ReferralStatus, move_referral, propose_referral
from domain.residents import Address, NewResident, NoteVisibility, ResidentFilter
from domain.scope import Scope, ScopeFacts, compute_scope, load_scope
from domain.service_areas import NewServiceArea, add_service_area
from domain.signals import (
    NewSignal,
    Signal,
    SignalCategory,
    SignalMove,
    SignalSource,
    SignalStatus,
    change_signal_status,
    create_signal,
)
from domain.wijken import NewWijk
from domain.wijken import ProblemIndicator as Indicator

DEMO_PASSWORD = "koppelwerk-demo"
DEMO_MUNICIPALITY = "GM0106"  # Assen

ORGANISATIONS = {
    "politie": ("Politie Basisteam Assen", OrganisationKind.politie, None),
    "welzijn": ("Welzijnsstichting De Vaart", OrganisationKind.welzijn, None),
    "corporatie": ("Woonstichting Thuis Assen", OrganisationKind.woningcorporatie, None),
    "gemeente": ("Gemeente Assen", OrganisationKind.gemeente, DEMO_MUNICIPALITY),
    "schuldhulp": ("Schuldhulpmaatje Assen", OrganisationKind.instantie, None),
    "beterburen": ("Beter Buren Assen (buurtbemiddeling)", OrganisationKind.instantie, None),
    "ggz": ("GGZ Drenthe wijkteam", OrganisationKind.instantie, None),
    "taalhuis": ("Taalhuis Assen", OrganisationKind.instantie, None),
}

# username, display name, role, organisation key
USERS = [
    ("admin", "Functioneel beheer", Role.admin, "welzijn"),
    ("agent.jansen", "Wijkagent Jansen", Role.wijkagent, "politie"),
    ("margriet", "Margriet (opbouwwerker)", Role.opbouwwerker, "welzijn"),
    ("beheerder.bos", "Wijkbeheerder Bos", Role.wijkbeheerder, "corporatie"),
    ("agent.devries", "Wijkagent De Vries", Role.wijkagent, "politie"),
    ("opbouw.pieter", "Pieter (opbouwwerker)", Role.opbouwwerker, "welzijn"),
    ("hulp.schulden", "Medewerker Schuldhulp", Role.agency_worker, "schuldhulp"),
    ("bemiddeling", "Coördinator buurtbemiddeling", Role.agency_worker, "beterburen"),
    ("beleid", "Beleidsmedewerker gemeente", Role.gemeente, "gemeente"),
]

# client_id, secret, name, role, organisation key
CLIENTS = [
    ("demo-police", "demo-police-secret-koppelwerk", "Politie koppelvlak", Role.police_system, "politie"),
    (
        "demo-housing",
        "demo-housing-secret-koppelwerk",
        "Thuis Assen meldingen",
        Role.housing_system,
        "corporatie",
    ),
]


# The map: three wijken of Assen, two koppels (one with the wijkbeheerder), their presence, and offers.
OOST_BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[6.575, 52.990], [6.600, 52.990], [6.600, 53.005], [6.575, 53.005], [6.575, 52.990]]],
}
# code, name, buurten, indicators
WIJKEN = [
    (
        "WK010601",
        "Assen-Oost",
        ["BU01060101", "BU01060102"],
        {Indicator.criminaliteit, Indicator.sociale_onrust},
    ),
    ("WK010602", "Pittelo", ["BU01060201"], {Indicator.zware_sociale_problematiek, Indicator.wantrouwen}),
    ("WK010603", "Lariks", ["BU01060301", "BU01060302"], {Indicator.herstructurering}),
]
# name, wijk codes, members (username, koppel role), weekly presence (weekday, start, end, place)
KOPPELS = [
    (
        "Koppel Assen-Oost",
        ["WK010601", "WK010603"],
        [
            ("agent.jansen", KoppelRole.wijkagent),
            ("margriet", KoppelRole.opbouwwerker),
            ("beheerder.bos", KoppelRole.wijkbeheerder),
        ],
        [
            (Weekday.tuesday, time(10), time(12), "Buurthuis De Schakel, Oosterstraat"),
            (Weekday.thursday, time(19), time(20, 30), "Speeltuin Lariks"),
        ],
    ),
    (
        "Koppel Pittelo",
        ["WK010602"],
        [("agent.devries", KoppelRole.wijkagent), ("opbouw.pieter", KoppelRole.opbouwwerker)],
        [(Weekday.wednesday, time(9, 30), time(11, 30), "Winkelcentrum Pittelo, bij de bakker")],
    ),
]
# provider key, title, description, categories, wijk codes (empty: all of Assen), capacity, contact route
OFFERS = [
    (
        "schuldhulp",
        "Schuldhulpmaatje",
        "Een getrainde vrijwilliger helpt een jaar lang met post, betalingen en "
        "het contact met schuldeisers.",
        {Need.schulden, Need.financien},
        [],
        12,
        "Aanmelden via de opbouwwerker of het inloopspreekuur",
    ),
    (
        "beterburen",
        "Buurtbemiddeling",
        "Getrainde buurtbewoners bemiddelen bij burenruzies; beide buren doen vrijwillig mee.",
        {Need.burenconflict},
        [],
        8,
        "Aanmelden via de wijkagent of de opbouwwerker",
    ),
    (
        "ggz",
        "Inloop GGZ in de wijk",
        "Wekelijkse inloop met een wijk-GGZ-verpleegkundige, zonder verwijzing.",
        {Need.ggz, Need.eenzaamheid},
        ["WK010601", "WK010603"],
        None,
        "Dinsdagmiddag in Buurthuis De Schakel",
    ),
    (
        "taalhuis",
        "Taalcafé",
        "Nederlands oefenen in een kleine groep, met vrijwilligers van het Taalhuis.",
        {Need.taal, Need.werk_inkomen},
        ["WK010602"],
        10,
        "Vrijdagochtend in de bibliotheek, aanmelden niet nodig",
    ),
    (
        "welzijn",
        "Samen eten in de buurt",
        "Bewoners koken om de beurt voor elkaar; de opbouwwerker helpt bij de start.",
        {Need.eenzaamheid, Need.buurtinitiatief},
        ["WK010601"],
        20,
        "Bij Margriet (opbouwwerker)",
    ),
]


async def load_demo_data(uow: UnitOfWork, hasher: SecretHasher) -> bool:
    """Create the demo organisations, accounts, clients, wijken, koppels and offers; each part only
    when it is missing, so loading again changes nothing. False when everything was there."""
    now = datetime.now(UTC)
    organisations = await _organisations(uow, now)
    created = await _accounts(uow, hasher, organisations, now)
    created = await _map(uow, organisations, now) or created
    created = await _residents(uow, hasher, organisations, now) or created
    created = await _casework(uow, organisations, now) or created
    created = await _vraag_aanbod(uow, organisations, now) or created
    return await _integrations(uow, organisations, now) or created


async def _organisations(uow: UnitOfWork, now: datetime) -> dict[str, Organisation]:
    existing = {
        o.name: o
        for o in (await uow.organisations.list(PageRequest(limit=200), kind=None, active=None)).items
    }
    found = {}
    for key, (name, kind, code) in ORGANISATIONS.items():
        found[key] = existing.get(name) or await accounts.create_organisation(
            uow, accounts.NewOrganisation(name, kind, code), now
        )
    return found


async def _accounts(
    uow: UnitOfWork, hasher: SecretHasher, organisations: dict[str, Organisation], now: datetime
) -> bool:
    if await uow.users.get_by_username("admin") is not None:
        return False
    for username, display_name, role, org in USERS:
        await accounts.create_user(
            uow,
            hasher,
            accounts.NewUser(username, display_name, DEMO_PASSWORD, role, organisations[org].id),
            now,
        )
    for client_id, secret, name, role, org in CLIENTS:
        await accounts.create_client(
            uow, hasher, accounts.NewClient(name, role, organisations[org].id, client_id, secret), now
        )
    return True


async def _map(uow: UnitOfWork, organisations: dict[str, Organisation], now: datetime) -> bool:
    if await uow.wijken.get_by_code(WIJKEN[0][0]) is not None:
        return False
    admin = await uow.users.get_by_username("admin")
    if admin is None:
        return False
    today = local_today(now)
    scope = compute_scope(
        Principal(PrincipalKind.user, admin.id, Role.admin, admin.organisation_id), ScopeFacts(), today
    )
    since = today - timedelta(days=180)
    wijk_ids = {}
    for code, name, buurten, indicators in WIJKEN:
        boundary = OOST_BOUNDARY if code == "WK010601" else None
        wijk = await wijken.create_wijk(
            uow, scope, NewWijk(code, name, DEMO_MUNICIPALITY, buurten, boundary, frozenset(indicators)), now
        )
        wijk_ids[code] = wijk.id
    for name, codes, members, slots in KOPPELS:
        koppel = (await koppels.create_koppel(uow, scope, NewKoppel(name, since), now)).koppel
        for username, koppel_role in members:
            user = await uow.users.get_by_username(username)
            if user is not None:
                await koppels.add_member(uow, scope, koppel.id, NewMember(user.id, koppel_role, since), now)
        for code in codes:
            await koppels.add_assignment(uow, scope, koppel.id, NewAssignment(wijk_ids[code], since), now)
        current = await koppels.get_koppel(uow, scope, koppel.id)
        await koppels.update_koppel(
            uow, scope, koppel.id, current.koppel.version, {"status": KoppelStatus.actief}, now
        )
        for weekday, start, end, place in slots:
            await presence.create_presence(
                uow,
                scope,
                koppel.id,
                NewPresence(PresenceKind.weekly, start, end, place, weekday=weekday),
                now,
            )
        await presence.create_presence(
            uow,
            scope,
            koppel.id,
            NewPresence(
                PresenceKind.once,
                time(14),
                time(16),
                "Wijkfeest op het plein",
                occurs_on=today + timedelta(days=10),
                note="Kom kennismaken: koffie en limonade staan klaar.",
            ),
            now,
        )
    for key, title, description, categories, codes, capacity, contact in OFFERS:
        await offers.create_offer(
            uow,
            scope,
            NewOffer(
                provider_organisation_id=organisations[key].id,
                title=title,
                description=description,
                categories=frozenset(categories),
                contact_route=contact,
                wijk_ids=frozenset(wijk_ids[c] for c in codes),
                municipality_code=None if codes else DEMO_MUNICIPALITY,
                capacity=capacity,
            ),
            now,
        )
    return True


# Residents of Assen-Oost with notes in every compartment and one consent. Every name, address and
# number is invented.
# given, family, postcode, huisnummer, phone, birth year, key figure, languages
RESIDENTS = [
    ("Anneke", "Hoekstra", "9401AB", 12, "06 1234 5001", 1956, True, ("nl",)),
    ("Yusuf", "Demir", "9401AB", 14, "06 1234 5002", 1979, False, ("tr", "nl")),
    ("Sanne", "de Boer", "9401AC", 3, None, 1991, False, ("nl", "en")),
]
# resident index, author username, visibility, category, text
NOTES = [
    (0, "margriet", NoteVisibility.koppel, NoteCategory.netwerk,
     "Kent iedereen in de straat; wil helpen met het buurtfeest."),
    (1, "margriet", NoteVisibility.organisation, NoteCategory.hulpvraag,
     "Maakt zich zorgen over achterstallige rekeningen; schuldhulp besproken."),
    (1, "agent.jansen", NoteVisibility.organisation, NoteCategory.veiligheid,
     "Melding van geluidsoverlast door bovenburen, twee keer langs geweest."),
    (2, "beheerder.bos", NoteVisibility.koppel, NoteCategory.wonen,
     "Vochtplek in de badkamer gemeld; reparatie ingepland."),
]


async def _residents(
    uow: UnitOfWork, hasher: SecretHasher, organisations: dict[str, Organisation], now: datetime
) -> bool:
    """The privacy officer's account, and residents with notes and a consent, each when missing."""
    created = False
    if await uow.users.get_by_username("privacy") is None:
        await accounts.create_user(
            uow,
            hasher,
            accounts.NewUser("privacy", "Privacy desk", DEMO_PASSWORD, Role.privacy_officer, organisations["welzijn"].id),
            now,
        )
        created = True
    first = RESIDENTS[0]
    if (await uow.residents.search(None, PageRequest(limit=1), ResidentFilter((), first[2], first[3]))).items:
        return created
    oost = await uow.wijken.get_by_code("WK010601")
    staff = {}
    for username in ("margriet", "agent.jansen", "beheerder.bos"):
        user = await uow.users.get_by_username(username)
        if user is None or oost is None:
            return created
        principal = Principal(PrincipalKind.user, user.id, user.role, user.organisation_id)
        staff[username] = Access(await load_scope(uow, principal, local_today(now)), "demo-data")
    ids = []
    for given, family, postcode, number, phone, born, key_figure, languages in RESIDENTS:
        resident = await residents.register_resident(
            uow,
            staff["margriet"],
            NewResident(oost.id, given, family, Address(postcode, number), phone, None, born, key_figure, languages),
            now,
        )
        ids.append(resident.id)
    for index, username, visibility, category, text in NOTES:
        await notes.add_note(uow, staff[username], ids[index], NewNote(text, category, visibility), now)
    await consents.record_consent(
        uow,
        staff["margriet"],
        ids[1],
        NewConsent(
            organisations["schuldhulp"].id,
            frozenset({ConsentScope.identity, ConsentScope.contact_details}),
            "aanmelding bij Schuldhulpmaatje",
            ConsentForm.spoken,
        ),
        now,
    )
    return True


# Casework in Assen: signals in several statuses, interventions in their phases, agenda items for the
# police, the gemeente and the corporation, and this year's shared goals with a first review.
DEMO_HOUSING_REFERENCE = "TA-2026-0001"
OOST_POINT = GeoPoint(52.995, 6.585)  # inside the Assen-Oost boundary
CASEWORK_STAFF = ("margriet", "agent.jansen", "beheerder.bos", "opbouw.pieter", "beleid")


async def _scope_of(uow: UnitOfWork, username: str, today: date) -> Scope | None:
    user = await uow.users.get_by_username(username)
    if user is None:
        return None
    return await load_scope(uow, Principal(PrincipalKind.user, user.id, user.role, user.organisation_id), today)


async def _casework(uow: UnitOfWork, organisations: dict[str, Organisation], now: datetime) -> bool:
    """Signals, interventions, agenda items and goals, once (recognised by the corporation's signal)."""
    corporation = organisations["corporatie"]
    if await uow.signals.get_by_external_reference(corporation.id, DEMO_HOUSING_REFERENCE):
        return False
    today = local_today(now)
    found = {name: await _scope_of(uow, name, today) for name in CASEWORK_STAFF}
    oost, pittelo, lariks = [await uow.wijken.get_by_code(code) for code in ("WK010601", "WK010602", "WK010603")]
    if oost is None or pittelo is None or lariks is None or None in found.values():
        return False
    staff = {name: scope for name, scope in found.items() if scope is not None}
    margriet, jansen, bos, pieter, beleid = (staff[name] for name in CASEWORK_STAFF)
    koppel_oost = (await uow.koppels.working_in(oost.id, today))[0]

    async def signal(scope: Scope, data: NewSignal, *moves: SignalMove) -> Signal:
        created = await create_signal(uow, scope, data, now)
        for move in moves:
            created = await change_signal_status(uow, scope, created.id, created.version, move, now)
        return created

    quarrel = await signal(
        margriet,
        NewSignal(oost.id, SignalCategory.burenruzie, "Hoog opgelopen ruzie tussen boven- en onderburen.",
                  source=SignalSource.bewoner, point=OOST_POINT),
        SignalMove(SignalStatus.in_behandeling),
    )
    await signal(
        bos,
        NewSignal(oost.id, SignalCategory.onderhoud, "Portiekverlichting in de flat is al een week kapot.",
                  urgency=Priority.hoog, source=SignalSource.woningcorporatie,
                  external_reference=DEMO_HOUSING_REFERENCE),
        SignalMove(SignalStatus.in_behandeling),
        SignalMove(SignalStatus.doorgezet, "Doorgezet naar de onderhoudsdienst van Thuis Assen"),
    )
    youth = await signal(
        jansen,
        NewSignal(oost.id, SignalCategory.jongerenoverlast, "Groep jongeren bij het winkelcentrum, 's avonds laat.",
                  source=SignalSource.buurtapp),
    )
    await signal(
        pieter,
        NewSignal(pittelo.id, SignalCategory.vervuiling, "Zwerfafval rond de ondergrondse containers.",
                  source=SignalSource.koppel),
        SignalMove(SignalStatus.in_behandeling),
        SignalMove(SignalStatus.afgehandeld, "Samen met bewoners opgeruimd"),
    )

    mediation = await create_intervention(uow, margriet, NewIntervention(
        oost.id, koppel_oost.id, InterventionKind.bemiddeling, "Burenruzie in de flat",
        "Beide buren willen praten, maar niet met elkaar alleen.", frozenset({quarrel.id})), now)
    for move in (
        PhaseMove(Phase.activeren),
        PhaseMove(Phase.toeleiden, note="Naar buurtbemiddeling (Beter Buren Assen)"),
        PhaseMove(Phase.nazorg, follow_up_on=today + timedelta(days=14)),
    ):
        mediation = await move_intervention(uow, margriet, mediation.id, mediation.version, move, now)
    hangout = await create_intervention(uow, jansen, NewIntervention(
        oost.id, koppel_oost.id, InterventionKind.overlastaanpak, "Hangplek winkelcentrum",
        signal_ids=frozenset({youth.id})), now)

    police = await create_agenda_item(uow, jansen, NewAgendaItem(
        oost.id, "Jongerenoverlast bij het winkelcentrum",
        "Al weken 's avonds overlast; bewoners durven er na tienen niet meer langs.", AgendaTheme.veiligheid,
        Addressee(AddresseeKind.politie), Priority.hoog, frozenset({youth.id}), frozenset({hangout.id})), now)
    await move_agenda_item(uow, jansen, police.id, police.version, AgendaMove(AgendaStatus.geagendeerd), now)
    lighting = await create_agenda_item(uow, margriet, NewAgendaItem(
        lariks.id, "Te weinig verlichting rond het speelveld",
        "Ouders houden kinderen binnen zodra het donker wordt.", AgendaTheme.openbare_ruimte,
        Addressee(AddresseeKind.gemeente)), now)
    lighting = await move_agenda_item(
        uow, margriet, lighting.id, lighting.version, AgendaMove(AgendaStatus.geagendeerd), now)
    await move_agenda_item(uow, beleid, lighting.id, lighting.version, AgendaMove(
        AgendaStatus.in_behandeling, response="Meegenomen in het plan openbare verlichting.",
        addressee_reference="Z/2026/0042"), now)
    await create_agenda_item(uow, bos, NewAgendaItem(
        oost.id, "Portieken in slechte staat", "Kapotte deuren en verlichting maken de portieken onveilig.",
        AgendaTheme.wonen, Addressee(AddresseeKind.woningcorporatie, corporation.id)), now)

    partners = frozenset({organisations[key].id for key in ("politie", "gemeente", "welzijn")})
    fewer = await create_goal(uow, margriet, oost.id, NewGoal(
        today.year, "Minder jongerenoverlast", "Meldingen van jongerenoverlast per kwartaal",
        Target(15, "meldingen"), partners), now)
    await create_review(uow, margriet, oost.id, fewer.id, NewReview(
        today.year, 1, 24, "Nulmeting; de hangplek bij het winkelcentrum is het grootste knelpunt."), now)
    await create_goal(uow, bos, oost.id, NewGoal(
        today.year, "Meer bewoners actief", "Bewoners die meedoen aan buurtactiviteiten", Target(60, "bewoners"),
        frozenset({organisations["welzijn"].id, corporation.id})), now)
    return True


# Contact moments, needs and referrals in Assen-Oost: a street talk, a home visit and a coffee morning;
# Sanne volunteers (the seeds' neighbour with a financial background); Yusuf's debts go to the
# Schuldhulpmaatje under the consent he gave; Anneke and Sanne go to buurtbemiddeling, both consenting.
DEMO_VOLUNTEER_OFFER = "Buurvrouw helpt met post en formulieren"


async def _vraag_aanbod(uow: UnitOfWork, organisations: dict[str, Organisation], now: datetime) -> bool:
    """Contact moments, a volunteer's offer, needs and referrals, once (recognised by that offer)."""
    today = local_today(now)
    oost = await uow.wijken.get_by_code("WK010601")
    scope = await _scope_of(uow, "margriet", today)
    if oost is None or scope is None:
        return False
    existing = await uow.offers.list(
        scope, PageRequest(limit=200), OfferFilter(provider_organisation_id=organisations["welzijn"].id)
    )
    if any(o.title == DEMO_VOLUNTEER_OFFER for o in existing.items):
        return False
    margriet = Access(scope, "demo-data")
    koppel = (await uow.koppels.working_in(oost.id, today))[0]
    found = {}
    for given, _family, postcode, number, *_ in RESIDENTS:
        hits = (await uow.residents.search(None, PageRequest(limit=1), ResidentFilter((), postcode, number))).items
        if not hits:
            return False
        found[given] = hits[0].id
    anneke, yusuf, sanne = found["Anneke"], found["Yusuf"], found["Sanne"]

    for kind, hours_ago, place, summary, involved in (
        (ContactKind.straatgesprek, 50, "Winkelcentrum Oost", "Praatje bij de bakker over de hangplek.", ()),
        (ContactKind.huisbezoek, 26, "Oosterstraat", "Langs geweest over post en rekeningen.", (yusuf,)),
        (ContactKind.koffieochtend, 3, "Buurthuis De Schakel", "Twaalf bewoners; plannen voor het buurtfeest.", (anneke, sanne)),
    ):
        await record_contact_moment(
            uow, margriet,
            NewContactMoment(oost.id, koppel.id, kind, now - timedelta(hours=hours_ago), summary, place, frozenset(involved)),
            now,
        )
    await offers.create_offer(
        uow, margriet.scope,
        NewOffer(
            provider_organisation_id=organisations["welzijn"].id,
            title=DEMO_VOLUNTEER_OFFER,
            description="Een buurvrouw met een financiële achtergrond helpt buren met post, betalingen en formulieren.",
            categories=frozenset({Need.financien, Need.schulden}),
            contact_route="Via Margriet (opbouwwerker)",
            wijk_ids=frozenset({oost.id}),
            capacity=2,
            volunteer_resident_id=sanne,
        ),
        now,
        request_id="demo-data",
    )
    schuldhulp = (await uow.offers.list(margriet.scope, PageRequest(limit=50), OfferFilter(category=Need.schulden))).items
    mediation = (await uow.offers.list(margriet.scope, PageRequest(limit=50), OfferFilter(category=Need.burenconflict))).items
    debt_offer = next(o for o in schuldhulp if o.provider_organisation_id == organisations["schuldhulp"].id)
    mediation_offer = next(o for o in mediation if o.provider_organisation_id == organisations["beterburen"].id)

    debts = await record_need(uow, margriet, NewNeed(
        oost.id, koppel.id, Need.schulden, "Achterstand met huur en energie; post blijft ongeopend.", Priority.hoog, yusuf), now)
    to_debt_help = await propose_referral(uow, margriet, NewReferral(debts.id, debt_offer.id, "Graag contact in de ochtend."), now)
    await move_referral(uow, margriet, to_debt_help.id, to_debt_help.version, ReferralMove(ReferralStatus.aangemeld), now)

    for resident_id, scope_items in ((anneke, {ConsentScope.identity, ConsentScope.contact_details}), (sanne, {ConsentScope.identity})):
        await consents.record_consent(
            uow, margriet, resident_id,
            NewConsent(organisations["beterburen"].id, frozenset(scope_items), "buurtbemiddeling", ConsentForm.spoken),
            now,
        )
    quarrel = await record_need(uow, margriet, NewNeed(
        oost.id, koppel.id, Need.burenconflict, "Onenigheid over geluid en de schutting tussen de tuinen.", Priority.normaal, anneke), now)
    to_mediation = await propose_referral(
        uow, margriet, NewReferral(quarrel.id, mediation_offer.id, "Beide buren willen praten, niet alleen met elkaar.",
                                   frozenset({anneke, sanne})), now)
    await move_referral(uow, margriet, to_mediation.id, to_mediation.version, ReferralMove(ReferralStatus.aangemeld), now)
    await record_need(uow, margriet, NewNeed(
        oost.id, koppel.id, Need.buurtinitiatief, "Bewoners willen de speeltuin samen opknappen."), now)
    return True


# The integrations: the demo wijken by postcode area, and the corporation serving all of Assen, so
# `demo-housing` can submit signals by address (README: "Housing corporations").
DEMO_POSTCODE_AREAS = {"WK010601": "9401", "WK010602": "9403", "WK010603": "9405"}


async def _integrations(uow: UnitOfWork, organisations: dict[str, Organisation], now: datetime) -> bool:
    """Postcode ranges for the demo wijken and the corporation's service area, each when missing."""
    admin = await uow.users.get_by_username("admin")
    if admin is None:
        return False
    scope = compute_scope(
        Principal(PrincipalKind.user, admin.id, Role.admin, admin.organisation_id), ScopeFacts(), local_today(now)
    )
    created = False
    for code, area in DEMO_POSTCODE_AREAS.items():
        wijk = await uow.wijken.get_by_code(code)
        if wijk is not None and not wijk.postcode_ranges:
            ranges = [{"from_postcode": area, "to_postcode": area}]
            await wijken.update_wijk(uow, scope, wijk.id, wijk.version, {"postcode_ranges": ranges}, now)
            created = True
    corporation = organisations["corporatie"]
    if not (await uow.service_areas.list(corporation.id, PageRequest(limit=1))).items:
        await add_service_area(uow, scope, corporation.id, NewServiceArea(municipality_code=DEMO_MUNICIPALITY), now)
        created = True
    return created
