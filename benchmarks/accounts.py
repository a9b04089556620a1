"""The benchmark volume's credentials and account names, shared by the seeder and the runner.

Only for the benchmark database: every staff account has the same password and every system client the
same secret, so the runner can log in as anyone the volume holds.
"""

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/koppelwerk_bench"
STAFF_PASSWORD = "koppelwerk-bench-password"
CLIENT_SECRET = "koppelwerk-bench-client-secret"
POLICE_CLIENT = "bench-police"
HOUSING_CLIENT = "bench-housing-assen"  # Woonstichting Assen, serving GM0106
HOUSING_MUNICIPALITY = "GM0106"
GEMEENTE_USER = "beleid.assen"
GEMEENTE_MUNICIPALITY = "GM0106"


def koppel_member(number: int, role: str = "opbouwwerker") -> str:
    """The username of koppel `number`'s (1–150) member in `role`."""
    return f"{role}.{number:03d}"
