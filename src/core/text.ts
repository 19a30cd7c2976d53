/** User data (key names, comments, server messages) made safe to show as plain text or inside Markdown. */
import { maskTrailingTokenStart } from './redact';

// C0/C1 controls, bidi overrides and isolates, zero-width and line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
/** The same characters, to test for (a text with none, most of them, is shown as it is). */
const HAS_UNSAFE_CHAR = new RegExp(UNSAFE_CHARS.source);

/**
 * One line of plain text: unsafe characters become U+FFFD, long values are cut with an ellipsis. Redact
 * before cutting (a cut secret no longer matches); a token-shaped fragment a cut leaves at the end is masked.
 */
export function displayText(value: string, maxLength = 200): string {
  if (value.length <= maxLength && !HAS_UNSAFE_CHAR.test(value)) return value;
  const clean = value.replace(/\r\n?|\n|\t/g, ' ').replace(UNSAFE_CHARS, '\ufffd');
  if (clean.length <= maxLength) return clean;
  // Never cut between the two halves of a surrogate pair (emoji and other astral characters).
  const end = /[\ud800-\udbff]/.test(clean.charAt(maxLength - 2)) ? maxLength - 2 : maxLength - 1;
  return `${maskTrailingTokenStart(clean.slice(0, end))}…`;
}

/** Text for places that render `$(icon)` syntax (status bar, quick picks): server text stays literal. */
export function escapeThemeIcons(value: string): string {
  return value.replace(/\\?\$\(/g, (match) => (match.startsWith('\\') ? match : '\\$('));
}

/**
 * Escapes every ASCII punctuation character for CommonMark, so user data can never become a link, a command
 * link, HTML, an image or formatting: it renders as the literal text.
 */
export function escapeMarkdown(value: string, maxLength = 1000): string {
  return displayText(value, maxLength).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
