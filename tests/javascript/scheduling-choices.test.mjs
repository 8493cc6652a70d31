// What the popup chooses for the vet before the vet does (extension/lib/best-time.js, languages.js) and the words
// it says them in (extension/lib/words.js): best time once the clinic has the answer history for it, the day it
// goes on, the call's language from the consultation or the clinic.
// Run by tests/javascript/test_javascript.py with Node's own test runner (node --test).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BEST_TIME_MIN_DIALS, bestTimeDay, hasAnswerHistory, totalDials } from "../../extension/lib/best-time.js";
import { FALLBACK_LANGUAGE, clinicLanguages, matchLanguage, startingLanguage } from "../../extension/lib/languages.js";
import { dayAfter, dayWindow, nextOpenDay } from "../../extension/lib/time.js";
import { bestTimeBasis, bestTimeLabel, chosenText, languageName } from "../../extension/lib/words.js";

const LOS_ANGELES = "America/Los_Angeles";

/** @typedef {import("../../extension/lib/api.js").AnswerRates} AnswerRates */
/** @typedef {import("../../extension/lib/api.js").ClinicSettings} ClinicSettings */

/**
 * Answer rates with one cell per count of dials.
 * @param {number[]} dials
 * @returns {AnswerRates}
 */
const rates = (dials) => ({
  days: 90,
  cells: dials.map((n, hour) => ({ weekday: "tue", hour, dials: n, answered: Math.floor(n / 2) })),
  best: [],
});

/** @type {ClinicSettings} */
const WEEKDAYS_9_TO_5 = {
  timezone: LOS_ANGELES,
  businessHours: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((day) => [day, [["09:00", "17:00"]]])),
  closedDates: ["2026-12-25"],
};

describe("answer history", () => {
  test("the dials of every cell count", () => {
    assert.equal(totalDials(rates([10, 20, 19])), 49);
    assert.equal(totalDials(null), 0);
    assert.equal(totalDials({ days: 90, cells: [], best: [] }), 0);
  });

  test("best time is the first choice from the threshold on", () => {
    assert.equal(BEST_TIME_MIN_DIALS, 50);
    assert.equal(hasAnswerHistory(rates([10, 20, 19])), false);
    assert.equal(hasAnswerHistory(rates([10, 20, 20])), true);
    assert.equal(hasAnswerHistory(rates([BEST_TIME_MIN_DIALS])), true);
    assert.equal(hasAnswerHistory(null), false); // the answer rates could not be read
    assert.equal(hasAnswerHistory(undefined), false);
  });
});

describe("the best-time day", () => {
  test("tomorrow, whole, on the clinic's clock", () => {
    // Wednesday 2026-12-02 10:00 PST: tomorrow is Thursday, from its 00:00 PST to Friday's.
    const day = bestTimeDay(Date.parse("2026-12-02T18:00:00Z"), WEEKDAYS_9_TO_5);
    assert.deepEqual(day, {
      date: "2026-12-03",
      tomorrow: true,
      window: { from: "2026-12-03T08:00:00Z", to: "2026-12-04T08:00:00Z" },
    });
  });

  test("late in the clinic's evening, tomorrow is the clinic's, not UTC's", () => {
    // Wednesday 23:30 PST is already Thursday in UTC.
    assert.equal(bestTimeDay(Date.parse("2026-12-03T07:30:00Z"), WEEKDAYS_9_TO_5).date, "2026-12-03");
  });

  test("a weekend or a closed date moves it to the next open day", () => {
    // Friday: Monday. Thursday 2026-12-24: Christmas is closed, then the weekend: Monday the 28th.
    const friday = bestTimeDay(Date.parse("2026-12-04T18:00:00Z"), WEEKDAYS_9_TO_5);
    assert.equal(friday.date, "2026-12-07");
    assert.equal(friday.tomorrow, false);
    assert.deepEqual(friday.window, { from: "2026-12-07T08:00:00Z", to: "2026-12-08T08:00:00Z" });
    assert.equal(bestTimeDay(Date.parse("2026-12-24T18:00:00Z"), WEEKDAYS_9_TO_5).date, "2026-12-28");
  });

  test("a clinic never open: tomorrow", () => {
    const day = bestTimeDay(Date.parse("2026-12-04T18:00:00Z"), { ...WEEKDAYS_9_TO_5, businessHours: {} });
    assert.deepEqual(day, {
      date: "2026-12-05",
      tomorrow: true,
      window: { from: "2026-12-05T08:00:00Z", to: "2026-12-06T08:00:00Z" },
    });
  });

  test("a day with a DST change is 23 or 25 hours long", () => {
    assert.deepEqual(dayWindow("2026-03-08", LOS_ANGELES), { from: "2026-03-08T08:00:00Z", to: "2026-03-09T07:00:00Z" });
    assert.deepEqual(dayWindow("2026-11-01", LOS_ANGELES), { from: "2026-11-01T07:00:00Z", to: "2026-11-02T08:00:00Z" });
    assert.equal(dayWindow("2026-02-30", LOS_ANGELES), null);
  });

  test("the next open day and the day after", () => {
    assert.deepEqual(nextOpenDay(Date.parse("2026-12-04T18:00:00Z"), WEEKDAYS_9_TO_5), {
      date: "2026-12-07",
      windows: [["09:00", "17:00"]],
    });
    assert.equal(nextOpenDay(Date.parse("2026-12-04T18:00:00Z"), { ...WEEKDAYS_9_TO_5, businessHours: {} }), null);
    assert.equal(dayAfter("2026-12-31"), "2027-01-01");
    assert.equal(dayAfter("2028-02-28"), "2028-02-29");
  });
});

