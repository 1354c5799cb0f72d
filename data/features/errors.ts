/** A request the client can fix: an invalid or unknown query parameter (400), or no such collection or feature (404). */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
    /** The query parameter at fault, if one is. */
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}
