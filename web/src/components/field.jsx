// A labelled form control with its hint and the API's message when it refused the value.
/** @import { ComponentChildren } from "preact" */

/** @param {{id: string, label: string, error?: string, hint?: string, children: ComponentChildren}} props */
export function Field({ id, label, error, hint, children }) {
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * aria-describedby for a control inside Field: its hint and error, when shown.
 * @param {string} id
 * @param {{hint?: unknown, error?: unknown}} shown which of the two are shown
 */
export function describedBy(id, { hint, error }) {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}
