// "Show password" buttons for every password field on the page: progressive enhancement only.
// Without this script the fields are ordinary password fields and every form works the same.
// Served from /assets/password-toggle.js (same origin, so the page's CSP allows exactly it).
(() => {
  for (const input of document.querySelectorAll('input[type="password"]')) {
    if (!input.id) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'toggle-password';
    button.textContent = 'Show password';
    button.setAttribute('aria-controls', input.id);
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => {
      const shown = input.type === 'password';
      input.type = shown ? 'text' : 'password';
      button.setAttribute('aria-pressed', String(shown));
    });
    input.insertAdjacentElement('afterend', button);
    // The field goes back to a password field before the form is sent, so a browser never offers
    // to remember it as plain text.
    input.form?.addEventListener('submit', () => {
      input.type = 'password';
      button.setAttribute('aria-pressed', 'false');
    });
  }
})();
