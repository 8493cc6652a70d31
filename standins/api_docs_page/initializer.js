// Swagger UI over the local stack's copy of docs/openapi.json, whose server is this stack's API, so "Try it out"
// calls `make dev` (Authorize with the token `make dev` prints, or `make token`). It is a file of its own, not an
// inline script, because the page's Content-Security-Policy allows scripts from this server only.
/* global SwaggerUIBundle */
window.addEventListener("load", () => {
  SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Swagger UI's validator badge is an image from validator.swagger.io: nothing here is loaded from another host.
    validatorUrl: null,
  });
});
