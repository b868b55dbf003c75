// Passkey buttons of Latchkey's pages (served as /assets/passkeys.js, after
// /assets/simplewebauthn-browser.js). Progressive enhancement only: every page works without it.
// The buttons are rendered `hidden`; this script shows them only when the browser can use a
// passkey, then runs the WebAuthn ceremony against the JSON API. No inline script, no eval.
(() => {
  const OWN_PATH = '/assets/passkeys.js';
  const script = document.currentScript;
  // Latchkey may be served under a path (PUBLIC_URL=https://example.com/auth): the pages prefix
  // our src with it, so the API and the app paths we go to are found under the same base.
  const base = script?.src.endsWith(OWN_PATH) ? script.src.slice(0, -OWN_PATH.length) : window.location.origin;
  const lib = window.SimpleWebAuthnBrowser;

  /** An app path (one leading slash) under the base; an absolute URL the page gave us as it is. */
  function destination(value) {
    if (typeof value !== 'string' || value === '') return `${base}/`;
    if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return base + value;
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
    } catch {}
    return `${base}/`;
  }

  /** POSTs JSON to the API; resolves to {ok, status, body}. */
  async function post(path, body) {
    const response = await fetch(base + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    let data = {};
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch {}
    }
    return { ok: response.ok, status: response.status, body: data };
  }

  /** Writes into the page's live region (present, empty, from the start, so screen readers announce it). */
  function say(region, message) {
    if (!region) return;
    region.textContent = message;
    region.className = message === '' ? 'passkey-status' : 'passkey-status notice error';
  }

  /**
   * A sentence of the page's language: the live region carries them in data attributes (the page
   * renders them from its catalogue), with English only should a page lack them.
   */
  function message(region, name, english) {
    return region?.dataset[name] || english;
  }

  /** A clear sentence for what the browser's passkey call threw. */
  function browserProblem(region, err) {
    switch (err?.name) {
      case 'NotAllowedError':
        return message(region, 'notAllowed', 'The passkey request was cancelled or timed out. Nothing was changed; you can try again.');
      case 'InvalidStateError':
        return message(region, 'invalidState', 'This device already holds a passkey for your account.');
      case 'SecurityError':
        return message(region, 'security', 'Your browser refused to use a passkey for this site.');
      case 'NotSupportedError':
        return message(region, 'notSupported', 'Your browser or device cannot create this kind of passkey.');
      case 'AbortError':
        return message(region, 'aborted', 'The passkey request was cancelled.');
      default:
        return message(region, 'browserFailed', 'Your browser could not use a passkey. Try again, or use another way to continue.');
    }
  }

  /** The API's own message (in the page's language: the request carries its language cookie). */
  function apiProblem(region, result) {
    return result.body?.error?.message ?? message(region, 'failed', 'Something went wrong. Try again.');
  }

  /**
   * Runs one ceremony: options from `optionsPath`, the browser call, then `verify`. Reports
   * problems in `region` (a `quiet` one, the autofill's, only a refused verification); resolves to {ok: true} or {ok: false, stage} ('options', 'browser',
   * 'aborted' or 'verify').
   */
  async function ceremony(o) {
    if (!o.quiet) say(o.region, '');
    const options = await post(o.optionsPath, {});
    if (!options.ok) {
      if (!o.quiet && !o.onRefused?.(options)) say(o.region, apiProblem(o.region, options));
      return { ok: false, stage: 'options' };
    }
    let response;
    try {
      response = await o.browserCall(options.body);
    } catch (err) {
      // A conditional (autofill) request is not something the person asked for: its end, aborted
      // by the button or refused by the browser, is no news to them.
      if (o.quiet) return { ok: false, stage: 'browser' };
      say(o.region, browserProblem(o.region, err));
      return { ok: false, stage: 'browser' };
    }
    const verified = await post(o.verifyPath, o.verifyBody(response));
    if (!verified.ok) {
      if (!o.onRefused?.(verified)) say(o.region, apiProblem(o.region, verified));
      return { ok: false, stage: 'verify' };
    }
    return { ok: true };
  }

  const region = () => document.querySelector('[data-passkey-status]');
  const checked = (id) => document.getElementById(id)?.checked === true;
  const authenticate = (optionsJSON) => lib.startAuthentication({ optionsJSON });

  /** /login: "Sign in with a passkey", and passkeys offered in the email field's autofill. */
  function signIn(button) {
    const status = region();
    const done = () => window.location.assign(destination(button.dataset.returnTo));
    const run = (browserCall, quiet) =>
      ceremony({
        region: status,
        quiet,
        optionsPath: '/api/login/passkey/options',
        browserCall,
        verifyPath: '/api/login/passkey/verify',
        verifyBody: (response) => ({ response, remember: checked('remember') }),
      });
    button.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        if ((await run(authenticate, false)).ok) done();
      } finally {
        button.disabled = false;
      }
    });
    // Conditional UI: the browser lists passkeys among the email field's suggestions. Starting
    // another ceremony (the button) aborts this one; its AbortError is no news to the user. A
    // refused answer (say the challenge's 5 minutes passed) offers the autofill again.
    if (!document.querySelector('input[autocomplete~="webauthn"]')) return;
    lib.browserSupportsWebAuthnAutofill().then(async (available) => {
      if (!available) return;
      for (;;) {
        const outcome = await run((optionsJSON) => lib.startAuthentication({ optionsJSON, useBrowserAutofill: true }), true);
        if (outcome.ok) return done();
        if (outcome.stage !== 'verify') return;
      }
    });
  }

  /** /login/second-factor: "Use a passkey" completes the pending sign-in. */
  function secondFactor(button) {
    const status = region();
    button.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const verified = await ceremony({
          region: status,
          optionsPath: '/api/login/second-factor/passkey/options',
          browserCall: authenticate,
          verifyPath: '/api/login/second-factor/passkey/verify',
          verifyBody: (response) => ({ response, rememberDevice: checked('remember_device') }),
          // The pending sign-in is over: the page itself says so and offers to start again.
          onRefused: expired,
        });
        if (verified.ok) window.location.assign(destination(button.dataset.returnTo));
      } finally {
        button.disabled = false;
      }
    });
  }
  function expired(result) {
    if (result.body?.error?.code !== 'SECOND_FACTOR_EXPIRED') return false;
    window.location.reload();
    return true;
  }

  /** "Confirm it is you": a passkey of the account marks the session recently authenticated. */
  function reauthenticate(button) {
    const status = region();
    const form = button.closest('form') ?? document.querySelector('main form');
    const next =
      button.dataset.next ?? form?.querySelector('input[name="next"]')?.value ?? new URLSearchParams(window.location.search).get('next');
    button.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const verified = await ceremony({
          region: status,
          optionsPath: '/api/reauthenticate/passkey/options',
          browserCall: authenticate,
          verifyPath: '/api/reauthenticate/passkey/verify',
          verifyBody: (response) => ({ response }),
        });
        // Only an app path: `next` may have come from the address bar.
        if (verified.ok) window.location.assign(typeof next === 'string' && next.startsWith('/') ? destination(next) : `${base}/`);
      } finally {
        button.disabled = false;
      }
    });
  }

  /** /account/passkeys: "Add a passkey" with the name typed in the form. */
  function add(form) {
    const status = region();
    const submit = form.querySelector('button[type="submit"]');
    for (const note of document.querySelectorAll('[data-passkey-unsupported]')) note.hidden = true;
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit) submit.disabled = true;
      try {
        const name = (form.elements.namedItem('name')?.value ?? '').trim();
        const verified = await ceremony({
          region: status,
          optionsPath: '/api/passkeys/register/options',
          browserCall: (optionsJSON) => lib.startRegistration({ optionsJSON }),
          verifyPath: '/api/passkeys/register/verify',
          verifyBody: (response) => (name === '' ? { response } : { response, name }),
          onRefused: (r) => {
            if (r.body?.error?.code !== 'REAUTH_REQUIRED') return false;
            window.location.assign(`${base}/account/confirm?next=${encodeURIComponent('/account/passkeys')}`);
            return true;
          },
        });
        if (verified.ok) window.location.assign(`${base}/account/passkeys?notice=added`);
      } finally {
        if (submit) submit.disabled = false;
      }
    });
  }

  function start() {
    if (!lib || typeof window.PublicKeyCredential !== 'function') return;
    for (const button of document.querySelectorAll('[data-passkey-login]')) signIn(button);
    for (const button of document.querySelectorAll('[data-passkey-second-factor]')) secondFactor(button);
    for (const button of document.querySelectorAll('[data-passkey-reauth]')) reauthenticate(button);
    for (const form of document.querySelectorAll('form[data-passkey-add]')) add(form);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
