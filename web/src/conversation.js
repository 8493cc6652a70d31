// A text's (or a call's) transcript as a conversation, pure (unit-tested under node --test): Retell's plain lines
// "Agent: ..." / "User: ..." become turns, a line without a speaker continues the turn before it.

/** @typedef {{from: "agent" | "owner" | "unknown", text: string}} Turn */

const SPEAKERS = /** @type {const} */ ({ agent: "agent", user: "owner" });

/**
 * @param {string | null | undefined} transcript
 * @returns {Turn[]}
 */
export function conversationOf(transcript) {
  /** @type {Turn[]} */
  const turns = [];
  for (const line of (transcript || "").split(/\r?\n/)) {
    const said = /^\s*(agent|user)\s*:\s?(.*)$/i.exec(line);
    if (said) {
      turns.push({ from: SPEAKERS[/** @type {"agent" | "user"} */ (said[1].toLowerCase())], text: said[2].trim() });
    } else if (line.trim()) {
      const last = turns[turns.length - 1];
      if (last) last.text = last.text ? `${last.text}\n${line.trim()}` : line.trim();
      else turns.push({ from: "unknown", text: line.trim() });
    }
  }
  return turns;
}
