// HTML built only through a tagged template that escapes every interpolated
// value unless it is already markup made by this same template. Strings from
// result files (map names, errors, warnings, command lines) therefore always
// reach the page as text.

/** Markup produced by `html`; the only thing inserted unescaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

function piece(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(piece).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += piece(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/**
 * Text for the inside of a <script> element: nothing in it may close the
 * element (`</script`) or open a comment (`<!--`, which changes how the
 * parser looks for the end). JSON gets every `<` as \u003c. Code gets `<`
 * as \x3C in those two sequences: they only occur inside string literals,
 * template literals or regular expressions, where both read as `<`.
 */
export function scriptJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

export function scriptCode(code: string): string {
  return code.replace(/<(\/script|!--)/gi, '\\x3C$1');
}
