import type { FastifyInstance } from "fastify";

/**
 * JSON bodies as Fastify parses them (prototype-poisoning protection included), except that an empty
 * body counts as no body: `POST /auth/logout` with only the bearer token and a JSON content type is a
 * normal request, and a route that needs a body answers 422 naming it instead of a parser error.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const text = body.toString();
    if (text.trim() === "") return done(null, undefined);
    parseJson(req, text, done);
  });
}
