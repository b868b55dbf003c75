import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/** The brand colour the themed services use (white button text reaches 4.5:1 on it). */
export const BRAND_COLOR = '#0b7285';
export const BRAND_NAME = 'Acme ID';

/** CRC-32 as PNG chunks need it. */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A real, decodable PNG: a `width` x `height` bar of one colour with a lighter stripe. */
export function pngLogo(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const colour = Math.abs(y - height / 2) < height / 8 ? [255, 255, 255] : rgb;
    rows.push(Buffer.from([0, ...Array.from({ length: width }, () => colour).flat()]));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A wordmark: a key in a rounded square and the brand name, in presentation attributes only (no style). */
export const SVG_LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">
<rect width="40" height="40" rx="8" fill="${BRAND_COLOR}"/>
<circle cx="15" cy="20" r="7" fill="none" stroke="#fff" stroke-width="4"/>
<path d="M22 20h12M29 20v6M34 20v5" stroke="#fff" stroke-width="4" fill="none"/>
<text x="50" y="28" font-family="DejaVu Sans, sans-serif" font-size="22" font-weight="700" fill="${BRAND_COLOR}">${BRAND_NAME}</text>
</svg>
`;

export interface ThemeFiles {
  /** BRAND_NAME, BRAND_LOGO (the PNG), BRAND_COLOR, THEME_CSS and TEMPLATES_DIR for startTestService. */
  env: Record<string, string>;
  /** The SVG wordmark's path, for BRAND_LOGO instead of the PNG. */
  svgLogo: string;
  logo: Buffer;
  themeCss: string;
  remove(): void;
}

/** A logo, an operator stylesheet and one overridden mail template, in a temp dir. */
export function writeThemeFiles(): ThemeFiles {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-theme-'));
  const logo = pngLogo(120, 32, [11, 114, 133]);
  const themeCss = ':root { --lk-radius: 0; --lk-font: Georgia, serif; }\nheader { border-bottom: 4px solid var(--lk-accent); }\n';
  writeFileSync(join(dir, 'logo.png'), logo);
  writeFileSync(join(dir, 'logo.svg'), SVG_LOGO);
  writeFileSync(join(dir, 'theme.css'), themeCss);
  mkdirSync(join(dir, 'mail'));
  writeFileSync(join(dir, 'mail', 'password-reset.subject'), 'Reset your password for {{product}}\n');
  writeFileSync(
    join(dir, 'mail', 'password-reset.html'),
    '<!doctype html><html><body><h1>{{product}}</h1><p>{{greeting}}</p><p><a href="{{url}}">Choose a new password</a> within {{expires}}.</p></body></html>\n',
  );
  return {
    env: {
      BRAND_NAME,
      BRAND_LOGO: join(dir, 'logo.png'),
      BRAND_COLOR,
      THEME_CSS: join(dir, 'theme.css'),
      TEMPLATES_DIR: join(dir, 'mail'),
    },
    svgLogo: join(dir, 'logo.svg'),
    logo,
    themeCss,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
