"""Shared vocabularies: the categories of residents' needs and of the offers that answer them."""

from __future__ import annotations

from enum import StrEnum


class NeedCategory(StrEnum):
    """What a need (vraag) is about, and what an offer (aanbod) helps with (DESIGN.md §4)."""

    financien = "financien"
    schulden = "schulden"
    zorg = "zorg"
    ggz = "ggz"
    eenzaamheid = "eenzaamheid"
    opvoeding = "opvoeding"
    wonen = "wonen"
    werk_inkomen = "werk_inkomen"
    taal = "taal"
    veiligheid = "veiligheid"
    juridisch = "juridisch"
    burenconflict = "burenconflict"
    buurtinitiatief = "buurtinitiatief"
