/** The sign-in page: one field, posted by /assets/login.js (the page's CSP allows no inline script or form action). */
export function renderSignIn(enabled: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Airport Mesh · Sign in</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script type="module" src="/assets/login.js"></script>
</head>
<body class="v1">
<main id="main" class="layout">
  <section class="card" aria-labelledby="signin-title">
    <header class="card-head"><h1 id="signin-title">Sign in as the operator</h1></header>
    ${
      enabled
        ? `<form id="signin" novalidate>
      <p><label for="token">Operator token</label></p>
      <p><input id="token" name="token" type="password" autocomplete="current-password" required></p>
      <p><button type="submit" class="btn">Sign in</button> <a class="link" href="/">Back to the dashboard</a></p>
      <p class="inline-error" id="signin-error" role="alert" hidden></p>
    </form>
    <p class="muted">The token is printed by <code>npm start</code> (locally) or kept in the Secret <code>airport-operator</code> (Kubernetes).</p>`
        : `<p class="inline-error" role="alert">Sign-in is off: this cpanel has no OPERATOR_TOKEN.</p>`
    }
  </section>
</main>
</body>
</html>
`;
}
