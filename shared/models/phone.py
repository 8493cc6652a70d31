"""Phone numbers through Google's libphonenumber (the ``phonenumbers`` package): validation, E.164, the number's
region and its time zones. North American numbers may be written without the country code.

Only the library's numbering metadata and its time-zone prefixes are shipped (``infra/assets.py`` leaves out its
geocoder and carrier data, 20 MB nothing here reads).
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from phonenumbers import timezone as phone_timezones

DEFAULT_REGION = "US"
"""A number without a country code is read as North American, the default for our clinics."""

_EXTENSION = re.compile(r"(ext|x|#)\s*[0-9]+$", flags=re.IGNORECASE)
_ALLOWED = re.compile(r"[0-9\s().\-/+]+")
UNKNOWN_ZONE = "Etc/Unknown"


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    text = raw.strip()
    if not text.isascii() or not _ALLOWED.fullmatch(text or "x"):
        if _EXTENSION.search(text) and text.isascii():
            raise ValueError("phone numbers with an extension cannot be dialed by the voice agent")
        # str.isdigit() and \d accept Arabic-Indic, superscript and other digits, which no carrier dials.
        raise ValueError("a phone number may contain only the digits 0-9, spaces, + and ( ) - .")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(
            "not a valid phone number: give a 10-digit US number or an international number with +"
        ) from None
    if not phonenumbers.is_valid_number(number):
        if number.country_code == 1:
            raise ValueError("not a valid North American number: expected +1 and 10 digits with a real area code")
        raise ValueError("not a valid phone number for its country: check the digits and the country code")
    return number


def normalise_phone(raw: str) -> str:
    """Return ``raw`` as an E.164 number (``+14155550100``), or raise ``ValueError`` saying why it can't be.

    Accepts ``+`` or ``00`` international prefixes and formatting characters; a number without a country code is
    taken as North American. The number must be valid for its country (libphonenumber's metadata), not only the
    right length."""
    return str(phonenumbers.format_number(_parse(raw), phonenumbers.PhoneNumberFormat.E164))


def phone_region(e164: str) -> str | None:
    """The ISO 3166 region of a number (``US``, ``GU``, ``GB``), if the metadata knows it."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or None


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=4096)
def phone_time_zones(e164: str) -> tuple[str, ...]:
    """The IANA zones the number's owner may be in: one for most numbers, several where an area code spans zones
    (``+1907``: Anchorage and Adak), none where the number says nothing about a place (a toll-free or unknown
    number: the caller decides what to assume)."""
    number = phonenumbers.parse(e164)
    if not phonenumbers.is_number_geographical(number) and number.country_code == 1:
        return ()  # +1 8XX toll-free and the like: every zone of the plan, i.e. no information
    zones = phone_timezones.time_zones_for_number(number)
    known = _known_zones()
    usable = []
    for zone in zones:
        if zone == UNKNOWN_ZONE or zone not in known:
            continue
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - listed as available, yet unreadable
            continue
        usable.append(zone)
    return tuple(usable)
