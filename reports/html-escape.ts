/**
 * The two ways a string enters the HTML report, and the only ones: as text or an attribute value (`escapeHtml`),
 * or inside a JSON data island (`scriptJson`), which the page's script reads and shows with `textContent` only.
 * Everything a target returned and everything generated (edge strings carry markup on purpose) goes through them.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe as element content and as a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

const SCRIPT_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * JSON for the content of `<script type="application/json">`: no `<` at all, so nothing inside can close the
 * element (`</script`) or open a comment (`<!--`); `JSON.parse(element.textContent)` gives the value back.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => SCRIPT_ESCAPES[char]!);
}
