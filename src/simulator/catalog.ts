// The fixed cast of the simulated organisation: sockets, users and places. Several users
// are hostile on purpose: every string the API returns is typed by someone, and the CLI
// has to survive names that are terminal escapes, bidi tricks or spreadsheet formulas.

import { Rng, Salt, uuidV4 } from './rng';

export type SocketType = 'ssh' | 'http' | 'database' | 'kubernetes' | 's3' | 'snowflake' | 'rdp';

export interface SimSocket {
  id: string;
  name: string;
  type: SocketType;
  serverName: string;
  port: string;
  /** Database sockets only: the schema the query logs talk about. */
  database?: string;
  dialect?: 'postgres' | 'mysql';
  unixUsers: readonly string[];
}

export interface SimUser {
  email: string;
  name: string;
  nickname: string;
  picture: string;
  sub: string;
  /** Hostile users also get hostile recordings. */
  hostile: boolean;
  /** Index into LOCATIONS where this user usually connects from. */
  home: number;
}

export interface SimLocation {
  countryCode: string;
  countryName: string;
  flag: string;
  city: string;
  regionCode: string;
  regionName: string;
  isp: string;
  latitude: number;
  longitude: number;
  /** A documentation address range (RFC 5737): never a real host. */
  net: string;
}

const ORG = 'sim-org';

const SOCKET_DEFS: ReadonlyArray<Omit<SimSocket, 'id' | 'serverName'>> = [
  { name: 'prod-ssh', type: 'ssh', port: '22', unixUsers: ['ubuntu', 'deploy', 'root'] },
  { name: 'staging-ssh', type: 'ssh', port: '22', unixUsers: ['ubuntu', 'ec2-user'] },
  { name: 'bastion-ssh', type: 'ssh', port: '22', unixUsers: ['ops', 'ubuntu'] },
  { name: 'grafana-http', type: 'http', port: '443', unixUsers: [] },
  { name: 'wiki-http', type: 'http', port: '443', unixUsers: [] },
  { name: 'orders-db', type: 'database', port: '5432', database: 'orders', dialect: 'postgres', unixUsers: [] },
  { name: 'analytics-db', type: 'database', port: '3306', database: 'analytics', dialect: 'mysql', unixUsers: [] },
  { name: 'prod-k8s', type: 'kubernetes', port: '443', unixUsers: [] },
  { name: 'billing-s3', type: 's3', port: '443', unixUsers: [] },
  { name: 'snowflake-dw', type: 'snowflake', port: '443', database: 'ANALYTICS', unixUsers: [] },
  { name: 'jump-rdp', type: 'rdp', port: '3389', unixUsers: [] },
];

export function makeSockets(seed: number): SimSocket[] {
  return SOCKET_DEFS.map((def, j) => ({
    ...def,
    id: uuidV4(new Rng(seed, Salt.socketId, j, 0).next(), new Rng(seed, Salt.socketId, j, 1)),
    serverName: `${def.name}-${ORG}.border0.io`,
  }));
}

