// Wire types of the Border0 session-log API (see border0-api.md). Every field may be
// missing or null on the wire, and the server may send fields not listed here: code
// reads these types defensively and JSON output always passes the original object through.

export interface IpMetadata {
  city_name?: string | null;
  country_code?: string | null;
  country_name?: string | null;
  isp?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  region_code?: string | null;
  region_name?: string | null;
}

export type RecordingType =
  | 'asciinema'
  | 'database_query_log'
  | 'kubernetes_api_request_log'
  | 'aws_s3_api_request_log'
  | 'http_access_log'
  | 'browser_session_stream'
  | 'snowflake_query_log'
  | (string & {});

export interface Recording {
  recording_id: string;
  start_time?: string | null;
  recording_type?: RecordingType | null;
}

export interface Session {
  session_id: string;
  socket_id: string;
  socket_name?: string | null;
  start_time?: string | null;
  /** Empty (or missing/null) while the session is live. */
  end_time?: string | null;
  last_seen?: string | null;
  user_email?: string | null;
  name?: string | null;
  nickname?: string | null;
  picture?: string | null;
  sub?: string | null;
  server_name?: string | null;
  server_port?: string | null;
  client_ip?: string | null;
  client_port?: string | null;
  country_code?: string | null;
  country_flag?: string | null;
  audit_log?: boolean | null;
  auth_info?: unknown;
  result?: 'success' | 'denied' | (string & {}) | null;
  killed?: boolean | null;
  session_type?: string | null;
  sshuser?: string | null;
  metadata?: { ip_metadata?: IpMetadata | null; [k: string]: unknown } | null;
  recordings?: Recording[] | null;
  [extra: string]: unknown;
}

export interface Pagination {
  actual_page_size?: number | null;
  current_page?: number | null;
  /** On the last page the server may send 0, null, or nothing at all. */
  next_page?: number | null;
  records_per_page?: number | null;
  total_pages?: number | null;
  total_records?: number | null;
}

export interface SessionPage {
  pagination?: Pagination | null;
  session_logs?: Session[] | null;
}

/** Error body: `{"error_message": "...", "status_code": N}`; some layers send `message`. */
export interface ApiErrorBody {
  error_message?: string;
  message?: string;
  status_code?: number;
}

/** One database query, one JSON object per line of a `database_query_log` recording. */
export interface QueryLogEntry {
  time?: number;
  database?: string;
  command?: string;
  status?: string;
  duration?: number;
  rows?: number;
  affected_rows?: number;
  result?: unknown;
}

/** Header line of an asciicast v2 recording. */
export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp?: number;
  title?: string;
  [k: string]: unknown;
}


/** The breakdowns GET /sessions/stats/{kind} offers. */
export type StatsKind = 'locations' | 'sockets' | 'users';
