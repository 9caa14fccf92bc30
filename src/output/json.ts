// JSON output is the API's own data, with every character a terminal would act on as a
// \u escape (see src/text): it parses back to exactly the same strings.
import { jsonText } from '../text';

export function toJson(value: unknown, indent?: number): string {
  return jsonText(value, indent);
}
