// Swagger UI on the API's own document (no inline script: the site's CSP forbids it).
window.addEventListener("load", function () {
  var spec = document.getElementById("swagger-ui").dataset.spec;
  window.ui = SwaggerUIBundle({
    url: spec,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true
  });
});
