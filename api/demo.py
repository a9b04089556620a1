"""Demo data for a living service on first start: `koppelwerk serve --demo`.

Every account's password is DEMO_PASSWORD; the README lists them. Loading is idempotent.
Never load this into a production database.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain import accounts
from domain.identity import OrganisationKind, Role
from domain.ports import SecretHasher, UnitOfWork

DEMO_PASSWORD = "koppelwerk-demo"
DEMO_MUNICIPALITY = "GM0106"  # Assen

ORGANISATIONS = {
    "politie": ("Politie Basisteam Assen", OrganisationKind.politie, None),
    "welzijn": ("Welzijnsstichting De Vaart", OrganisationKind.welzijn, None),
    "corporatie": ("Woonstichting Thuis Assen", OrganisationKind.woningcorporatie, None),
    "gemeente": ("Gemeente Assen", OrganisationKind.gemeente, DEMO_MUNICIPALITY),
    "schuldhulp": ("Schuldhulpmaatje Assen", OrganisationKind.instantie, None),
    "beterburen": ("Beter Buren Assen (buurtbemiddeling)", OrganisationKind.instantie, None),
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
    ("demo-housing", "demo-housing-secret-koppelwerk", "Thuis Assen meldingen", Role.housing_system, "corporatie"),
]


async def load_demo_data(uow: UnitOfWork, hasher: SecretHasher) -> bool:
    """Create the demo organisations, accounts and clients; False when they already exist."""
    if await uow.users.get_by_username("admin") is not None:
        return False
    now = datetime.now(UTC)
    organisations = {}
    for key, (name, kind, code) in ORGANISATIONS.items():
        organisations[key] = await accounts.create_organisation(uow, accounts.NewOrganisation(name, kind, code), now)
    for username, display_name, role, org in USERS:
        await accounts.create_user(
            uow, hasher, accounts.NewUser(username, display_name, DEMO_PASSWORD, role, organisations[org].id), now
        )
    for client_id, secret, name, role, org in CLIENTS:
        await accounts.create_client(
            uow, hasher, accounts.NewClient(name, role, organisations[org].id, client_id, secret), now
        )
    return True
