// Errors are typed where they happen and printed in one place (report() in cli.ts): each carries
// the exit code it maps to and a message that is one actionable line.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  partial: 5,
  hangup: 129,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The signals that stop a run, and the exit code each gives (128 + its number, as a shell reports it). */
export const STOP_SIGNALS = { SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated, SIGHUP: ExitCode.hangup } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

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
  /**
   * False when the 404 did not come with a Border0 error answer (an HTML page, an empty
   * body): then it may be a wrong API URL rather than a missing session.
   */
  readonly apiAnswer: boolean;
  constructor(message: string, options?: { cause?: unknown; apiAnswer?: boolean }) {
    super(message, options);
    this.apiAnswer = options?.apiAnswer ?? true;
  }
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

/** The API URL points somewhere that is not the API (a 404 page for its list). Exit 1, and no other request will do better. */
export class NotTheApiError extends ApiError {}

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

/** Interrupted (Ctrl-C) or declined at a confirmation prompt: exit 130. Stopped by SIGTERM: 143, by SIGHUP: 129. */
export class CancelledError extends B0sError {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, signal: StopSignal = 'SIGINT') {
    super(message);
    this.exitCode = STOP_SIGNALS[signal];
  }
}

/** stdout could not be written (a full disk, a failing device): the result is incomplete. Exit 1. */
export class OutputError extends B0sError {
  readonly exitCode = ExitCode.failure;
}

/** Some of several operations failed; each failure was already reported. Exit 5. */
export class PartialFailure extends B0sError {
  readonly exitCode = ExitCode.partial;
}


/** A search found nothing: exit 1, and nothing is printed (as grep). */
export class NothingFound extends B0sError {
  readonly exitCode = ExitCode.failure;
}

/** A local file b0s was asked to write (or read) could not be. Exit 1. */
export class FileError extends B0sError {
  readonly exitCode = ExitCode.failure;
}
