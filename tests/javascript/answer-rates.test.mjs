// The answer-rate heat map's arithmetic (web/src/answer-rates.js): the sparse cells filled into a weekday-by-hour grid,
// the shades, the words a cell is read out with, the best hours and the keyboard's moves.
// Run by tests/javascript/test_javascript.py with Node's own test runner (node --test).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CALLING_HOURS,
  SHADES,
  bestHoursText,
  cellText,
  fillGrid,
  hourSpan,
  hoursShown,
  legend,
  moveFocus,
  percent,
  shadeOf,
} from "../../web/src/answer-rates.js";

describe("hoursShown", () => {
  test("the calling hours, 08:00 to 20:00, when every dial is inside them", () => {
    const hours = hoursShown([{ weekday: "mon", hour: 9, dials: 3, answered: 1 }]);
    assert.deepEqual(hours, [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.equal(hours[0], CALLING_HOURS.first);
    assert.equal(hours.at(-1), CALLING_HOURS.last);
  });

  test("widened to an hour with dials outside them, and every hour between", () => {
    const hours = hoursShown([
      { weekday: "tue", hour: 6, dials: 1, answered: 0 },
      { weekday: "sun", hour: 21, dials: 2, answered: 1 },
    ]);
    assert.equal(hours[0], 6);
    assert.equal(hours.at(-1), 21);
    assert.equal(hours.length, 16);
  });

  test("not widened by a cell without dials or one that is no hour", () => {
    const hours = hoursShown([
      { weekday: "tue", hour: 2, dials: 0, answered: 0 },
      { weekday: "tue", hour: 24, dials: 5, answered: 1 },
      { weekday: /** @type {any} */ ("someday"), hour: 3, dials: 5, answered: 1 },
    ]);
    assert.deepEqual([hours[0], hours.at(-1)], [8, 19]);
  });
});

describe("fillGrid", () => {
  const hours = [8, 9, 10];

  test("seven rows, Monday first, each with every hour; cells without dials have no rate", () => {
    const grid = fillGrid([{ weekday: "wed", hour: 9, dials: 4, answered: 3 }], hours);
    assert.deepEqual(
      grid.map((row) => row.weekday),
      ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    );
    assert.equal(grid[0].name, "Monday");
    for (const row of grid) assert.deepEqual(row.cells.map((cell) => cell.hour), hours);
    assert.deepEqual(grid[2].cells[1], { weekday: "wed", hour: 9, dials: 4, answered: 3, rate: 0.75 });
    assert.deepEqual(grid[2].cells[0], { weekday: "wed", hour: 8, dials: 0, answered: 0, rate: null });
    const filled = grid.flatMap((row) => row.cells).filter((cell) => cell.rate !== null);
    assert.equal(filled.length, 1);
  });

  test("a repeated cell is added up; nonsense is left out; a rate never passes 1", () => {
    const grid = fillGrid(
      [
        { weekday: "fri", hour: 10, dials: 2, answered: 1 },
        { weekday: "fri", hour: 10, dials: 2, answered: 2 },
        { weekday: "sat", hour: 8, dials: 1, answered: 3 },
        { weekday: "sun", hour: 9.5, dials: 1, answered: 1 },
      ],
      hours,
    );
    assert.deepEqual(grid[4].cells[2], { weekday: "fri", hour: 10, dials: 4, answered: 3, rate: 0.75 });
    assert.equal(grid[5].cells[0].rate, 1);
    assert.ok(grid[6].cells.every((cell) => cell.rate === null));
  });

  test("an empty answer is an empty grid", () => {
    const grid = fillGrid([], hoursShown([]));
    assert.equal(grid.length, 7);
    assert.ok(grid.every((row) => row.cells.length === 12 && row.cells.every((cell) => cell.dials === 0 && cell.rate === null)));
  });
});

describe("the colour scale", () => {
  test("five shades of a fifth each, from the percent the cell shows", () => {
    assert.equal(SHADES, 5);
    assert.equal(shadeOf(0), 0);
    assert.equal(shadeOf(0.19), 0);
    assert.equal(shadeOf(0.194), 0);
    assert.equal(shadeOf(0.196), 1); // shows "20%": never in the 0-19% shade
    assert.equal(shadeOf(0.2), 1);
    assert.equal(shadeOf(0.42), 2);
    assert.equal(shadeOf(0.6), 3);
    assert.equal(shadeOf(3 / 5), 3);
    assert.equal(shadeOf(0.79), 3);
    assert.equal(shadeOf(0.8), 4);
    assert.equal(shadeOf(1), 4);
  });

  test("no dials is its own shade; out-of-range rates are held to the scale", () => {
    assert.equal(shadeOf(null), "none");
    assert.equal(shadeOf(Number.NaN), "none");
    assert.equal(shadeOf(1.5), 4);
    assert.equal(shadeOf(-0.1), 0);
  });

  test("the legend names each shade's percents, together 0 to 100", () => {
    assert.deepEqual(
      legend().map((entry) => entry.label),
      ["0–19%", "20–39%", "40–59%", "60–79%", "80–100%"],
    );
    assert.deepEqual(
      legend().map((entry) => entry.shade),
      [0, 1, 2, 3, 4],
    );
  });
});

describe("the words", () => {
  test("a rate, an hour", () => {
    assert.equal(percent(0.42), "42%");
    assert.equal(percent(2 / 3), "67%");
    assert.equal(hourSpan(9), "09:00–10:00");
    assert.equal(hourSpan(23), "23:00–24:00");
  });

  test("a cell with its counts, one dial, and one without dials", () => {
    assert.equal(cellText({ weekday: "mon", hour: 9, dials: 12, answered: 5, rate: 5 / 12 }), "Monday 09:00–10:00: 5 of 12 dials answered (42%)");
    assert.equal(cellText({ weekday: "sun", hour: 18, dials: 1, answered: 0, rate: 0 }), "Sunday 18:00–19:00: 0 of 1 dial answered (0%)");
    assert.equal(cellText({ weekday: "thu", hour: 8, dials: 0, answered: 0, rate: null }), "Thursday 08:00–09:00: no dials");
  });

  test("the best hours, highest rate first", () => {
    const best = [
      { weekday: /** @type {const} */ ("tue"), hour: 10, rate: 0.5 },
      { weekday: /** @type {const} */ ("sat"), hour: 11, rate: 0.62 },
    ];
    assert.deepEqual(bestHoursText(best), ["Saturday 11:00–12:00 (62% answered)", "Tuesday 10:00–11:00 (50% answered)"]);
    assert.deepEqual(bestHoursText([]), []);
  });
});

describe("moveFocus", () => {
  const at = { row: 3, column: 5 };
  test("the arrows move one cell and stop at the edges", () => {
    assert.deepEqual(moveFocus(at, "ArrowLeft", false, 7, 12), { row: 3, column: 4 });
    assert.deepEqual(moveFocus(at, "ArrowRight", false, 7, 12), { row: 3, column: 6 });
    assert.deepEqual(moveFocus(at, "ArrowUp", false, 7, 12), { row: 2, column: 5 });
    assert.deepEqual(moveFocus(at, "ArrowDown", false, 7, 12), { row: 4, column: 5 });
    assert.deepEqual(moveFocus({ row: 0, column: 0 }, "ArrowUp", false, 7, 12), { row: 0, column: 0 });
    assert.deepEqual(moveFocus({ row: 6, column: 11 }, "ArrowRight", false, 7, 12), { row: 6, column: 11 });
  });

  test("Home and End go along the row, with Ctrl to the corners; other keys do nothing", () => {
    assert.deepEqual(moveFocus(at, "Home", false, 7, 12), { row: 3, column: 0 });
    assert.deepEqual(moveFocus(at, "End", false, 7, 12), { row: 3, column: 11 });
    assert.deepEqual(moveFocus(at, "Home", true, 7, 12), { row: 0, column: 0 });
    assert.deepEqual(moveFocus(at, "End", true, 7, 12), { row: 6, column: 11 });
    assert.equal(moveFocus(at, "Enter", false, 7, 12), null);
    assert.equal(moveFocus(at, "Tab", false, 7, 12), null);
  });
});
