import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Logger } from '../platform/logger.js';
import {
  CallsightError,
  formatPath,
  NotReadyError,
  ValidationError,
  type ErrorCode,
  type Problem,
} from '../platform/errors.js';

/** Chime's exception names for the statuses the REST API answers with, so Chime clients recognise them. */
export const EXCEPTION: Readonly<Record<number, string>> = {
  400: 'BadRequestException',
  401: 'UnauthorizedClientException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  409: 'ConflictException',
  413: 'BadRequestException',
  415: 'BadRequestException',
  416: 'BadRequestException',
  421: 'BadRequestException',
  422: 'UnprocessableEntityException',
  429: 'ThrottledClientException',
  500: 'ServiceFailureException',
  503: 'ServiceUnavailableException',
};

/** The one error body of every HTTP answer (/api, /healthz, /metrics, the web app's files, /ws upgrades). */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  /** Chime's exception name for the status (also in `x-amzn-ErrorType` on the configuration API). */
  readonly exception: string;
  /** A validation error's problems, each with its path. */
  readonly errors?: readonly Problem[];
  /** A not-ready answer's /healthz fields. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The HTTP status and body for anything thrown: a CallsightError with an HTTP status answers with it
 * and its code; Fastify's own client errors (malformed JSON, unsupported content type, body too
 * large) are CS_ERR_BAD_REQUEST with their status; anything else is a 500 CS_ERR_INTERNAL whose
 * message is not shown (it may hold internals; the log has it).
 */
export function errorReply(error: unknown): { status: number; body: ErrorBody } {
  let status = 500;
  let code: ErrorCode = 'CS_ERR_INTERNAL';
  if (error instanceof CallsightError && error.status >= 400 && error.status < 600) {
    status = error.status;
    code = error.code;
  } else if (isFastifyClientError(error)) {
    status = error.statusCode;
    code = 'CS_ERR_BAD_REQUEST';
  }
  return {
    status,
    body: {
      code,
      exception: EXCEPTION[status] ?? (status >= 500 ? 'ServiceFailureException' : 'BadRequestException'),
      message:
        error instanceof CallsightError || (status < 500 && error instanceof Error)
          ? error.message
          : 'internal error',
      ...(error instanceof ValidationError ? { errors: error.problems } : {}),
      ...(error instanceof NotReadyError ? { details: error.details } : {}),
    },
  };
}

function isFastifyClientError(error: unknown): error is Error & { statusCode: number } {
  if (!(error instanceof Error) || !('statusCode' in error)) return false;
  return typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500;
}

/**
 * Answers on a raw socket, outside Fastify (a refused `/ws` upgrade, a client cut off by a deadline),
 * with errorReply's status and body, then closes the connection once the answer is out.
 */
export function writeErrorReply(socket: Duplex, error: unknown): void {
  const { status, body } = errorReply(error);
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    // Not left half-open for a client that never closes its side.
    () => socket.destroy(),
  );
}

/** Answers every error thrown by a route of `app` (and of the scopes it holds) with errorReply. */
export function installErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: unknown, _request, reply) => {
    const { status, body } = errorReply(error);
    // A not-ready answer is what a readiness probe polls for while the process starts: not news.
    if (status >= 500 && body.code !== 'CS_ERR_NOT_READY')
      logger.error({ err: error }, 'HTTP request failed');
    return reply.code(status).send(body);
  });
}

/**
 * A request no route matches is a 404 CS_ERR_NOT_FOUND (once per server: Fastify allows one per
 * prefix), unless `answer` answers it first (it returns true when it did).
 */
export function installNotFoundHandler(
  app: FastifyInstance,
  answer?: (request: FastifyRequest, reply: FastifyReply) => boolean,
): void {
  app.setNotFoundHandler((request, reply) => {
    if (answer?.(request, reply)) return reply;
    throw new CallsightError(
      'CS_ERR_NOT_FOUND',
      `no route for ${request.method} ${request.url.split('?')[0]}`,
    );
  });
}

/** A request body checked against its schema: CS_ERR_BAD_REQUEST listing every problem, or the parsed value. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success)
    throw new ValidationError(
      what,
      result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  return result.data;
}
