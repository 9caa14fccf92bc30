// Every token the suite hands to b0s. None may ever appear in what b0s writes.
import { SIM_FORBIDDEN_TOKEN, SIM_TOKEN } from '../../src/simulator';

function jwt(payload: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
}

export { SIM_FORBIDDEN_TOKEN, SIM_TOKEN };
/** Accepted by the simulator only when a test configures it to. */
export const FILE_TOKEN = jwt({ org_id: 'file-org', user_email: 'file@example.com', type: 'admin', iat: 1_700_000_000 });
export const ENV_TOKEN = jwt({ org_id: 'env-org', user_email: 'env@example.com', type: 'admin', iat: 1_700_000_001 });
export const EXPIRED_TOKEN = jwt({ org_id: 'old-org', user_email: 'old@example.com', exp: 1_600_000_000 });
export const FUTURE_TOKEN = jwt({ org_id: 'new-org', user_email: 'new@example.com', exp: 4_100_000_000 });
export const MEMBER_TOKEN = jwt({ org_id: 'sim-org', user_email: 'member@example.com', type: 'member' });

export const SECRETS = [SIM_TOKEN, SIM_FORBIDDEN_TOKEN, FILE_TOKEN, ENV_TOKEN, EXPIRED_TOKEN, FUTURE_TOKEN, MEMBER_TOKEN];
