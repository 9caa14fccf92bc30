// Errors are typed where they happen and printed in one place (main.ts): each carries
// the exit code it maps to and a message that is one actionable line.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  partial: 5,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class B0sError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flag, argument or environment value: nothing was sent. Exit 2. */
export class UsageError extends B0sError {
  readonly exitCode = ExitCode.usage;
}

/** No token, unreadable token, or a token the API refused (401/403). Exit 3. */
export class AuthError extends B0sError {
  readonly exitCode = ExitCode.auth;
}

/** The socket, session or recording does not exist. Exit 4. */
export class NotFoundError extends B0sError {
  readonly exitCode = ExitCode.notFound;
}

/** The API answered with an error or with a body b0s cannot read. Exit 1. */
export class ApiError extends B0sError {
  readonly exitCode = ExitCode.failure;
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The request never got an HTTP answer: DNS, refused, reset, TLS, timeout. Exit 1. */
export class NetworkError extends B0sError {
  readonly exitCode = ExitCode.failure;
  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A recording or response body that does not parse as what it claims to be. Exit 1. */
export class FormatError extends B0sError {
  readonly exitCode = ExitCode.failure;
}

/** Interrupted (Ctrl-C) or declined at a confirmation prompt. Exit 130. */
export class CancelledError extends B0sError {
  readonly exitCode = ExitCode.interrupted;
}

/** Some of several operations failed; each failure was already reported. Exit 5. */
export class PartialFailure extends B0sError {
  readonly exitCode = ExitCode.partial;
}


/** A local file b0s was asked to write (or read) could not be. Exit 1. */
export class FileError extends B0sError {
  readonly exitCode = ExitCode.failure;
}
