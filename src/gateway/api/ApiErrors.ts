import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from '../../platform/logger.js';
import { CallsightError, ValidationError } from '../../platform/errors.js';

/** Chime's exception names for the statuses the REST API answers with, so Chime clients recognise them. */
const EXCEPTION: Readonly<Record<number, string>> = {
  400: 'BadRequestException',
  404: 'NotFoundException',
  409: 'ConflictException',
  413: 'BadRequestException',
  415: 'BadRequestException',
  500: 'ServiceFailureException',
  503: 'ServiceUnavailableException',
};

/**
 * One error format for every /api route: `{ code, message, exception, errors? }` with the HTTP status
 * of the error's code; validation errors list every problem with its path.
 */
export function installApiErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError | CallsightError, _request, reply) => {
    let status = 500;
    let code = 'CS_ERR_INTERNAL';
    if (error instanceof CallsightError && error.status >= 400 && error.status < 600) {
      status = error.status;
      code = error.code;
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      // Fastify's own: malformed JSON, unsupported content type, body too large.
      status = error.statusCode;
      code = 'CS_ERR_BAD_REQUEST';
    }
    if (status >= 500) logger.error({ err: error }, 'API request failed');
    return reply.code(status).send({
      code,
      exception: EXCEPTION[status] ?? 'ServiceFailureException',
      message: status >= 500 && !(error instanceof CallsightError) ? 'internal error' : error.message,
      ...(error instanceof ValidationError ? { errors: error.problems } : {}),
    });
  });
}
