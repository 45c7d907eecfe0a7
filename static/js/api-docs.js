// /api/docs: starts the vendored Swagger UI on the app's OpenAPI document. Kept out of the page because
// the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    // Bearer tokens are typed in "Authorize"; the page itself never sends the session cookie's CSRF token.
    persistAuthorization: false,
    validatorUrl: null  // no call to the public validator: the site may have no internet
  });
})();
