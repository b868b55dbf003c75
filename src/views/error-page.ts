import { t } from '../i18n/index.ts';
import { type Html, html } from './html.ts';
import { layout } from './layout.ts';

export function errorPage(status: number, message: string): Html {
  const title = t(status === 404 ? 'errorPage.notFound' : status >= 500 ? 'errorPage.failed' : 'errorPage.refused');
  return layout(
    { title, languagePath: '/' },
    html`<p class="notice error" role="alert">${message}</p><p><a href="/">${t('errorPage.back')}</a></p>`,
  );
}
