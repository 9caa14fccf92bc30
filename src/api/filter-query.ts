// The list filters as the API's query parameters: for the client's requests, and for
// list's check that they fit in a request line before any is made.
import type { ListFilters } from './client';

export function filterQuery(f: ListFilters): Record<string, string | undefined> {
  return {
    socket_names: f.sockets?.length ? f.sockets.join(',') : undefined,
    user_emails: f.users?.length ? f.users.join(',') : undefined,
    auth_result: f.result,
    start_date_after: f.startAfter,
    start_date_before: f.startBefore,
    finished: f.finished === undefined ? undefined : String(f.finished),
  };
}
