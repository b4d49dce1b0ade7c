// The sign-in form: posts the operator token once; the answer sets an HttpOnly session cookie.
const form = document.getElementById('signin');
form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('signin-error');
  error.hidden = true;
  const token = document.getElementById('token').value;
  const res = await fetch('/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (res.ok) {
    // Read the answer to its end first: navigating while the request completes would abort it.
    await res.json().catch(() => undefined);
    location.href = '/';
    return;
  }
  const body = await res.json().catch(() => ({}));
  error.textContent = body.detail ?? `HTTP ${res.status}`;
  error.hidden = false;
});
