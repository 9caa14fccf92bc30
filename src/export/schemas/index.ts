// The shapes an export event can be written in (--format).
import type { ExportEvent } from '../events';
import { toEcs } from './ecs';
import { toOcsf } from './ocsf';

export type ExportFormat = 'native' | 'ecs' | 'ocsf';

export function shape(e: ExportEvent, format: ExportFormat): unknown {
  return format === 'ecs' ? toEcs(e) : format === 'ocsf' ? toOcsf(e) : e;
}
