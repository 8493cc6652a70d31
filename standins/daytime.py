"""A phone number whose owner is inside calling hours *now*, for everything that runs against the real clock (the
browser tests, ``make dev``'s end-to-end and contract tests, the bench, the README's example).

The simulated Retell picks its scenario by a number's last seven digits (``standins.retell_sim.scenarios``), so
``daytime_number("+14155550101")`` is "no answer" still, under a prefix whose local time is well inside the
owner's calling hours (08:00-20:00) now: Los Angeles when it is day there, else New York, Chicago, Honolulu,
Guam (UTC+10) for the American night, and London (or Tokyo) for the two hours a day (around 10:00-12:00 UTC)
when no North American zone is inside 08:00-20:00. The margin (half an hour either side) keeps a test that runs for
minutes inside the hours.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.models.phone import phone_time_zones

PREFIXES = ("+1415", "+1212", "+1312", "+1303", "+1808", "+1671", "+44207", "+8135")
"""Los Angeles, New York, Chicago, Denver, Honolulu, Guam, London, Tokyo: together some are in daytime at every
hour, for an hour ahead (Tokyo closes the few minutes around 08:30 UTC in winter between Guam and London)."""
EARLIEST = 8 * 60
LATEST = 20 * 60
MARGIN = timedelta(minutes=30)
LONGEST_WAIT = timedelta(minutes=62)
"""A call due up to about an hour from now: over two hours no prefix covers every hour of the day."""


def _inside(prefix: str, now: datetime, until: datetime, margin: timedelta) -> bool:
    """Every zone of the prefix is inside the hours from ``margin`` before ``now`` to ``margin`` after ``until``
    (a span of a few hours at most, so both ends inside means all of it is)."""
    zones = phone_time_zones(prefix + "5550100")
    for zone in zones:
        for instant in (now - margin, until + margin):
            local = instant.astimezone(ZoneInfo(zone))
            if not EARLIEST <= local.hour * 60 + local.minute < LATEST:
                return False
    return bool(zones)


def daytime_prefixes(
    candidates: tuple[str, ...] = PREFIXES,
    now: datetime | None = None,
    margin: timedelta = MARGIN,
    *,
    until: datetime | None = None,
) -> list[str]:
    """Those of ``candidates`` whose owners are inside calling hours (with ``margin`` either side) from now until
    ``until`` (a call due within the hour; default now), in their order."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    end = max(moment, (until or moment).astimezone(UTC))
    if end - moment > LONGEST_WAIT:
        raise ValueError("a daytime prefix is for calls due within the hour")
    return [prefix for prefix in candidates if _inside(prefix, moment, end, margin)]


def daytime_prefix(now: datetime | None = None, margin: timedelta = MARGIN, *, until: datetime | None = None) -> str:
    """The first of ``PREFIXES`` in daytime from now until ``until`` (``daytime_prefixes``)."""
    inside = daytime_prefixes(PREFIXES, now, margin, until=until)
    if not inside:  # pragma: no cover
        raise RuntimeError(f"no prefix of {PREFIXES} is in daytime at {(now or datetime.now(UTC)).isoformat()}")
    return inside[0]


def daytime_number(
    number: str = "+14155550100",
    now: datetime | None = None,
    margin: timedelta = MARGIN,
    *,
    until: datetime | None = None,
) -> str:
    """``number``'s last seven digits (its simulated Retell scenario) under a prefix that is in daytime from now
    until ``until``."""
    return daytime_prefix(now, margin, until=until) + number[-7:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("number", nargs="?", default="+14155550100", help="a scenario number (its last 7 digits)")
    print(daytime_number(parser.parse_args().number))


if __name__ == "__main__":
    main()
