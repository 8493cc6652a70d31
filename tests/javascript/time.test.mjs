// The wall clock (extension/lib/time.js) that the dashboard and the extension share: zones, DST changes, countdowns.
// Run by tests/javascript/test_javascript.py with Node's own test runner (node --test).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  clinicToday,
  clockTime,
  countdown,
  dayAndTime,
  dayEdge,
  lasted,
  longDate,
  longWhen,
  ownerClock,
  shortWhen,
  suggestedFollowUp,
  wallAt,
  wallDateTime,
  wallToInstant,
  zoneAbbreviation,
} from "../../extension/lib/time.js";

const NEW_YORK = "America/New_York";
const LOS_ANGELES = "America/Los_Angeles";
const SYDNEY = "Australia/Sydney";
const EN = "en-US";

// ICU writes a narrow no-break space before AM/PM in some versions and a plain one in others.
/** @param {string} text */
const plain = (text) => text.replace(/[\u202f\u00a0]/g, " ");

describe("wallToInstant", () => {
  test("a winter and a summer time in New York", () => {
    assert.equal(wallToInstant("2026-01-15", "10:00", NEW_YORK), "2026-01-15T15:00:00Z");
    assert.equal(wallToInstant("2026-07-15", "10:00", NEW_YORK), "2026-07-15T14:00:00Z");
  });

  test("east of Greenwich, across the date line of UTC", () => {
    assert.equal(wallToInstant("2026-11-23", "08:00", SYDNEY), "2026-11-22T21:00:00Z"); // AEDT, UTC+11
    assert.equal(wallToInstant("2026-06-23", "08:00", "Asia/Kolkata"), "2026-06-23T02:30:00Z");
  });

  test("a time the spring-forward change skips moves forward by the change", () => {
    // 2026-03-08: New York's clocks go from 02:00 EST to 03:00 EDT; 02:30 does not exist and reads as 03:30 EDT.
    assert.equal(wallToInstant("2026-03-08", "02:30", NEW_YORK), "2026-03-08T07:30:00Z");
    assert.equal(wallToInstant("2026-03-08", "01:59", NEW_YORK), "2026-03-08T06:59:00Z");
    assert.equal(wallToInstant("2026-03-08", "03:00", NEW_YORK), "2026-03-08T07:00:00Z");
  });

  test("a time the fall-back change repeats is its first occurrence", () => {
    // 2026-11-01: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    assert.equal(wallToInstant("2026-11-01", "01:30", NEW_YORK), "2026-11-01T05:30:00Z");
    assert.equal(wallToInstant("2026-11-01", "02:00", NEW_YORK), "2026-11-01T07:00:00Z");
  });

  test("the southern hemisphere's changes run the other way", () => {
    // 2026-10-04: Sydney's clocks go from 02:00 AEST to 03:00 AEDT; 2026-04-05 repeats 02:00-03:00.
    assert.equal(wallToInstant("2026-10-04", "02:30", SYDNEY), "2026-10-03T16:30:00Z");
    assert.equal(wallToInstant("2026-04-05", "02:30", SYDNEY), "2026-04-04T15:30:00Z");
  });

  test("what is not a date and a time is null", () => {
    for (const [date, time] of [["2026-02-30", "10:00"], ["2026-13-01", "10:00"], ["", "10:00"], ["2026-01-15", ""], ["2026-01-15", "24:00"], ["2026-01-15", "9:00"]]) {
      assert.equal(wallToInstant(date, time, NEW_YORK), null, `${date} ${time}`);
    }
  });

  test("round trip through wallAt, every half hour of a DST day", () => {
    for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
      const time = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
      const instant = /** @type {string} */ (wallToInstant("2026-11-01", time, LOS_ANGELES));
      assert.deepEqual(wallAt(instant, LOS_ANGELES), { date: "2026-11-01", time });
    }
  });
});

describe("wallAt and the clinic's day", () => {
  test("the same instant is another day in another zone", () => {
    const instant = "2026-11-23T03:00:00Z";
    assert.deepEqual(wallAt(instant, LOS_ANGELES), { date: "2026-11-22", time: "19:00" });
    assert.deepEqual(wallAt(instant, SYDNEY), { date: "2026-11-23", time: "14:00" });
    assert.equal(wallDateTime(new Date(instant), NEW_YORK), "2026-11-22T22:00");
    assert.equal(clinicToday(SYDNEY, Date.parse(instant)), "2026-11-23");
    assert.equal(clinicToday(LOS_ANGELES, instant), "2026-11-22");
  });

  test("a day's edges, a 25-hour and a 23-hour day among them", () => {
    assert.equal(dayEdge("2026-11-23", LOS_ANGELES, "start"), "2026-11-23T08:00:00Z");
    assert.equal(dayEdge("2026-11-23", LOS_ANGELES, "end"), "2026-11-24T07:59:59.999Z");
    assert.equal(dayEdge("2026-11-01", NEW_YORK, "start"), "2026-11-01T04:00:00Z");
    assert.equal(dayEdge("2026-11-01", NEW_YORK, "end"), "2026-11-02T04:59:59.999Z");
    assert.equal(dayEdge("2026-03-08", NEW_YORK, "start"), "2026-03-08T05:00:00Z");
    assert.equal(dayEdge("2026-03-08", NEW_YORK, "end"), "2026-03-09T03:59:59.999Z");
    assert.equal(dayEdge("not a date", NEW_YORK, "start"), null);
  });

  test("a day that starts with a skipped midnight starts at 01:00", () => {
    // Santiago moves its clocks from 00:00 to 01:00 on 2026-09-06.
    assert.equal(dayEdge("2026-09-06", "America/Santiago", "start"), "2026-09-06T04:00:00Z");
    assert.deepEqual(wallAt("2026-09-06T04:00:00Z", "America/Santiago"), { date: "2026-09-06", time: "01:00" });
  });
});

