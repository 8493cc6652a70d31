"""``make soak``'s plan: every call gets through calling safety at once (owners in daytime, at most three dials to a
number per clinic a day), whatever the hour it runs."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.soak import DIALS_PER_CALL, MIX, plan_calls
from shared.models.settings import MAX_DIALS_PER_NUMBER
from standins.retell_sim import scenarios


@pytest.mark.parametrize("prefixes", [["+1671"], ["+1671", "+8135", "+8136"], ["+1415", "+1213", "+1212", "+1312"]])
def test_no_clinic_dials_a_number_more_than_the_cap_allows(prefixes: list[str]) -> None:
    planned = plan_calls(2_000, 11, prefixes)
    assert len(planned) == 2_000
    dials: Counter[tuple[str, str]] = Counter()
    for call in planned:
        dials[(call.clinic, call.number)] += DIALS_PER_CALL.get("+1415" + call.number[-7:], 1)
    assert max(dials.values()) <= MAX_DIALS_PER_NUMBER
    assert all(any(call.number.startswith(prefix) for prefix in prefixes) for call in planned)


def test_the_mix_is_kept_and_the_fewer_the_prefixes_the_more_clinics() -> None:
    one, many = plan_calls(1_000, 11, ["+1671"]), plan_calls(1_000, 11, ["+1415", "+1213", "+1212", "+1312"])
    scenario_of = {number[-7:]: number for number, _ in MIX}
    kinds = Counter(scenario_of.get(call.number[-7:], scenarios.ANSWERS) for call in one)
    assert kinds == Counter({number: 1_000 * weight // 100 for number, weight in MIX})
    assert len({call.clinic for call in one}) > len({call.clinic for call in many}) > 1
    assert len({call.number for call in one if call.number[-7:] not in scenario_of}) == kinds[scenarios.ANSWERS]
