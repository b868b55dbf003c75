import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSupportedLocale, SUPPORTED_LOCALES } from '../../i18n/locales.ts';
import { COMMON_PLACEHOLDERS, TEMPLATE_PLACEHOLDERS } from './placeholders.ts';
import type { TemplateName } from './types.ts';

/**
 * TEMPLATES_DIR: files that replace parts of individual mail templates, named
 * `<template>.subject`, `<template>.txt` or `<template>.html`, with `{{placeholder}}` slots
 * (placeholders.ts lists each template's). A subfolder named after a language (`de/`, `pt-BR/`)
 * holds overrides for mails in that language only, which win over the top-level ones. Read and
 * checked once at startup: an unknown file, folder, template or placeholder stops the start with
 * a message naming the file.
 */

/** A parsed override file: literal text and placeholder names, alternating (literal first). */
export type TemplateParts = readonly string[];

export interface TemplateOverride {
  subject?: TemplateParts;
  text?: TemplateParts;
  html?: TemplateParts;
}

/** By template name for every language, and by `<locale>/<template>` for one language. */
export type TemplateOverrides = ReadonlyMap<string, TemplateOverride>;

const PART_OF_EXTENSION = { subject: 'subject', txt: 'text', html: 'html' } as const;
const MAX_FILE_BYTES = 64 * 1024;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Splits a template into literals and placeholder names, or says what is wrong with it. */
export function parseTemplate(source: string, allowed: readonly string[]): { parts: TemplateParts } | { problem: string } {
  const parts: string[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const name = match[1] as string;
    if (!allowed.includes(name)) {
      return { problem: `unknown placeholder {{${name}}} (this template has ${allowed.map((a) => `{{${a}}}`).join(', ')})` };
    }
    parts.push(source.slice(last, match.index), name);
    last = (match.index as number) + match[0].length;
  }
  parts.push(source.slice(last));
  const stray = parts.filter((_, i) => i % 2 === 0).find((literal) => literal.includes('{{') || literal.includes('}}'));
  if (stray !== undefined) return { problem: 'a "{{" or "}}" that is not part of a {{placeholder}}' };
  return { parts };
}

/** Reads every override in `dir` and its language folders; problems name the file they are about. */
export function readTemplateOverrides(
  dir: string,
  overrides: Map<string, TemplateOverride> = new Map(),
  locale?: string,
): { overrides: Map<string, TemplateOverride>; problems: string[] } {
  const problems: string[] = [];
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) return { overrides, problems: [`${dir} is not a directory`] };
    names = readdirSync(dir).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { overrides, problems: [`cannot read ${dir}: ${code === 'ENOENT' ? 'no such directory' : (code ?? 'unreadable')}`] };
  }
  for (const fileName of names) {
    if (fileName.startsWith('.')) continue;
    const file = join(dir, fileName);
    if (locale === undefined && isSupportedLocale(fileName) && statSync(file).isDirectory()) {
      problems.push(...readTemplateOverrides(file, overrides, fileName).problems);
      continue;
    }
    const match = /^(.+)\.(subject|txt|html)$/.exec(fileName);
    if (!match) {
      problems.push(
        `${file}: not an override file (names are <template>.subject, <template>.txt or <template>.html${locale === undefined ? `, and folders ${SUPPORTED_LOCALES.join('/, ')}/` : ''})`,
      );
      continue;
    }
    const template = match[1] as TemplateName;
    if (!Object.hasOwn(TEMPLATE_PLACEHOLDERS, template)) {
      problems.push(`${file}: there is no mail template "${template}" (templates: ${Object.keys(TEMPLATE_PLACEHOLDERS).join(', ')})`);
      continue;
    }
    const source = readText(file, problems);
    if (source === undefined) continue;
    const part = PART_OF_EXTENSION[match[2] as keyof typeof PART_OF_EXTENSION];
    const content = part === 'subject' ? source.trim() : source;
    if (part === 'subject' && /[\r\n]/.test(content)) {
      problems.push(`${file}: a subject must be one line`);
      continue;
    }
    const parsed = parseTemplate(content, [...COMMON_PLACEHOLDERS, ...TEMPLATE_PLACEHOLDERS[template]]);
    if ('problem' in parsed) {
      problems.push(`${file}: ${parsed.problem}`);
      continue;
    }
    const key = locale === undefined ? template : `${locale}/${template}`;
    overrides.set(key, { ...overrides.get(key), [part]: parsed.parts });
  }
  return { overrides, problems };
}

function readText(file: string, problems: string[]): string | undefined {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      problems.push(`${file}: not a file`);
      return undefined;
    }
    if (stat.size > MAX_FILE_BYTES) {
      problems.push(`${file}: larger than ${MAX_FILE_BYTES / 1024} KiB`);
      return undefined;
    }
    const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
    return text.replace(/^\uFEFF/, '');
  } catch (error) {
    problems.push(
      `${file}: ${error instanceof TypeError ? 'not UTF-8 text' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`}`,
    );
    return undefined;
  }
}
