import assert from 'node:assert/strict';
import type { TestResponse } from './client.ts';

export interface FormAgainExpectation {
  status: number;
  /** The page's own title, which the answer prefixes with "Error: ". */
  title: string;
  /** Field name → its message: each must be tied to its input and linked from the summary. */
  fields?: Record<string, RegExp>;
  /** A problem of the whole form, listed in the summary without a link. */
  form?: RegExp;
  /** Typed values the form must show again, by field name. */
  kept?: Record<string, string>;
  /** Typed secrets that must not come back anywhere in the page. */
  secrets?: string[];
}

/** The `<input>` tag of a field, by its id. */
export function inputTag(text: string, name: string): string {
  const tag = new RegExp(`<input[^>]*\\bid="${name}"[^>]*>`).exec(text)?.[0];
  assert.ok(tag, `an input with id="${name}"`);
  return tag;
}

/**
 * The same form again, not an error page: "Error: " in the title, an error summary that takes the
 * focus and links each problem to its field, each field marked invalid and described by its
 * message, the typed values kept and no secret echoed.
 */
export function assertFormAgain(response: TestResponse, expected: FormAgainExpectation): void {
  const { text } = response;
  assert.equal(response.status, expected.status, `status (${response.location ?? text.slice(0, 300)})`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(text.includes(`<title>Error: ${expected.title} · Latchkey</title>`), `title "Error: ${expected.title}"`);
  assert.ok(!text.includes('That did not work'), 'not the generic error page');
  assert.match(text, /name="_csrf" value="[^"]+"/, 'the form again, with a CSRF token');
  const summary =
    /<div class="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">([\s\S]*?)<\/div>/.exec(text);
  assert.ok(summary, 'an error summary that takes the focus');
  const items = [...(summary[1] as string).matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1] as string);
  const fields = expected.fields ?? {};
  for (const [name, message] of Object.entries(fields)) {
    assert.ok(
      items.some((item) => item.startsWith(`<a href="#${name}">`) && message.test(item)),
      `the summary links ${name} with ${message} (${items.join(' | ')})`,
    );
    const tag = inputTag(text, name);
    assert.match(tag, /aria-invalid="true"/, `${name} is marked invalid`);
    const describedBy = /aria-describedby="([^"]+)"/.exec(tag)?.[1]?.split(' ') ?? [];
    assert.ok(describedBy.includes(`${name}-error`), `${name} is described by its error`);
    const error = new RegExp(`<span id="${name}-error" class="field-error">([\\s\\S]*?)</span>\\n`).exec(text)?.[1] ?? '';
    assert.match(error, message, `${name}'s own message`);
  }
  if (expected.form)
    assert.ok(
      items.some((item) => !item.startsWith('<a') && expected.form?.test(item)),
      `form problem ${expected.form}`,
    );
  assert.equal(items.length, Object.keys(fields).length + (expected.form ? 1 : 0), `exactly these problems: ${items.join(' | ')}`);
  for (const [name, value] of Object.entries(expected.kept ?? {})) {
    assert.ok(inputTag(text, name).includes(`value="${value}"`), `${name} keeps "${value}"`);
  }
  for (const secret of expected.secrets ?? []) assert.ok(!text.includes(secret), 'no typed secret in the page');
}
