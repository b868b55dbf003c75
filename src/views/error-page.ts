import { type Html, html } from './html.ts';
import { layout } from './layout.ts';

export function errorPage(status: number, message: string): Html {
  const title = status === 404 ? 'Page not found' : status >= 500 ? 'Something went wrong' : 'That did not work';
  return layout({ title }, html`<p class="notice error" role="alert">${message}</p><p><a href="/">Back to the start page</a></p>`);
}