describe("the call's language", () => {
  /** @type {ClinicSettings} */
  const bilingual = {
    ...WEEKDAYS_9_TO_5,
    defaultLanguage: "en-US",
    agents: { "en-US": { agentId: "agent_en" }, "es-US": { agentId: "agent_es" } },
  };

  test("the clinic's languages: its default first, then those with a voice agent, each once", () => {
    assert.deepEqual(clinicLanguages(bilingual), ["en-US", "es-US"]);
    assert.deepEqual(clinicLanguages({ ...bilingual, defaultLanguage: "es-US" }), ["es-US", "en-US"]);
    assert.deepEqual(clinicLanguages({ ...bilingual, defaultLanguage: "EN-us" }), ["EN-us", "es-US"]);
    const agents = { "fr-CA": { agentId: "agent_fr" }, es: { agentId: "agent_es" }, "de-DE": { textAgentId: "agent_de" } };
    assert.deepEqual(clinicLanguages({ ...bilingual, agents }), ["en-US", "es", "fr-CA"]); // a text agent alone: no calls
    assert.deepEqual(clinicLanguages({ ...bilingual, agents: { es: {} } }), ["en-US"]);
    assert.deepEqual(clinicLanguages(WEEKDAYS_9_TO_5), [FALLBACK_LANGUAGE]); // settings that name no language
  });

  test("the same tag, else the same language in another region", () => {
    assert.equal(matchLanguage("es-US", ["en-US", "es-US"]), "es-US");
    assert.equal(matchLanguage("ES-us", ["en-US", "es-US"]), "es-US");
    assert.equal(matchLanguage("es-US", ["en-US", "es"]), "es");
    assert.equal(matchLanguage("es", ["en-US", "es-MX"]), "es-MX");
    assert.equal(matchLanguage("fr-CA", ["en-US", "es-US"]), null);
  });

  test("the owner's language when the clinic calls in it, else the clinic's default", () => {
    assert.deepEqual(startingLanguage("es-US", bilingual), { language: "es-US", unmatched: null });
    assert.deepEqual(startingLanguage(undefined, bilingual), { language: "en-US", unmatched: null });
    assert.deepEqual(startingLanguage(undefined, { ...bilingual, defaultLanguage: "es-US" }), {
      language: "es-US",
      unmatched: null,
    });
    assert.deepEqual(startingLanguage("es-US", WEEKDAYS_9_TO_5), { language: "en-US", unmatched: "es-US" });
  });
});

describe("the words", () => {
  test("a language by its name", () => {
    assert.equal(languageName("es-US", "en-US"), "Spanish (United States)");
    assert.equal(languageName("es", "en-US"), "Spanish");
    assert.equal(languageName("not a tag!", "en-US"), "not a tag!");
  });

  test("what the best-time choice says about itself", () => {
    assert.equal(chosenText({ reason: "best_answer_rate", expectedAnswerRate: 0.4249 }), "Placed at the best time: expected answer rate 42%");
    assert.equal(chosenText({ reason: "best_answer_rate" }), "Placed at the best time");
    assert.equal(chosenText({ reason: "earliest_open", expectedAnswerRate: 0.3 }), "Placed at the earliest open time");
    assert.equal(chosenText({ reason: "some_new_reason" }), "some new reason");
    assert.equal(chosenText(null), "");
  });

  test("the best-time choice's name and what it goes by", () => {
    assert.equal(bestTimeLabel(null), "Best time tomorrow");
    assert.equal(bestTimeLabel("Monday, December 7, 2026"), "Best time on Monday, December 7, 2026");
    assert.match(bestTimeBasis(64, 90, true), /owners answer most \(64 dials in the last 90 days\)/);
    assert.match(bestTimeBasis(3, 90, false), /^Too few calls yet/);
  });
});
