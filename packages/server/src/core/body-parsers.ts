/**
 * How request bodies are read, for every surface:
 *
 * - `application/json`: Fastify's own parser (prototype-poisoning checks included), except that
 *   an empty body is "no body" rather than an error. Seed 000's stop call carries no body, and
 *   generic HTTP wrappers still send `Content-Type: application/json` with it; routes that need
 *   a body say so themselves ("A JSON body is required").
 * - `application/x-www-form-urlencoded`: read into an object of strings, and accepted only by
 *   routes whose table marks the body `json-or-form` (the token routes, as Django REST Framework
 *   backends accept them and Dart's `http.post(body: map)` sends them). Everywhere else it is
 *   refused with 415 by the route layer, so a cross-site HTML form cannot reach a
 *   cookie-authenticated route.
 */
import type { FastifyInstance } from 'fastify';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export function registerBodyParsers(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser<string>(
    'application/json',
    { parseAs: 'string' },
    (request, text, done) => {
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      void json(request, text, done);
    },
  );
  app.addContentTypeParser<string>(
    FORM_CONTENT_TYPE,
    { parseAs: 'string' },
    (_request, text, done) => {
      done(null, Object.fromEntries(new URLSearchParams(text)));
    },
  );
}

/** Whether `request` carried a form-encoded body. */
export function isFormBody(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE;
}
