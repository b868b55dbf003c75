import { defaultLocale, withLocale } from '../../i18n/index.ts';
import { escapeHtml } from '../../views/html.ts';
import type { TemplateOverrides, TemplateParts } from './override-files.ts';
import { placeholderValues } from './placeholders.ts';
import { renderMail } from './render.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

/**
 * Renders a mail as renderMail does, in its recipient's language, with the parts TEMPLATES_DIR
 * overrides (override-files.ts) taking the place of the built-in subject, text or HTML: the
 * override of the mail's language (`de/password-reset.txt`) first, else the one for every
 * language. A part without an override file stays the built-in one. Values are plain text in
 * .subject and .txt files, HTML-escaped in .html files.
 */
export function renderMailWithOverrides(message: MailMessage, context: MailContext, overrides: TemplateOverrides): RenderedMail {
  const locale = message.locale ?? defaultLocale();
  return withLocale(locale, () => {
    const rendered = renderMail(message, context);
    const shared = overrides.get(message.template);
    const own = overrides.get(`${locale}/${message.template}`);
    if (shared === undefined && own === undefined) return rendered;
    const override = { ...shared, ...own };
    const values = placeholderValues(message, context);
    return {
      subject: override.subject ? fill(override.subject, values, oneLine) : rendered.subject,
      text: override.text ? fill(override.text, values, (value) => value) : rendered.text,
      html: override.html ? fill(override.html, values, escapeHtml) : rendered.html,
    };
  });
}

/** A value in a subject: line breaks become spaces, so no value can add a header line. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

function fill(parts: TemplateParts, values: Record<string, string>, encode: (value: string) => string): string {
  return parts.map((part, i) => (i % 2 === 0 ? part : encode(values[part] ?? ''))).join('');
}
