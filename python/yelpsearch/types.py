"""The dicts of the JSON contract, typed: what ``SearchResponse.interpretation`` holds.

For annotations in code that reads a response (``from yelpsearch import Interpretation``);
the objects themselves are plain dicts, exactly the JSON of the HTTP API and of the
command line's ``--json`` (``src/openapi.json``, ``components.schemas.Interpretation``).
"""

from __future__ import annotations

from typing import Optional, TypedDict

__all__ = ["Correction", "Interpretation", "NearbyZip"]

#: A word corrected: ``from`` as typed, ``to`` as searched (``{"from": "piza", "to":
#: "pizza"}``). ``from`` is a Python keyword, hence the functional form.
Correction = TypedDict("Correction", {"from": str, "to": str})
Correction.__doc__ = 'A word corrected: "from" as typed, "to" as searched.'


class NearbyZip(TypedDict):
    """A nearby zipcode whose places follow the zipcode's own."""

    zip: str
    #: Distance between the two zipcodes' centres, kilometres.
    distance_km: float


class Interpretation(TypedDict):
    """How a query was understood ("Showing results for pizza · $ · outdoor seating")."""

    #: The need's words that were searched (corrected words as corrected).
    need: list[str]
    #: The words corrected.
    corrections: list[Correction]
    #: Words that did not filter: filler ("best", "near me"), kinds of place
    #: ("restaurant") and words nothing in the zipcode holds.
    optional: list[str]
    #: Categories of the zipcode's places that the need names ("Thai"), at most 3.
    categories: list[str]
    #: The price range asked for ("$" to "$$$$"), or None.
    price: Optional[str]
    #: Amenities asked for ("outdoor seating").
    amenities: list[str]
    #: Whether places open now were asked for.
    open_now: bool
    #: The name of the zipcode's place the query names, or None.
    name: Optional[str]
    #: Nearby zipcodes whose places follow the zipcode's own.
    nearby: list[NearbyZip]
    #: Whether the words were taken as typed (``literal=True``).
    literal: bool
