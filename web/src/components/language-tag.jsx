// A call's language, shown only where it is not the clinic's default (most calls are in it: saying so on every row
// would be noise).
import { languageName } from "../../../extension/lib/words.js";

/** @param {{language: string | null | undefined, defaultLanguage: string}} props */
export function LanguageTag({ language, defaultLanguage }) {
  if (!language || language.toLowerCase() === defaultLanguage.toLowerCase()) return null;
  return (
    <span class="language-tag">
      <span class="visually-hidden">Language: </span>
      {languageName(language)}
    </span>
  );
}

/**
 * The clinic's default language (settings `defaultLanguage`; "en-US" before the clinic chose one).
 * @param {{defaultLanguage?: string | null}} settings
 */
export const defaultLanguageOf = (settings) => settings.defaultLanguage || "en-US";
