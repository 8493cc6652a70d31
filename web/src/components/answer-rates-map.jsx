// When this clinic's owners answer: a heat map of the answer rate by weekday (rows) and hour on the owner's clock
// (columns), from GET /clinic/answer-rates. It is a real <table> (caption, th scopes) so a screen reader reads each
// cell with its weekday and hour; every cell carries its counts as text, in its title (hover) and in the line under
// the grid while it is hovered or focused. One Tab stop: the arrow keys move between cells (a roving tabindex).
// Colours come from classes (the CSP allows no style attributes from markup), each shade with text that keeps
// WCAG AA contrast.
import { useState } from "preact/hooks";
import { bestHoursText, cellText, fillGrid, hoursShown, legend, moveFocus, shadeOf } from "../answer-rates.js";
/** @import { AnswerRates, GridCell } from "../answer-rates.js" */

/** @param {{rates: AnswerRates}} props */
export function AnswerRatesMap({ rates }) {
  const hours = hoursShown(rates.cells);
  const rows = fillGrid(rates.cells, hours);
  const [active, setActive] = useState({ row: 0, column: 0 });
  const [readout, setReadout] = useState(/** @type {string | null} */ (null));
  const at = { row: Math.min(active.row, rows.length - 1), column: Math.min(active.column, hours.length - 1) };
  const dialed = rows.some((row) => row.cells.some((cell) => cell.dials > 0));
  const best = bestHoursText(rates.best || []);

  /** @param {KeyboardEvent} event */
  const onKeyDown = (event) => {
    const next = moveFocus(at, event.key, event.ctrlKey, rows.length, hours.length);
    if (!next) return;
    event.preventDefault();
    setActive(next);
    const table = /** @type {HTMLElement} */ (event.currentTarget);
    /** @type {HTMLElement | null} */ (table.querySelector(`[data-cell="${next.row}-${next.column}"]`))?.focus();
  };
  /** @param {GridCell} cell */
  const shown = (cell) => setReadout(cellText(cell));

  return (
    <section class="panel" aria-labelledby="answer-rates-title" id="answer-rates">
      <h2 id="answer-rates-title">When owners answer</h2>
      <p class="muted">
        Every dial of the last {rates.days} days, by weekday and hour on the owner's own clock, and the share the owner answered (voicemail does
        not count). Point at an hour, or move to it with Tab and the arrow keys, for its counts.
      </p>
      {!dialed && <p id="answer-rates-empty">No dials in these {rates.days} days yet: the grid fills in as calls are placed.</p>}
      <p class="hint heat-swipe">Swipe the grid sideways for the later hours.</p>
      <div class="heat-scroll">
        <table class="heat" onKeyDown={onKeyDown}>
          <caption class="visually-hidden">
            Answer rate by weekday and hour (owner's local time), last {rates.days} days: the percent of dials answered, or no dials
          </caption>
          <thead>
            <tr>
              <td class="heat-corner" />
              {hours.map((hour) => (
                <th scope="col" key={hour}>
                  {String(hour).padStart(2, "0")}
                  <span class="visually-hidden">:00</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={row.weekday}>
                <th scope="row">
                  <span aria-hidden="true">{row.name.slice(0, 3)}</span>
                  <span class="visually-hidden">{row.name}</span>
                </th>
                {row.cells.map((cell, c) => {
                  const shade = shadeOf(cell.rate);
                  const text = cellText(cell);
                  return (
                    <td
                      key={cell.hour}
                      class={`heat-cell heat-${shade}`}
                      data-cell={`${r}-${c}`}
                      data-weekday={cell.weekday}
                      data-hour={cell.hour}
                      title={text}
                      tabIndex={r === at.row && c === at.column ? 0 : -1}
                      onFocus={() => {
                        setActive({ row: r, column: c });
                        shown(cell);
                      }}
                      onMouseEnter={() => shown(cell)}
                    >
                      <span aria-hidden="true">{cell.rate === null ? "–" : Math.round(cell.rate * 100)}</span>
                      <span class="visually-hidden">{text.slice(text.indexOf(": ") + 2)}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {/* What a screen reader already heard from the cell itself: shown for the eyes only. */}
      <p class="heat-readout" id="answer-rates-readout" aria-hidden="true">
        {readout || "Point at an hour, or focus it, to see its counts."}
      </p>
      <ul class="heat-legend" aria-label="Legend: percent of dials answered">
        {legend().map(({ shade, label }) => (
          <li key={shade}>
            <span class={`swatch heat-${shade}`} aria-hidden="true" />
            {label}
          </li>
        ))}
        <li>
          <span class="swatch heat-none" aria-hidden="true" />
          No dials
        </li>
      </ul>
      <h3 id="best-hours-title">Best hours to call</h3>
      {best.length === 0 ? (
        <p class="muted" id="best-hours-none">
          Not enough dials yet to say which hours are best.
        </p>
      ) : (
        <ol aria-labelledby="best-hours-title" id="best-hours">
          {best.map((words) => (
            <li key={words}>{words}</li>
          ))}
        </ol>
      )}
    </section>
  );
}
