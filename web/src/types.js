// The API's shapes the dashboard reads (docs/openapi.json has all of them), beside the extension's (lib/api.js).
/** @import { CallOutcome, CallStatus, Weekday } from "../../extension/lib/api.js" */
/** @import { TextStatus } from "../../extension/lib/words.js" */

/**
 * One dial of a call.
 * @typedef {object} CallAttempt
 * @property {number} number
 * @property {string | null} [retellCallId]
 * @property {string | null} [claimedAt]
 * @property {string | null} [dialedAt]
 * @property {string | null} [startedAt]
 * @property {string | null} [endedAt]
 * @property {string | null} [disconnectionReason]
 * @property {CallOutcome | null} [outcome]
 */

/**
 * @typedef {object} CallAnalysis
 * @property {string | null} [summary]
 * @property {string | null} [sentiment]
 * @property {boolean | null} [successful]
 * @property {boolean | null} [inVoicemail]
 * @property {string | null} [petCondition]
 * @property {string | null} [ownerConcerns]
 */

/**
 * The one text conversation a call may get after the phone went unanswered.
 * @typedef {object} CallText
 * @property {TextStatus} status
 * @property {string | null} [scheduledFor]
 * @property {string | null} [chatId]
 * @property {string | null} [startedAt] when the first text went out
 * @property {string | null} [endedAt]
 * @property {string | null} [transcript] "Agent: ...\nUser: ..." lines
 * @property {{summary?: string | null, sentiment?: string | null, successful?: boolean | null} | null} [analysis]
 * @property {string | null} [reason] why it failed or was not sent
 */

/**
 * What the best-time choice says about itself.
 * @typedef {{reason: "best_answer_rate" | "earliest_open" | string, expectedAnswerRate?: number | null}} Chosen
 */

/**
 * A call as GET /calls/{callId} returns it (CallView).
 * @typedef {object} FullCall
 * @property {string} callId
 * @property {string} clinicId
 * @property {CallStatus} status
 * @property {string} requestedFor
 * @property {string} scheduledFor
 * @property {string} timezone
 * @property {boolean} rescheduled
 * @property {string} phoneNumber
 * @property {string} petName
 * @property {string} ownerName
 * @property {string | null} [vetName]
 * @property {string | null} [clinicName]
 * @property {string | null} [clinicPhone]
 * @property {string | null} [dischargeSummary]
 * @property {string | null} [notes]
 * @property {{source?: string | null, consultation_id?: string | null, [key: string]: unknown}} metadata
 * @property {number} attempt
 * @property {number} maxAttempts
 * @property {string | null} [nextRetryAt]
 * @property {string | null} [retellCallId]
 * @property {CallOutcome | null} [outcome]
 * @property {string | null} [disconnectionReason]
 * @property {string | null} [statusReason]
 * @property {CallAnalysis | null} [analysis]
 * @property {string | null} [transcript]
 * @property {boolean} [hasRecording]
 * @property {CallAttempt[]} attempts
 * @property {string | null} [ownerTimezone] the owner's zone, when its clock differs from the call's timezone
 * @property {string | null} [ownerLocalTime] scheduledFor on the owner's clock
 * @property {{given: boolean, method: string, note?: string | null, recordedBy: string, recordedAt: string, channels?: string[]} | null} [consent]
 * @property {string} [language] BCP 47, the clinic's defaultLanguage when none was given
 * @property {CallText | null} [text]
 * @property {Chosen | null} [chosen] present when the call was placed at the best time of a window
 * @property {string} createdAt
 * @property {string} updatedAt
 * @property {string} createdBy
 * @property {number} version
 * @property {boolean} [needsFollowUp] flagged for the clinic and not yet marked done
 * @property {string[]} [followUpReasons]
 * @property {string | null} [flaggedAt]
 * @property {{resolvedAt: string, resolvedBy: string, note?: string | null} | null} [followUp]
 */

/** @typedef {{items: FullCall[], nextToken: string | null}} CallPage */

/**
 * @typedef {object} RetryPolicy
 * @property {number} maxRetries
 * @property {number[]} backoffSeconds
 * @property {boolean} retryOnVoicemail
 * @property {boolean} [moveToBestHour] retries after no answer may move to a better hour within the wait
 */

/**
 * The clinic's settings, all of them (GET/PUT /clinic/settings).
 * @typedef {object} FullSettings
 * @property {string} timezone
 * @property {Record<Weekday, [string, string][]>} businessHours
 * @property {string[]} closedDates
 * @property {RetryPolicy} retry
 * @property {string | null} [agentId]
 * @property {string | null} [fromNumber]
 * @property {number} maxConcurrentCalls
 * @property {boolean} [requireConsent] calling safety: consent, the owner's hours, the dial cap, the clinic's identity
 * @property {{start: string, end: string}} [ownerCallingHours]
 * @property {number} [maxDialsPerNumber]
 * @property {string | null} [clinicName]
 * @property {string | null} [clinicPhone]
 * @property {{emails: string[], webhookUrl?: string | null, events: string[], digestHour: number}} [notifications]
 * @property {{flag: string[]}} [followUpRules]
 * @property {{transcriptDays: number, callDays: number}} [retention] how long owners' data is kept, in days
 * @property {TextFollowUp} [textFollowUp]
 * @property {string} [defaultLanguage] BCP 47
 * @property {Record<string, LanguageAgents>} [agents] the agents for each language (BCP 47 keys)
 */

/**
 * @typedef {object} TextFollowUp
 * @property {boolean} enabled
 * @property {string[]} when "no_answer", "voicemail"
 * @property {number} delayMinutes 0-1440
 */

/** @typedef {{agentId?: string | null, textAgentId?: string | null}} LanguageAgents */

/**
 * @typedef {object} OverviewCall
 * @property {string} callId
 * @property {string} petName
 * @property {string} ownerName
 * @property {string} scheduledFor
 * @property {CallStatus} status
 * @property {CallOutcome | null} [outcome]
 * @property {string | null} [statusReason]
 * @property {number} attempt
 * @property {number} maxAttempts
 */

/**
 * GET /clinic/overview.
 * @typedef {object} Overview
 * @property {number} days
 * @property {string} timezone
 * @property {string} windowStart
 * @property {string} windowEnd
 * @property {number} total
 * @property {Record<CallStatus, number>} byStatus
 * @property {Partial<Record<CallOutcome, number>>} byOutcome
 * @property {number} finished
 * @property {number} answered
 * @property {number | null} answerRate
 * @property {number | null} averageAttempts
 * @property {OverviewCall[]} failed
 * @property {number} failedTotal
 * @property {boolean} truncated
 * @property {number} [textsSent] texts started in the window
 * @property {number} [reachedByText] of those, the owner replied: reached by text after the phone failed
 */

/**
 * The dashboard's runtime configuration (config.json, written by the deployment or by `make dev`).
 * @typedef {object} DashboardConfig
 * @property {string} apiBase the API's address, no trailing slash
 * @property {{region: string, userPoolId?: string, clientId: string, endpoint?: string}} cognito "" when there is
 *   no Cognito sign-in
 * @property {string} [idexxBase]
 * @property {boolean} [localTokens] the local stack hands out tokens (POST /local/token)
 */

export {};