describe("formatting in the clinic's zone", () => {
  const instant = "2026-11-23T18:00:05Z";

  test("whatever zone the computer is in", () => {
    assert.equal(plain(shortWhen(instant, LOS_ANGELES, EN)), "Mon, Nov 23, 10:00 AM");
    assert.equal(plain(longWhen(instant, LOS_ANGELES, EN)), "Monday, November 23, 2026 at 10:00 AM PST");
    assert.equal(plain(dayAndTime(instant, LOS_ANGELES, EN)), "Monday, November 23 at 10:00 AM PST");
    assert.equal(plain(longDate(instant, SYDNEY, EN)), "Tuesday, November 24, 2026");
    assert.equal(plain(clockTime(instant, NEW_YORK, EN)), "1:00:05 PM");
  });

  test("the zone's short name follows DST", () => {
    assert.equal(zoneAbbreviation(LOS_ANGELES, Date.parse("2026-01-15T12:00:00Z"), EN), "PST");
    assert.equal(zoneAbbreviation(LOS_ANGELES, Date.parse("2026-07-15T12:00:00Z"), EN), "PDT");
    assert.equal(plain(longWhen("2026-07-15T17:00:00Z", LOS_ANGELES, EN)), "Wednesday, July 15, 2026 at 10:00 AM PDT");
  });

  test("an owner's clock with its offset where the language has no name for the zone", () => {
    assert.equal(plain(ownerClock(instant, "Australia/Brisbane", EN)), "4:00 AM GMT+10");
    assert.equal(plain(ownerClock(instant, NEW_YORK, EN)), "1:00 PM EST");
  });
});

describe("countdown and lasted", () => {
  const now = Date.parse("2026-11-23T10:00:00Z");
  const at = (/** @type {number} */ seconds) => new Date(now + seconds * 1000).toISOString();

  test("in words that fit a cell", () => {
    assert.equal(countdown(at(0), now), "due now");
    assert.equal(countdown(at(-30), now), "due now");
    assert.equal(countdown(at(0.4), now), "in 1 s");
    assert.equal(countdown(at(42), now), "in 42 s");
    assert.equal(countdown(at(4 * 60 + 12), now), "in 4 min 12 s");
    assert.equal(countdown(at(2 * 3600 + 5 * 60 + 59), now), "in 2 h 5 min");
    assert.equal(countdown(at(26 * 3600), now), "in 1 day 2 h");
    assert.equal(countdown(at(3 * 86400 + 5), now), "in 3 days");
  });

  test("a countdown across a DST change counts real time", () => {
    const before = Date.parse("2026-03-08T06:30:00Z"); // 01:30 EST
    assert.equal(countdown(/** @type {string} */ (wallToInstant("2026-03-08", "03:30", NEW_YORK)), before), "in 1 h 0 min");
  });

  test("how long an attempt lasted", () => {
    assert.equal(lasted(at(0), at(42)), "42 s");
    assert.equal(lasted(at(0), at(67)), "1 min 7 s");
    assert.equal(lasted(at(10), at(0)), "0 s");
  });
});

describe("suggestedFollowUp", () => {
  /** @type {import("../../extension/lib/api.js").ClinicSettings} */
  const clinic = {
    timezone: LOS_ANGELES,
    businessHours: { mon: [["09:00", "17:00"]], tue: [["11:00", "17:00"]], fri: [["09:00", "12:00"]] },
    closedDates: ["2026-11-27"],
  };

  test("the next open day at 10:00, else when it opens", () => {
    // Sunday evening in Los Angeles is already Monday in UTC: the clinic's calendar decides.
    assert.equal(suggestedFollowUp(Date.parse("2026-11-23T03:00:00Z"), clinic), "2026-11-23T10:00");
    assert.equal(suggestedFollowUp(Date.parse("2026-11-23T18:00:00Z"), clinic), "2026-11-24T11:00");
  });

  test("closed dates and days are skipped", () => {
    // Tuesday: Wednesday and Thursday have no hours, Friday 27 is closed; the next Monday is.
    assert.equal(suggestedFollowUp(Date.parse("2026-11-24T18:00:00Z"), clinic), "2026-11-30T10:00");
  });

  test("a clinic never open gets tomorrow at 10:00", () => {
    assert.equal(suggestedFollowUp(Date.parse("2026-11-23T18:00:00Z"), { ...clinic, businessHours: {} }), "2026-11-24T10:00");
  });
});
