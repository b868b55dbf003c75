import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { readTemplateOverrides, type TemplateOverrides } from '../courier/templates/override-files.ts';
import { type AccentPlan, accentPlan, parseHexColour } from './brand-colour.ts';
import type { EnvReader } from './parse.ts';

/** The largest BRAND_LOGO and THEME_CSS files accepted: both are served on every page. */
export const MAX_LOGO_BYTES = 512 * 1024;
export const MAX_THEME_BYTES = 256 * 1024;

/** Logo types by extension, each with the test its first bytes must pass. */
const LOGO_TYPES: Record<string, { type: string; magic: (bytes: Buffer) => boolean }> = {
  '.png': { type: 'image/png', magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  '.jpg': { type: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  '.jpeg': { type: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  '.webp': { type: 'image/webp', magic: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  '.svg': { type: 'image/svg+xml', magic: (b) => /<svg[\s>]/.test(b.toString('utf8', 0, 4096)) },
};

export interface BrandLogo {
  bytes: Buffer;
  /** Content type, from the extension (and checked against the file's first bytes). */
  type: string;
  /** `.png`, `.jpg`, `.webp`, `.svg`: the served URL ends with it. */
  extension: string;
}

/** BRAND_NAME, BRAND_LOGO, BRAND_COLOR, THEME_CSS and TEMPLATES_DIR, read and checked (README, "Theming"). */
export interface BrandSettings {
  /** Names the product in page titles, the page header, mails, SMS, authenticator apps and passkey prompts. */
  readonly name: string;
  readonly logo: BrandLogo | undefined;
  /** The accent custom properties BRAND_COLOR sets, or undefined when it is not set. */
  readonly accent: AccentPlan | undefined;
  /** The operator's stylesheet, loaded after ours. */
  readonly themeCss: string | undefined;
  /** Mail templates replaced by files of TEMPLATES_DIR (override-files.ts). */
  readonly templates: TemplateOverrides;
  /** What the operator should hear at startup (a brand colour with too little contrast). */
  readonly warnings: readonly string[];
}

export const DEFAULT_BRAND_NAME = 'Latchkey';

export function readBrandSettings(read: EnvReader, cwd: string): BrandSettings {
  const name = read.string('BRAND_NAME', DEFAULT_BRAND_NAME);
  if (name.length > 64 || /[\u0000-\u001f\u007f<>"]/.test(name)) {
    read.problems.push(`BRAND_NAME must be one line of at most 64 characters without <, > or ", got "${name.slice(0, 80)}"`);
  }
  const colour = read.raw('BRAND_COLOR');
  const accent = colour === undefined ? undefined : parseHexColour(colour);
  if (colour !== undefined && accent === undefined) {
    read.problems.push(`BRAND_COLOR must be a colour written #rgb or #rrggbb (e.g. #0b7285), got "${colour}"`);
  }
  const plan = accent === undefined ? undefined : accentPlan(accent);
  const logoPath = read.raw('BRAND_LOGO');
  const themePath = read.raw('THEME_CSS');
  const templatesDir = read.raw('TEMPLATES_DIR');
  const templates = templatesDir === undefined ? { problems: [], overrides: new Map() } : readTemplateOverrides(resolve(cwd, templatesDir));
  read.problems.push(...templates.problems.map((problem) => `TEMPLATES_DIR: ${problem}`));
  return {
    name,
    logo: logoPath === undefined ? undefined : readLogo(read, resolve(cwd, logoPath)),
    accent: plan,
    themeCss: themePath === undefined ? undefined : readTheme(read, resolve(cwd, themePath)),
    templates: templates.overrides,
    warnings: plan?.warnings ?? [],
  };
}

/** A regular, readable file of at most `max` bytes, or a problem naming the variable and the file. */
function readSmallFile(read: EnvReader, variable: string, path: string, max: number): Buffer | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) {
      read.problems.push(`${variable} must name a file, ${path} is not one`);
      return undefined;
    }
    if (stat.size > max) {
      read.problems.push(`${variable} must be at most ${max / 1024} KiB, ${path} has ${Math.ceil(stat.size / 1024)} KiB`);
      return undefined;
    }
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    read.problems.push(`${variable} cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
    return undefined;
  }
}

function readLogo(read: EnvReader, path: string): BrandLogo | undefined {
  const extension = extname(path).toLowerCase();
  const kind = LOGO_TYPES[extension];
  if (!kind) {
    read.problems.push(`BRAND_LOGO must be a .png, .svg, .webp, .jpg or .jpeg file, got ${path}`);
    return undefined;
  }
  const bytes = readSmallFile(read, 'BRAND_LOGO', path, MAX_LOGO_BYTES);
  if (bytes === undefined) return undefined;
  if (!kind.magic(bytes)) {
    read.problems.push(`BRAND_LOGO ${path} does not hold ${kind.type} content, as its name ${extension} says`);
    return undefined;
  }
  return { bytes, type: kind.type, extension: extension === '.jpeg' ? '.jpg' : extension };
}

function readTheme(read: EnvReader, path: string): string | undefined {
  if (extname(path).toLowerCase() !== '.css') {
    read.problems.push(`THEME_CSS must be a .css file, got ${path}`);
    return undefined;
  }
  const bytes = readSmallFile(read, 'THEME_CSS', path, MAX_THEME_BYTES);
  if (bytes === undefined) return undefined;
  const css = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (css.includes('\uFFFD')) {
    read.problems.push(`THEME_CSS ${path} is not UTF-8 text`);
    return undefined;
  }
  return css;
}
