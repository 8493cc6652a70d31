"""Phone normalisation to E.164. North American numbers may be written without the country code."""

from __future__ import annotations

import re

_FORMATTING = re.compile(r"[\s().\-/]")
_NANP_LOCAL = re.compile(r"[2-9][0-9]{2}[2-9][0-9]{6}")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def normalise_phone(raw: str) -> str:
    """Return ``raw`` as an E.164 number (``+14155550100``), or raise ``ValueError`` saying why it can't be.

    Accepts ``+`` or ``00`` international prefixes and formatting characters; a bare 10-digit number (or 11 digits
    starting with 1) is taken as North American, the default for our clinics.
    """
    text = raw.strip()
    if not text.isascii():
        # str.isdigit() and \d accept Arabic-Indic, superscript and other digits, which no carrier dials.
        raise ValueError("a phone number may contain only the digits 0-9, spaces, + and ( ) - .")
    if re.search(r"(ext|x|#)\s*[0-9]+$", text, flags=re.IGNORECASE):
        raise ValueError("phone numbers with an extension cannot be dialed by the voice agent")
    digits = _FORMATTING.sub("", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        national = digits[1:]
        if not _ASCII_DIGITS.fullmatch(national) or not 8 <= len(national) <= 15 or national.startswith("0"):
            raise ValueError("not a valid international number: expected + and 8 to 15 digits")
        if national.startswith("1") and not _NANP_LOCAL.fullmatch(national[1:]):
            raise ValueError("not a valid North American number: expected +1 and 10 digits")
        return "+" + national
    if not _ASCII_DIGITS.fullmatch(digits):
        raise ValueError("a phone number may contain only digits, spaces, + and ( ) - .")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10 and _NANP_LOCAL.fullmatch(digits):
        return "+1" + digits
    raise ValueError("not a valid phone number: give a 10-digit US number or an international number with +")
