// A text follow-up as the dashboard shows it: the transcript as a conversation (web/src/conversation.js) and the words
// for the text's status, why it was not sent, the best-time choice and a language (extension/lib/words.js).
// Run by tests/javascript/test_javascript.py with Node's own test runner (node --test).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { conversationOf } from "../../web/src/conversation.js";
import { TEXT_STATUS, TEXT_STATUSES, TEXT_WHEN, chosenText, languageName, textReasonText, textStatusText } from "../../extension/lib/words.js";

describe("conversationOf", () => {
  test("Agent and User lines become the agent's and the owner's turns", () => {
    const turns = conversationOf("Agent: Hi, this is Paws & Claws about Luna.\nUser: She is eating again!\nAgent: Great to hear.");
    assert.deepEqual(turns, [
      { from: "agent", text: "Hi, this is Paws & Claws about Luna." },
      { from: "owner", text: "She is eating again!" },
      { from: "agent", text: "Great to hear." },
    ]);
  });

  test("a line without a speaker continues the turn before it; blank lines and CRLF are ignored", () => {
    const turns = conversationOf("Agent: Two things:\r\n1. water\r\n\r\n2. rest\nuser:ok");
    assert.deepEqual(turns, [
      { from: "agent", text: "Two things:\n1. water\n2. rest" },
      { from: "owner", text: "ok" },
    ]);
  });

  test("text before any speaker is kept; nothing is no turns", () => {
    assert.deepEqual(conversationOf("hello"), [{ from: "unknown", text: "hello" }]);
    assert.deepEqual(conversationOf(""), []);
    assert.deepEqual(conversationOf(null), []);
    assert.deepEqual(conversationOf(undefined), []);
  });

  test("a colon later in a line is the text's, not a speaker", () => {
    assert.deepEqual(conversationOf("User: Note: she limps"), [{ from: "owner", text: "Note: she limps" }]);
    assert.deepEqual(conversationOf("Luna: woof"), [{ from: "unknown", text: "Luna: woof" }]);
  });
});

describe("the text's words", () => {
  test("every text status has its words, none of them a code", () => {
    assert.deepEqual(TEXT_STATUSES, ["scheduled", "sent", "replied", "ended", "failed", "skipped"]);
    assert.deepEqual(Object.keys(TEXT_STATUS).sort(), [...TEXT_STATUSES].sort());
    for (const status of TEXT_STATUSES) {
      assert.ok(textStatusText(status) && !textStatusText(status).includes("_"), status);
      assert.doesNotMatch(textStatusText(status), /\b(SMS|chat)\b/i); // the UI says "text"
    }
    assert.equal(textStatusText("replied"), "Replied by text");
    assert.equal(textStatusText(null), "");
    assert.equal(textStatusText("new_status"), "new_status");
  });

  test("why a text was not sent, and a reason not listed as its code with spaces", () => {
    assert.equal(textReasonText("no_text_consent"), "The owner did not agree to texts when the call was scheduled");
    assert.equal(textReasonText("carrier_blocked"), "carrier blocked");
    assert.equal(textReasonText(null), "");
  });

  test("the settings' choices of when a text goes", () => {
    assert.deepEqual(
      TEXT_WHEN.map(([when]) => when),
      ["no_answer", "voicemail"],
    );
  });
});

describe("chosenText", () => {
  test("the best time with its expected answer rate, or the earliest open time", () => {
    assert.equal(chosenText({ reason: "best_answer_rate", expectedAnswerRate: 0.42 }), "Placed at the best time: expected answer rate 42%");
    assert.equal(chosenText({ reason: "earliest_open", expectedAnswerRate: 0.1 }), "Placed at the earliest open time");
    assert.equal(chosenText({ reason: "best_answer_rate" }), "Placed at the best time");
    assert.equal(chosenText(null), "");
  });
});

describe("languageName", () => {
  test("a tag's name in the user's language, the tag when it has none", () => {
    assert.equal(languageName("es-US", "en-US"), "Spanish (United States)");
    assert.equal(languageName("es", "en-US"), "Spanish");
    assert.equal(languageName("not a tag", "en-US"), "not a tag");
  });
});
