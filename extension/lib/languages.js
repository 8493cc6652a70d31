// The languages a clinic's calls can be placed in (its settings' `agents`, and its `defaultLanguage`) and the one a
// call starts with: the owner's, from the consultation, when the clinic has an agent for it; else the clinic's own.
/** @import { ClinicSettings } from "./api.js" */

/** The language of a clinic whose settings name none (the API's own default). */
export const FALLBACK_LANGUAGE = "en-US";

/** @param {string} tag */
const primary = (tag) => tag.split(/[-_]/)[0].toLowerCase();

/**
 * The languages the clinic's calls can be placed in, as the API decides it: its default (served by its own agent),
 * then each language with a voice agent, in the API's order (BCP 47 tags are compared without case).
 * @param {ClinicSettings} clinic
 * @returns {string[]}
 */
export function clinicLanguages(clinic) {
  const spoken = Object.entries(clinic.agents || {})
    .filter(([, agents]) => agents?.agentId)
    .map(([tag]) => tag)
    .sort();
  /** @type {string[]} */
  const languages = [];
  for (const tag of [clinic.defaultLanguage || FALLBACK_LANGUAGE, ...spoken]) {
    if (!languages.some((known) => known.toLowerCase() === tag.toLowerCase())) languages.push(tag);
  }
  return languages;
}

/**
 * The clinic's language for `wanted`: the same tag, else the same language in another region ("es" for "es-US");
 * null when the clinic has none.
 * @param {string} wanted
 * @param {string[]} languages
 * @returns {string | null}
 */
export function matchLanguage(wanted, languages) {
  const exact = languages.find((tag) => tag.toLowerCase() === wanted.toLowerCase());
  return exact || languages.find((tag) => primary(tag) === primary(wanted)) || null;
}

/**
 * The language a call starts with, and the owner's language when the clinic cannot call in it (for a hint).
 * @param {string | null | undefined} owners the client record's language (the preview's `callRequest.language`)
 * @param {ClinicSettings} clinic
 * @returns {{language: string, unmatched: string | null}}
 */
export function startingLanguage(owners, clinic) {
  const languages = clinicLanguages(clinic);
  const matched = owners ? matchLanguage(owners, languages) : null;
  return { language: matched || languages[0], unmatched: owners && !matched ? owners : null };
}