export const LOCATIONS: readonly SimLocation[] = [
  { countryCode: 'US', countryName: 'United States', flag: '🇺🇸', city: 'San Francisco', regionCode: 'CA', regionName: 'California', isp: 'Comcast Cable Communications', latitude: 37.7749, longitude: -122.4194, net: '192.0.2' },
  { countryCode: 'NL', countryName: 'Netherlands', flag: '🇳🇱', city: 'Amsterdam', regionCode: 'NH', regionName: 'North Holland', isp: 'KPN B.V.', latitude: 52.3676, longitude: 4.9041, net: '198.51.100' },
  { countryCode: 'DE', countryName: 'Germany', flag: '🇩🇪', city: 'Berlin', regionCode: 'BE', regionName: 'Land Berlin', isp: 'Deutsche Telekom AG', latitude: 52.52, longitude: 13.405, net: '203.0.113' },
  { countryCode: 'JP', countryName: 'Japan', flag: '🇯🇵', city: 'Tokyo', regionCode: '13', regionName: 'Tokyo', isp: 'NTT Communications', latitude: 35.6762, longitude: 139.6503, net: '192.0.2' },
  { countryCode: 'BR', countryName: 'Brazil', flag: '🇧🇷', city: 'São Paulo', regionCode: 'SP', regionName: 'São Paulo', isp: 'Telefônica Brasil S.A.', latitude: -23.5505, longitude: -46.6333, net: '198.51.100' },
  { countryCode: 'IN', countryName: 'India', flag: '🇮🇳', city: 'Bengaluru', regionCode: 'KA', regionName: 'Karnataka', isp: 'Bharti Airtel Ltd.', latitude: 12.9716, longitude: 77.5946, net: '203.0.113' },
  { countryCode: 'GB', countryName: 'United Kingdom', flag: '🇬🇧', city: 'London', regionCode: 'ENG', regionName: 'England', isp: 'British Telecommunications PLC', latitude: 51.5072, longitude: -0.1276, net: '192.0.2' },
  { countryCode: 'CA', countryName: 'Canada', flag: '🇨🇦', city: 'Vancouver', regionCode: 'BC', regionName: 'British Columbia', isp: 'Shaw Communications', latitude: 49.2827, longitude: -123.1207, net: '198.51.100' },
];

const LONG_NAME =
  'Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Adolph Charles David Earl Frederick Gerald Irvin John Kenneth Lloyd Martin Nero Oliver Paul Quincy Randolph Sherman Thomas Uncas Victor William Xerxes Yancy Zeus ' +
  'Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessenschafewarenwohlgepflegeundsorgfaltigkeitbeschutzenvonangreifendurchihrraubgierigfeinde Sr.';

function user(email: string, name: string, nickname: string, home: number, hostile = false): SimUser {
  const local = email.split('@')[0] ?? email;
  return {
    email,
    name,
    nickname,
    picture: `https://avatars.example.com/u/${encodeURIComponent(local)}.png`,
    sub: `google-oauth2|10${[...local].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1e9, 7).toString().padStart(9, '0')}`,
    hostile,
    home,
  };
}

export const USERS: readonly SimUser[] = [
  user('alice@example.com', 'Alice Nguyen', 'alice', 0),
  user('bob@example.com', 'Bob Okafor', 'bob', 6),
  user('chandra@example.com', 'Chandra Patel', '', 5),
  user('dana@example.org', 'Dana Kowalski', 'dana', 2),
  user('erik@example.com', 'Erik Lindqvist', 'erik', 1),
  user('fatima@example.com', 'Fatima Haddad', 'fatima', 1),
  user('gus.obrien@example.com', "Gus O'Brien, Jr.", 'gus', 7),
  user('hana@example.net', 'Hana Satō', 'hana', 3),
  user('mallory@example.net', '\u001b]0;pwned\u0007\u001b[2J\u001b[31mMallory', 'mallory', 4, true),
  user('eve@example.net', '\u202eevil\u202c', 'eve', 2, true),
  user('unicorn@example.com', '🦄 Uni Corn', 'unicorn', 0, true),
  user('hubert@example.com', LONG_NAME, 'hubert', 2, true),
  user('formula@example.com', '=HYPERLINK("http://evil.example","click")', 'formula', 6, true),
  user('cmd@example.com', "+cmd|' /C calc'!A0", 'cmd', 5, true),
  user('sum@example.com', '@SUM(1+1)', 'sum', 3, true),
  user('minus@example.com', '-2+3', 'minus', 7, true),
];

/** Everyday users connect far more often; the hostile ones still turn up throughout. */
export const USER_WEIGHTS: readonly number[] = USERS.map((u) => (u.hostile ? 0.5 : 3));

export function userIndex(email: string): number {
  return USERS.findIndex((u) => u.email === email);
}
