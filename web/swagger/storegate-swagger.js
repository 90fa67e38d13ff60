// Starts Swagger UI (the npm package swagger-ui-dist, served beside this file) on this store's API
// description, GET /rest/<store>/schema?services=all, as Magento's /swagger page does: the store
// comes from ?store=<code> (default "all"). The document lists only what the caller may use, so a
// token entered with "Authorize" is sent on the description's own request too, and the description
// is fetched again whenever the token changes. Magento's document declares no security scheme (its
// page had an api_key box of its own); Swagger UI offers "Authorize" only for a declared scheme, so
// the page adds one to the document it received: an apiKey in the Authorization header, sent as
// "Bearer <token>" on every operation. A separate file, not inline script: the page's
// Content-Security-Policy allows scripts from this origin only.
'use strict';

(function start() {
  const SCHEME = 'storegateToken';
  const param = new URLSearchParams(window.location.search).get('store');
  const store = param && /^[A-Za-z0-9_]{1,64}$/.test(param) ? param : 'all';
  const schemaPath = `/rest/${store}/schema`;
  const schemaUrl = `${schemaPath}?services=all`;
  const link = document.getElementById('sg-schema-link');
  if (link) link.href = schemaUrl;

  let ui = null;

  // The token as entered: surrounding quotes (the token endpoints answer a JSON string) and a
  // "Bearer " prefix are accepted and removed.
  function enteredToken() {
    if (!ui) return '';
    const auth = ui.authSelectors.authorized();
    const value = auth && auth.getIn([SCHEME, 'value']);
    if (typeof value !== 'string') return '';
    return value.trim().replace(/^"(.*)"$/, '$1').replace(/^Bearer\s+/i, '').trim();
  }

  function isSchemaRequest(url) {
    try {
      const u = new URL(url, window.location.href);
      return u.origin === window.location.origin && u.pathname === schemaPath;
    } catch (e) {
      return false;
    }
  }

  function requestInterceptor(req) {
    const token = enteredToken();
    req.headers = req.headers || {};
    if (req.loadSpec || isSchemaRequest(req.url)) {
      if (token) req.headers.Authorization = `Bearer ${token}`;
      else delete req.headers.Authorization;
    } else if (req.headers.Authorization !== undefined) {
      // what Swagger UI put there from the Authorize dialog, normalised
      if (token) req.headers.Authorization = `Bearer ${token}`;
      else delete req.headers.Authorization;
    }
    return req;
  }

  function responseInterceptor(res) {
    if (!res || !res.ok || !isSchemaRequest(res.url) || typeof res.text !== 'string') return res;
    let doc;
    try {
      doc = JSON.parse(res.text);
    } catch (e) {
      return res;
    }
    if (!doc || typeof doc !== 'object' || doc.swagger !== '2.0') return res;
    doc.securityDefinitions = Object.assign({}, doc.securityDefinitions, {
      [SCHEME]: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'An admin, customer or integration access token; sent as "Bearer <token>".',
      },
    });
    doc.security = [{[SCHEME]: []}];
    // Magento documents a 401 answer on every operation that needs a caller: the others are
    // anonymous and carry no padlock
    for (const item of Object.values(doc.paths || {})) {
      for (const op of Object.values(item || {})) {
        if (op && typeof op === 'object' && op.responses && !op.responses['401']) op.security = [];
      }
    }
    res.text = JSON.stringify(doc);
    res.data = res.text;
    res.body = doc;
    res.obj = doc;
    return res;
  }

  // Authorize and Logout change what the caller may use: fetch the description again with the
  // new token (or none).
  function ReloadOnAuthorization() {
    const reload = (action) => (orig, system) => (...args) => {
      const result = orig(...args);
      window.setTimeout(() => system.specActions.download(), 0);
      return result;
    };
    return {
      statePlugins: {
        auth: {wrapActions: {authorize: reload('authorize'), logout: reload('logout')}},
      },
    };
  }

  ui = window.SwaggerUIBundle({
    url: schemaUrl,
    dom_id: '#swagger-ui',
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: [ReloadOnAuthorization],
    layout: 'BaseLayout',
    deepLinking: true,
    docExpansion: 'list', // every tag open, every operation folded
    validatorUrl: null, // never send the store's description to a third party
    persistAuthorization: false, // the token stays in this page's memory only
    displayRequestDuration: true,
    requestInterceptor,
    responseInterceptor,
  });
  window.ui = ui;
})();
